"""`isops serve`: run the bot (Socket Mode or HTTP) with its scheduler."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from bot.cli import common
from isops.settings import Settings

log = logging.getLogger("isops")


def _cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.runtime import build_runtime
    from bot.server import HttpServer
    from isops.migrate import upgrade

    socket_mode = settings.slack_app_token is not None and not args.http
    runtime = build_runtime(settings, socket_mode=socket_mode)
    if not args.no_migrate:
        upgrade(settings.database_url)
    # SIGTERM ends the serving loop the way Ctrl-C does; cleanup below then runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    runtime.start()
    try:
        if socket_mode:
            log.info("Socket Mode で接続します")
            runtime.connect_socket_mode()
        # The HTTP server runs in both modes: in Socket Mode it still serves /healthz and
        # the webhooks (Slack's own traffic then arrives over the socket instead).
        server = HttpServer(runtime.wsgi_app(), host=args.host, port=args.port)
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        log.info("停止します")
        runtime.stop()
    return 0


def add_parsers(sub: common.Subparsers) -> None:
    """`isops serve [--http] [--host H] [--port N] [--no-migrate]`."""
    serve = sub.add_parser(
        "serve",
        help="bot を起動する (SLACK_APP_TOKEN があれば Socket Mode、なければ HTTP)。"
        "どちらでも /healthz と webhook は HTTP で待ち受ける",
    )
    serve.add_argument(
        "--http", action="store_true", help="SLACK_APP_TOKEN があっても HTTP で待ち受ける"
    )
    serve.add_argument("--host", default="0.0.0.0", help="HTTP の待ち受けアドレス (既定: 0.0.0.0)")
    serve.add_argument("--port", type=int, default=3000, help="HTTP のポート (既定: 3000)")
    serve.add_argument("--no-migrate", action="store_true", help="起動時にスキーマを更新しない")
    serve.set_defaults(handler=_cmd_serve)
