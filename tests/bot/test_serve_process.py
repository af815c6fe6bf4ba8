"""`isops serve --http` as an operator runs it: a real process, embedded SQLite, SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import urllib.error
import urllib.request
from pathlib import Path

from tests.fake_slack import FakeSlack
from tests.harness import BOT_TOKEN, unsigned_command_status
from tests.processes import start_isops


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_http_answers_healthz_refuses_unsigned_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    with FakeSlack(token=BOT_TOKEN) as fake:
        process = start_isops(
            *("serve", "--http", "--host", "127.0.0.1", "--port", str(port)),
            cwd=tmp_path,
            log_level="INFO",
            stdout=None,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET="secret",
            SLACK_API_URL=fake.api_url,
            DATABASE_URL=None,  # the default: isops.db in the working directory
        )
        try:
            assert process.stderr is not None
            # Block on the log line that says the server listens (no polling, no sleep).
            for line in process.stderr:
                if "listening on" in line:
                    break
            else:
                raise AssertionError(f"server exited early with {process.wait()}")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
                assert resp.status == 200
                assert json.loads(resp.read())["database"] == "ok"
            assert unsigned_command_status(f"http://127.0.0.1:{port}") == 401
            assert (tmp_path / "isops.db").exists()
            assert fake.calls_to("auth.test")  # the token was verified at start-up
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            if process.stderr is not None:
                process.stderr.close()
    assert fake.calls_to("response_url") == []
