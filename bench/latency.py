"""What the HTTP latency benchmarks (bench.log_latency, bench.day_latency) share: the figures
line of a measure, the temporary SQLite database, and the command line that runs a benchmark
on SQLite and, when a URL is given, PostgreSQL. Not a benchmark itself."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from tests.databases import private_schema

# run(name, opener, leads=…, requests=…) → the lines to print for that database.
Run = Callable[..., list[str]]
Opener = Callable[[], AbstractContextManager[str]]


def summary(name: str, samples: list[float]) -> str:
    """One line: the count, median, p95, p99 and max of `samples` (seconds), in ms."""
    ms = sorted(s * 1000 for s in samples)
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return (
        f"  {name:<42} n={len(ms):4d}  median {statistics.median(ms):6.1f} ms"
        f"  p95 {cuts[94]:6.1f} ms  p99 {cuts[98]:6.1f} ms  max {ms[-1]:6.1f} ms"
    )


@contextmanager
def sqlite_url() -> Iterator[str]:
    """A SQLite file in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="isops-bench-") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


def main(doc: str | None, run: Run, *, seed: int, argv: list[str] | None = None) -> int:
    """The benchmark's command line (described by the first line of `doc`): `run` on SQLite,
    then on PostgreSQL when --postgres or ISOPS_TEST_DATABASE_URL names one; `seed` is the
    data set's, printed for the record."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per measure")
    parser.add_argument("--postgres", default=os.environ.get("ISOPS_TEST_DATABASE_URL"))
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args(argv)
    if args.requests < 200:
        parser.error("use at least 200 requests per measure")
    targets: list[tuple[str, Opener]] = [("SQLite", sqlite_url)]
    if args.postgres and not args.sqlite_only:
        targets.append(("PostgreSQL", lambda: private_schema(args.postgres, prefix="isops_bench")))
    else:
        print("PostgreSQL skipped (pass --postgres URL or set ISOPS_TEST_DATABASE_URL)")
    print(f"cpus={os.cpu_count()} python={sys.version.split()[0]} seed={seed}")
    for name, opener in targets:
        for line in run(name, opener, leads=args.leads, requests=args.requests):
            print(line, flush=True)
    return 0
