"""Benchmark: the child's page on a generated partnership.

Times, for N random children (seeded), (a) `build_child_page(user, child)`: wall time and the
summed time of its SQL queries, and (b) a whole GET of /people/<id>/ through Django's test client.
Writes JSON and a Markdown table to benchmarks/results/.

    .venv/bin/python benchmarks/child_page.py --database-url postgres://postgres@127.0.0.1:5432/hearth_bench
    .venv/bin/python benchmarks/child_page.py --small          # seconds; what CI runs

An empty database is migrated and filled with `hearth generate` first (--people, --entries).
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TARGETS_MS = {"data_sql_p95": 20.0, "page_p95": 150.0}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", help="Default: $DATABASE_URL, or a temporary SQLite file with --small."
    )
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument(
        "--people", type=int, default=100_000, help="Generated if the database is empty."
    )
    parser.add_argument(
        "--entries", type=int, help="Generated if the database is empty (default 10 per person)."
    )
    parser.add_argument("--seed", type=int, default=7, help="Chooses the children.")
    parser.add_argument("--warm-up", type=int, default=20)
    parser.add_argument(
        "--prewarm",
        action="store_true",
        help="Open every sampled page once, untimed, first (a warm cache).",
    )
    parser.add_argument(
        "--small", action="store_true", help="2,000 people, 50 children: a smoke test."
    )
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--label", default="", help="Added to the result file name.")
    args = parser.parse_args(argv)
    if args.small:
        args.people, args.children, args.warm_up = 2_000, 50, 5
        if not args.database_url:
            args.database_url = (
                f"sqlite:///{tempfile.mkdtemp(prefix='hearth-bench-')}/bench.sqlite3"
            )
    args.database_url = args.database_url or os.environ.get("DATABASE_URL")
    if not args.database_url:
        parser.error("give --database-url (or set DATABASE_URL), or use --small")
    args.entries = args.entries or args.people * 10
    return args


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("HEARTH_ENV", "test")
    os.environ["HEARTH_REQUIRE_MFA"] = "false"  # the benchmark signs in with force_login
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {
        "p50": round(pick(0.50), 2),
        "p95": round(pick(0.95), 2),
        "p99": round(pick(0.99), 2),
        "mean": round(statistics.fmean(ordered), 2),
        "max": round(ordered[-1], 2),
    }


def machine(connection: Any) -> dict[str, Any]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(
            next(
                x
                for x in Path("/proc/meminfo").read_text().splitlines()
                if x.startswith("MemTotal")
            ).split()[1]
        )
    except (OSError, StopIteration):
        mem_kb = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db = f"PostgreSQL {cursor.fetchone()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            db = f"SQLite {cursor.fetchone()[0]}"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "database": db,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


class QueryTimer:
    """`connection.execute_wrapper` hook summing the time spent in SQL."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


