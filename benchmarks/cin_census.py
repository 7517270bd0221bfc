"""Benchmark: importing a CIN census return of N children (default 50,000) end to end.

Generates a synthetic return (hearth.interop.synthetic: LA child IDs SYN000001…, one to three
episodes a child with assessments, CIN plans, section 47 enquiries and CP plans), then runs
`hearth import cin-census FILE --json` as its own process, exactly as a user would: the check,
matching, writing and provenance. It runs twice: the first import creates every child, the
second finds every record already there (the idempotent path) and changes nothing. Reports the
seconds of each and the peak resident memory of the import process. Results go to
benchmarks/results/cin_census-<database>-<children>.json and .md.

    .venv/bin/python benchmarks/cin_census.py --database-url postgres://postgres@127.0.0.1:5432/hearth_interop_ci --reset
    .venv/bin/python benchmarks/cin_census.py --small        # seconds; what CI runs
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from child_page import REPO, machine, setup_django, write_results

TARGETS = {"import_seconds": 60.0, "children": 50_000}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url")
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--reset", action="store_true", help="Empty the database first (`hearth flush`)"
    )
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args(argv)
    if args.small:
        args.children = 300
        if not args.database_url:
            args.database_url = (
                f"sqlite:///{tempfile.mkdtemp(prefix='hearth-census-')}/bench.sqlite3"
            )
    if not args.database_url:
        parser.error("give --database-url, or use --small")
    return args


def import_once(path: Path, env: dict[str, str]) -> tuple[float, dict[str, Any], float]:
    """Seconds, the command's JSON summary, and the peak resident memory of its process (MB)."""
    hearth = Path(sys.executable).with_name("hearth")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 - our own command, on a file we wrote
        [str(hearth), "import", "cin-census", str(path), "--json", "--report", os.devnull],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"the import failed:\n{completed.stderr[-3000:]}")
    # RUSAGE_CHILDREN holds the largest child so far: each import is measured on its own only
    # while it is the largest, which the first (creating) import always is.
    peak_kb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return seconds, json.loads(completed.stdout), peak_kb / 1024


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from hearth.episodes.models import Episode
    from hearth.interop.census import SOURCE_SYSTEM
    from hearth.interop.synthetic import write_synthetic_census

    call_command("migrate", verbosity=0)
    if args.reset:
        call_command("flush", interactive=False, verbosity=0)
    if Episode.objects.filter(source_system=SOURCE_SYSTEM).exists():
        raise SystemExit("The database already holds census records: use --reset (it empties it).")
    workdir = Path(tempfile.mkdtemp(prefix="hearth-census-file-"))
    path = workdir / f"cin-census-{args.children}.xml"
    started = time.perf_counter()
    write_synthetic_census(path, args.children, seed=args.seed)
    generated = time.perf_counter() - started
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "HEARTH_ENV": os.environ.get("HEARTH_ENV", "test"),
        "IMPORT_DIR": str(workdir),
    }
    first_s, first, first_mb = import_once(path, env)
    second_s, second, _ = import_once(path, env)
    counts = first["counts"]
    assert counts["children_loaded"] == args.children, counts
    assert second["counts"]["episodes_created"] == 0, second["counts"]
    result = {
        "benchmark": "cin_census",
        "database": connection.vendor,
        "children": args.children,
        "episodes": counts["episodes_created"],
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "generate_seconds": round(generated, 1),
        "import_seconds": round(first_s, 1),
        "children_per_second": round(args.children / first_s),
        "reimport_seconds": round(second_s, 1),
        "reimport_unchanged_episodes": second["counts"]["episodes_unchanged"],
        "peak_memory_mb": round(first_mb),
        "targets": TARGETS,
        "machine": machine(connection),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    path.unlink()
    return result


def markdown(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"CIN census import, {result['database']}, {result['children']:,} children "
            f"({result['episodes']:,} episodes, {result['file_mb']} MB of XML)",
            "",
            "| | seconds | |",
            "| --- | ---: | --- |",
            f"| first import (every child new) | {result['import_seconds']} | "
            f"{result['children_per_second']:,} children/s; peak memory {result['peak_memory_mb']} MB |",
            f"| the same file again (nothing new) | {result['reimport_seconds']} | "
            f"{result['reimport_unchanged_episodes']:,} episodes found unchanged |",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    result = run(args)
    args.output.mkdir(parents=True, exist_ok=True)
    name = f"cin_census-{result['database']}-{result['children']}"
    write_results(args.output / name, result, markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
