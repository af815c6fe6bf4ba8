"""CSV import at scale: 10,000 and 100,000 leads, time and peak memory, SQLite and PostgreSQL.

    python -m bench.import_leads                         # SQLite (+ PostgreSQL if configured)
    python -m bench.import_leads --postgres URL          # PostgreSQL at URL too
    python -m bench.import_leads --rows 10000,100000,200000 --sqlite-only
    python -m bench.import_leads --rows 10000,100000 --tracemalloc  # + Python allocation peak

ISOPS_TEST_DATABASE_URL is used for PostgreSQL when --postgres is not given; each run gets a
private schema, dropped afterwards. The file is generated from a fixed seed as a Japanese CRM
export would be: Shift_JIS (CP932), Japanese headers, owners by e-mail, quoted multi-line memos.

Every measure runs in a fresh child process on a fresh database, so figures do not mix:
  * import: the real `isops.csvio.import_leads` (check pass, then the write pass in one
    transaction), wall and CPU seconds, and the process's peak RSS (`resource.getrusage`);
  * re-import of the same file (every row matched, nothing changed);
  * with --tracemalloc, the import again under `tracemalloc`, for the peak of Python
    allocations — several times slower, so timed separately, not as the import's time.
Target: under 60 s for 100,000 rows, and memory that does not grow with the file (the figures
for 10,000 and 100,000 rows should be about the same). Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from isops.csvio import ImportPolicy, import_leads
from isops.db import make_engine
from isops.enums import Role
from isops.migrate import upgrade
from isops.models import Lead
from isops.services.members import add_member
from isops.unit_of_work import make_uow_factory
from tests.databases import private_schema

SEED = 20261127
REPS = 10
HEADER = [
    "外部ID", "会社名", "氏名", "役職", "業種", "メール", "電話", "流入元",
    "流入日時", "担当者", "ステータス", "優先度", "次回活動予定日", "メモ",
]  # fmt: skip
INDUSTRIES = ("製造", "小売", "金融", "IT", "医療", "物流", "不動産")
SOURCES = ("資料請求", "問い合わせ", "セミナー", "展示会", "紹介")
STATUSES = ("未対応", "未接続", "接続済", "商談化")


def write_csv(path: Path, rows: int) -> None:
    """A CRM-like export in CP932 (fixed seed, so every run imports the same file)."""
    rng = random.Random(SEED)
    with path.open("w", encoding="cp932", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            status = rng.choice(STATUSES)
            priority = rng.choice(("注力", "非注力", ""))
            memo = "" if rng.random() < 0.3 else f"{i}件目: 資料送付済み。\n来月、予算の件で再連絡"
            writer.writerow(
                [
                    f"CRM-{i:08d}",
                    f"株式会社サンプル{i}",
                    f"山田 太郎{i % 997}",
                    rng.choice(("部長", "課長", "担当", "")),
                    rng.choice(INDUSTRIES),
                    f"contact{i}@example{i % 50}.co.jp",
                    f"03-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}",
                    rng.choice(SOURCES),
                    f"2026/{rng.randrange(1, 12)}/{rng.randrange(1, 28)} {rng.randrange(9, 19)}:{rng.randrange(60):02d}",
                    f"rep{i % REPS}@example.com",
                    status,
                    priority,
                    "2026/12/15" if priority == "注力" else "",
                    memo,
                ]
            )


# -- child: one measure in a fresh process -----------------------------------------------------


def _child(url: str, path: Path, trace: bool) -> dict[str, Any]:
    engine = make_engine(url)
    uow_factory = make_uow_factory(engine)
    policy = ImportPolicy(tz=ZoneInfo("Asia/Tokyo"), inbound_sources=("資料請求", "問い合わせ"))
    out: dict[str, Any] = {}
    if trace:
        tracemalloc.start()
    for label in ("import", "reimport"):
        wall, cpu = time.perf_counter(), time.process_time()
        with path.open("rb") as stream:
            result = import_leads(uow_factory, stream=stream, policy=policy)
        out[label] = {
            "seconds": time.perf_counter() - wall,
            "cpu_seconds": time.process_time() - cpu,
            "summary": result.summary(),
            "errors": [str(e) for e in result.errors[:3]],
        }
        if trace:
            out[label]["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.reset_peak()
            break
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with uow_factory() as uow:
        out["leads"] = uow.session.scalar(select(func.count()).select_from(Lead))
    engine.dispose()
    return out


# -- parent: databases, files, table ------------------------------------------------------------


def _prepare(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    factory = make_uow_factory(engine)
    for n in range(REPS):
        add_member(
            factory(),
            slack_user_id=f"U{n:04d}",
            name=f"担当{n}",
            role=Role.REP,
            email=f"rep{n}@example.com",
        )
    engine.dispose()


@contextmanager
def _database(kind: str, base: str | None, workdir: Path) -> Iterator[str]:
    """A fresh database with the reps: a SQLite file, or a private PostgreSQL schema; both
    removed afterwards."""
    if kind == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        try:
            _prepare(f"sqlite:///{path}")
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    assert base is not None
    with private_schema(base, prefix="isops_bench") as url:
        _prepare(url)
        yield url


def _measure(kind: str, base: str | None, workdir: Path, path: Path, trace: bool) -> dict[str, Any]:
    with _database(kind, base, workdir) as url:
        command = [sys.executable, "-m", "bench.import_leads", "--child", url, str(path)]
        if trace:
            command.append("--trace")
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", default="10000,100000", help="comma-separated sizes")
    parser.add_argument("--postgres", default=os.environ.get("ISOPS_TEST_DATABASE_URL"))
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also import under tracemalloc for the peak of Python allocations (several times slower)",
    )
    parser.add_argument("--dir", type=Path, default=None, help="where files go (default: temp)")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child[0], Path(args.child[1]), args.trace)))
        return 0

    kinds = ["sqlite"] + ([] if args.sqlite_only or not args.postgres else ["postgresql"])
    if "postgresql" not in kinds and not args.sqlite_only:
        print("PostgreSQL skipped: pass --postgres URL or set ISOPS_TEST_DATABASE_URL")
    sizes = [int(s) for s in args.rows.split(",") if s.strip()]
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        workdir = Path(tmp)
        rows_out = []
        for size in sizes:
            path = workdir / f"leads-{size}.csv"
            write_csv(path, size)
            megabytes = path.stat().st_size / 2**20
            for kind in kinds:
                timed = _measure(kind, args.postgres, workdir, path, trace=False)
                traced = (
                    None
                    if not args.tracemalloc
                    else _measure(kind, args.postgres, workdir, path, trace=True)
                )
                for label in ("import", "reimport"):
                    errors = timed[label]["errors"]
                    if errors:
                        raise SystemExit(f"import failed: {errors}")
                if timed["leads"] != size:
                    raise SystemExit(f"expected {size} leads, found {timed['leads']}")
                rows_out.append((size, megabytes, kind, timed, traced))
                print(
                    f"{kind:10s} {size:>7,} rows ({megabytes:5.1f} MB CP932): "
                    f"import {timed['import']['seconds']:6.1f} s "
                    f"(cpu {timed['import']['cpu_seconds']:5.1f} s), "
                    f"re-import {timed['reimport']['seconds']:6.1f} s, "
                    f"max RSS {timed['max_rss_mb']:6.1f} MB"
                    + (
                        f", tracemalloc peak {traced['import']['tracemalloc_peak_mb']:5.1f} MB"
                        f" (traced run {traced['import']['seconds']:.1f} s)"
                        if traced
                        else ""
                    ),
                    flush=True,
                )
                print(f"{'':10s} {timed['import']['summary']} / {timed['reimport']['summary']}")
    slowest = max(r[3]["import"]["seconds"] for r in rows_out)
    print(f"slowest import: {slowest:.1f} s (target < 60 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