def ensure_data(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from hearth.people.models import Person

    call_command("migrate", verbosity=0)
    if not Person.objects.exists():
        print(
            f"Empty database: generating {args.people:,} people, {args.entries:,} entries...",
            flush=True,
        )
        call_command(
            "generate",
            people=args.people,
            entries=args.entries,
            demo_users=False,
            demo_families=False,
        )


def run(args: argparse.Namespace) -> dict[str, Any]:
    setup_django(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from hearth.access.models import Involvement
    from hearth.accounts.models import Role, User
    from hearth.agencies.models import Agency
    from hearth.chronology.models import ChronologyEntry
    from hearth.people.child_page import build_child_page
    from hearth.people.models import Person, PersonKind

    ensure_data(args)
    today = timezone.localdate()
    child_ids = list(
        Person.objects.filter(kind=PersonKind.CHILD, date_of_birth__lte=today)
        .order_by("id")
        .values_list("id", flat=True)
    )
    rng = random.Random(args.seed)
    sample = rng.sample(child_ids, min(len(child_ids), args.children + args.warm_up))
    warm, measured = sample[: args.warm_up], sample[args.warm_up :]

    # A practitioner with an involvement with each sampled child, as the allocated worker would have.
    agency = Agency.objects.get(agency_type="csc")
    user, _ = User.objects.get_or_create(
        username="benchmark",
        defaults={"agency": agency, "role": Role.PRACTITIONER, "first_name": "Bench"},
    )
    Involvement.objects.filter(source_system="benchmark").delete()
    Involvement.objects.bulk_create(
        Involvement(
            person_id=pid,
            agency=agency,
            practitioner=user,
            start_date=today,
            source_system="benchmark",
        )
        for pid in sample
    )
    client = Client()
    client.force_login(user)
    timer = QueryTimer()
    data_wall: list[float] = []
    data_sql: list[float] = []
    queries: list[int] = []
    page_wall: list[float] = []
    chronology_sizes: list[int] = []
    try:
        phases = [("warm", warm), ("warm", measured)] if args.prewarm else [("warm", warm)]
        for phase, ids in [*phases, ("measure", measured)]:
            for pid in ids:
                child = Person.objects.get(pk=pid)
                timer.seconds, timer.count = 0.0, 0
                with connection.execute_wrapper(timer):
                    start = time.perf_counter()
                    page = build_child_page(user, child)
                    elapsed = time.perf_counter() - start
                start = time.perf_counter()
                response = client.get(f"/people/{pid}/")
                page_elapsed = time.perf_counter() - start
                if response.status_code != 200:
                    raise SystemExit(f"GET /people/{pid}/ returned {response.status_code}")
                if phase == "measure":
                    data_wall.append(elapsed * 1000)
                    data_sql.append(timer.seconds * 1000)
                    queries.append(timer.count)
                    page_wall.append(page_elapsed * 1000)
                    chronology_sizes.append(page.chronology.total)
    finally:
        Involvement.objects.filter(source_system="benchmark").delete()

    result = {
        "benchmark": "child_page",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(connection),
        "dataset": {
            "people": Person.objects.count(),
            "children": len(child_ids),
            "chronology_entries": ChronologyEntry.objects.count(),
        },
        "children_measured": len(measured),
        "seed": args.seed,
        "cache": "warm (every sampled page opened once first)"
        if args.prewarm
        else "cold (first visit to each page)",
        "data_sql_ms": percentiles(data_sql),
        "data_wall_ms": percentiles(data_wall),
        "page_ms": percentiles(page_wall),
        "queries_per_build": percentiles([float(q) for q in queries]),
        "family_chronology_entries": percentiles([float(n) for n in chronology_sizes]),
        "targets_ms": TARGETS_MS,
    }
    result["meets_targets"] = {
        "data_sql_p95": result["data_sql_ms"]["p95"] <= TARGETS_MS["data_sql_p95"],
        "page_p95": result["page_ms"]["p95"] <= TARGETS_MS["page_p95"],
    }
    return result


def markdown(result: dict[str, Any]) -> str:
    m, d = result["machine"], result["dataset"]
    lines = [
        f"**{m['database']}**, {d['people']:,} people, {d['chronology_entries']:,} chronology entries; "
        f"{result['children_measured']:,} random children (seed {result['seed']}), {result['cache']}. "
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM.",
        "",
        "| measure (ms) | p50 | p95 | p99 | max | target p95 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    rows = (
        ("data: SQL time of build_child_page", "data_sql_ms", TARGETS_MS["data_sql_p95"]),
        ("data: wall time of build_child_page", "data_wall_ms", None),
        ("whole page: GET /people/&lt;id&gt;/", "page_ms", TARGETS_MS["page_p95"]),
    )
    for label, key, target in rows:
        p = result[key]
        lines.append(
            f"| {label} | {p['p50']} | {p['p95']} | {p['p99']} | {p['max']} | {target or '—'} |"
        )
    q = result["queries_per_build"]
    lines.append(
        f"\nQueries per build: p50 {q['p50']:.0f}, max {q['max']:.0f}. "
        f"Entries in a family chronology: p50 {result['family_chronology_entries']['p50']:.0f}, "
        f"p99 {result['family_chronology_entries']['p99']:.0f}."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args)
    args.output.mkdir(parents=True, exist_ok=True)
    vendor = "postgresql" if "PostgreSQL" in result["machine"]["database"] else "sqlite"
    label = args.label or ("warm" if args.prewarm else "")
    name = f"child_page-{vendor}-{result['dataset']['people']}{('-' + label) if label else ''}"
    write_results(args.output / name, result, markdown(result))
    return 0


def write_results(path: Path, result: dict[str, Any], table: str) -> None:
    """PATH.json (the figures) and PATH.md (the table the docs quote), and the table on stdout."""
    Path(f"{path}.json").write_text(json.dumps(result, indent=2) + "\n")
    Path(f"{path}.md").write_text(table)
    print(table)
    print(f"Written {path}.json and .md")


if __name__ == "__main__":
    sys.exit(main())
