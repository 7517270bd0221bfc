"""Benchmark: the partnership's neglect dataset computed from the records.

Times (1) the whole dataset for one quarter with its two comparison periods (the previous quarter
and the same quarter a year earlier), (2) the same with the 8-quarter trend the dataset page and
the workbook show, and (3) the Excel workbook built from it, each repeated and reported as the
median and worst run, with the SQL time and query count. Results go to
benchmarks/results/dataset-<database>-<people>.json and .md.

    .venv/bin/python benchmarks/dataset.py --database-url postgres://postgres@127.0.0.1:5432/hearth_bench
    .venv/bin/python benchmarks/dataset.py --small        # seconds; what CI runs
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from child_page import REPO, QueryTimer, ensure_data, machine, setup_django, write_results

TARGETS = {"quarter_seconds": 5.0, "trend_seconds": 20.0}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=0)
    parser.add_argument(
        "--quarter", help="default: the last complete quarter before the data's end"
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)
    if args.small:
        args.people, args.repeats = 3000, 2
        if not args.database_url:
            args.database_url = f"sqlite:///{tempfile.mkdtemp(prefix='hearth-ds-')}/bench.sqlite3"
    if not args.database_url:
        parser.error("give --database-url, or use --small")
    args.entries = args.entries or args.people * 10
    return args


def timed(fn: Any, repeats: int) -> tuple[dict[str, float], Any]:
    from django.db import connection

    runs, sql, queries, result = [], [], [], None
    for _ in range(repeats):
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            start = time.perf_counter()
            result = fn()
            runs.append(time.perf_counter() - start)
        sql.append(timer.seconds)
        queries.append(timer.count)
    return {
        "median_s": round(statistics.median(runs), 3),
        "max_s": round(max(runs), 3),
        "min_s": round(min(runs), 3),
        "sql_median_s": round(statistics.median(sql), 3),
        "queries": queries[-1],
    }, result


def run(args: argparse.Namespace) -> dict[str, Any]:
    setup_django(args.database_url)
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from hearth.chronology.models import ChronologyEntry
    from hearth.episodes.models import Episode
    from hearth.lib.periods import Quarter
    from hearth.partnership import dataset as datasets
    from hearth.partnership import exports
    from hearth.partnership.reference import load_reference_data
    from hearth.people.models import Person

    ensure_data(args)
    load_reference_data()
    last = Episode.objects.aggregate(last=Max("start_date"))["last"] or timezone.localdate()
    quarter = Quarter.parse(args.quarter) if args.quarter else Quarter.last_complete(last)
    datasets.compute(quarter, trend=False)  # warm the caches once, as a page view after another
    quarter_t, data = timed(lambda: datasets.compute(quarter, trend=False), args.repeats)
    trend_t, trend = timed(lambda: datasets.compute(quarter), args.repeats)
    xlsx_t, workbook = timed(lambda: exports.to_xlsx(trend), args.repeats)
    result = {
        "machine": machine(connection),
        "dataset": {
            "people": Person.objects.count(),
            "entries": ChronologyEntry.objects.count(),
            "episodes": Episode.objects.count(),
        },
        "quarter": quarter.code,
        "indicators": len(data.rows),
        "repeats": args.repeats,
        "quarter_with_comparisons": quarter_t,
        "eight_quarter_trend": trend_t,
        "workbook": xlsx_t | {"bytes": len(workbook)},
        "targets": TARGETS,
        "headline": {
            r.indicator.code: [
                r.current.figure.value,
                r.current.figure.numerator,
                r.current.figure.denominator,
            ]
            for r in data.rows
        },
    }
    return result


def markdown(result: dict[str, Any]) -> str:
    d, m = result["dataset"], result["machine"]
    lines = [
        f"# Dataset benchmark: {d['people']:,} people, {d['entries']:,} entries, "
        f"{d['episodes']:,} episodes ({m['database']})",
        "",
        f"{m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB; quarter {result['quarter']}, "
        f"{result['indicators']} indicators, {result['repeats']} runs each.",
        "",
        "| | median | worst | SQL (median) | queries | target |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, label, target in (
        ("quarter_with_comparisons", "one quarter, with its two comparisons", "5 s"),
        ("eight_quarter_trend", "the 8-quarter trend", "20 s"),
        ("workbook", "the Excel workbook from it", ""),
    ):
        t = result[key]
        lines.append(
            f"| {label} | {t['median_s']:.2f} s | {t['max_s']:.2f} s | {t['sql_median_s']:.2f} s "
            f"| {t['queries']} | {target} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args)
    args.output.mkdir(parents=True, exist_ok=True)
    vendor = "postgresql" if "PostgreSQL" in result["machine"]["database"] else "sqlite"
    name = (
        f"dataset-{vendor}-{result['dataset']['people']}{('-' + args.label) if args.label else ''}"
    )
    write_results(args.output / name, result, markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
