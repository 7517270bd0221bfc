"""Benchmark and alert burden: the alert rules on a generated partnership.

Measures (1) a full evaluation of every rule over every child (`hearth alerts evaluate`), (2) the
incremental evaluation that follows one saved entry (the family of one person: the work the
background evaluator does), over N random people, and (3) the alert burden: how many alerts per
100 children per month the rules would raise, by rule, over the last M months (a full evaluation
at each month end; an alert is "raised" in a month when its rule and child were not already firing
at the previous month end). Nothing is written to the alert tables. Results go to
benchmarks/results/alerts-<database>-<people>.json and .md.

    .venv/bin/python benchmarks/alerts.py --database-url postgres://postgres@127.0.0.1:5432/hearth_bench
    .venv/bin/python benchmarks/alerts.py --small        # seconds; what CI runs
"""

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from child_page import REPO, ensure_data, machine, percentiles, setup_django, write_results

TARGETS = {"incremental_p95_ms": 10.0, "full_seconds": 300.0}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=0)
    parser.add_argument("--samples", type=int, default=1000, help="People for the incremental test")
    parser.add_argument("--months", type=int, default=12, help="Months of alert burden")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--skip-full",
        action="store_true",
        help="Skip the full evaluation (while iterating on the incremental one; use --months 0 too)",
    )
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)
    if args.small:
        args.people, args.samples, args.months = 3000, 50, 3
        if not args.database_url:
            import tempfile

            args.database_url = (
                f"sqlite:///{tempfile.mkdtemp(prefix='hearth-alerts-')}/bench.sqlite3"
            )
    if not args.database_url:
        parser.error("give --database-url, or use --small")
    args.entries = args.entries or args.people * 10
    # ensure_data (shared with the child's-page benchmark) reads these too.
    args.children = args.samples
    args.warm_up = 0
    return args


def month_ends(as_of: date, months: int) -> list[date]:
    ends = []
    first = as_of.replace(day=1)
    for _ in range(months + 1):
        ends.append(first - timedelta(days=1))
        first = (first - timedelta(days=1)).replace(day=1)
    return sorted(ends)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from hearth.alerts.engine import evaluate
    from hearth.alerts.registry import active_rules
    from hearth.chronology.models import ChronologyEntry
    from hearth.people.models import Person, PersonKind

    rules = {code: r.params for code, r in active_rules().items()}
    # The population's own "today": generated data stops at the generator's --as-of date.
    latest = ChronologyEntry.objects.aggregate(latest=Max("event_date"))["latest"]
    as_of = min(latest or timezone.localdate(), timezone.localdate())
    children = Person.objects.filter(kind=PersonKind.CHILD).count()

    full_by_rule: dict[str, float] = {}
    full_seconds: float | None = None
    per_rule_now: dict[str, int] = {}
    if not args.skip_full:
        started = time.perf_counter()
        full = evaluate(as_of, rules=rules, timings=full_by_rule)
        full_seconds = time.perf_counter() - started
        print(f"full evaluation: {full_seconds:.1f} s", file=sys.stderr)
        for f in full.findings:
            per_rule_now[f.rule] = per_rule_now.get(f.rule, 0) + 1

    rng = random.Random(args.seed)
    max_id = Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sample = [rng.randint(1, max_id) for _ in range(args.samples)]
    timings = []
    incremental_by_rule: dict[str, float] = {}
    for pid in sample:
        t0 = time.perf_counter()
        # What the background evaluator does after one saved entry about this person.
        evaluate(as_of, people=[pid], rules=rules, timings=incremental_by_rule)
        timings.append((time.perf_counter() - t0) * 1000)
    print(f"incremental: p95 {percentiles(timings)['p95']} ms", file=sys.stderr)

    # Two bounds on the burden. "Left open": an alert stays open while its rule keeps firing, so a
    # new one is raised only when a rule starts firing for a child. "Answered monthly": every
    # alert is closed within the month, and (as `raise_alerts` does) a closed alert comes back
    # only when the rule cites evidence the closed one did not.
    burden: dict[str, int] = {}
    answered: dict[str, int] = {}

    def firing(on: date) -> dict[tuple[str, int], set[tuple[str, int]]]:
        found = evaluate(on, rules=rules).findings
        return {(f.rule, f.child_id): {(e.kind, e.id) for e in f.evidence} for f in found}

    ends = month_ends(as_of, args.months) if args.months else []
    previous = firing(ends[0]) if ends else {}
    for end in ends[1:]:
        current = firing(end)
        for key, evidence in current.items():
            if key not in previous:
                burden[key[0]] = burden.get(key[0], 0) + 1
            if key not in previous or not evidence <= previous[key]:
                answered[key[0]] = answered.get(key[0], 0) + 1
        previous = current
        print(f"burden: month ending {end} done", file=sys.stderr)
    months = max(len(ends) - 1, 0)

    def per_100(counts: dict[str, int]) -> dict[str, float]:
        if not months:
            return {}
        return {rule: round(100 * n / children / months, 3) for rule, n in sorted(counts.items())}

    return {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(connection),
        "people": Person.objects.count(),
        "children": children,
        "as_of": as_of.isoformat(),
        "rules": {code: r.version.version for code, r in active_rules().items()},
        "full_evaluation_seconds": None if full_seconds is None else round(full_seconds, 2),
        "full_evaluation_seconds_by_rule": {k: round(v, 2) for k, v in full_by_rule.items()},
        "incremental_mean_ms_by_rule": {
            k: round(1000 * v / len(sample), 3) for k, v in incremental_by_rule.items()
        },
        "findings_now_by_rule": dict(sorted(per_rule_now.items())),
        "incremental_ms": percentiles(timings),
        "incremental_samples": len(timings),
        "burden_months": months,
        "burden_per_100_children_per_month": per_100(burden),
        "burden_total_per_100_children_per_month": round(sum(per_100(burden).values()), 3),
        "burden_answered_per_100_children_per_month": per_100(answered),
        "burden_answered_total_per_100_children_per_month": round(
            sum(per_100(answered).values()), 3
        ),
        "targets": TARGETS,
    }


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    inc = result["incremental_ms"]
    lines = [
        f"**{m['database']}**, {result['people']:,} people ({result['children']:,} children), "
        f"evaluated as of {result['as_of']}; "
        f"machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']} GiB RAM.",
        "",
        (
            f"- Full evaluation of every rule: **{result['full_evaluation_seconds']} s** "
            f"(target {TARGETS['full_seconds']:.0f} s at 1,000,000 people)."
            if result["full_evaluation_seconds"] is not None
            else "- Full evaluation: not run (--skip-full)."
        ),
        f"- Incremental evaluation after one saved entry ({result['incremental_samples']} random "
        f"people): p50 {inc['p50']} ms, **p95 {inc['p95']} ms**, p99 {inc['p99']} ms "
        f"(target p95 {TARGETS['incremental_p95_ms']:.0f} ms at 10,000,000 entries).",
        "",
        f"Alert burden over {result['burden_months']} months: new alerts per 100 children per "
        "month, if alerts are left open while their rule fires, and if every alert is answered "
        "and closed within the month (a closed alert returns only with new evidence).",
        "",
        "| rule | new, left open | new, answered monthly | children firing now "
        "| full evaluation s | incremental mean ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    full_s = result["full_evaluation_seconds_by_rule"]
    inc_ms = result["incremental_mean_ms_by_rule"]
    left = result["burden_per_100_children_per_month"]
    answered = result["burden_answered_per_100_children_per_month"]
    now = result["findings_now_by_rule"]
    for rule in sorted(result["rules"]):
        lines.append(
            f"| {rule} | {left.get(rule, 0)} | {answered.get(rule, 0)} | {now.get(rule, 0)} "
            f"| {full_s.get(rule, '')} | {inc_ms.get(rule, '')} |"
        )
    lines.append(
        f"| building the scope | | | | {full_s.get('scope', '')} | {inc_ms.get('scope', '')} |"
    )
    lines.append(
        f"| **all rules** | **{result['burden_total_per_100_children_per_month']}** "
        f"| **{result['burden_answered_total_per_100_children_per_month']}** "
        f"| {sum(now.values())} | {result['full_evaluation_seconds'] or ''} "
        f"| {inc['p50']} (p50) |"
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    ensure_data(args)
    from django.db import connection

    result = run(args)
    args.output.mkdir(parents=True, exist_ok=True)
    name = f"alerts-{connection.vendor}-{result['people']}{'-' + args.label if args.label else ''}"
    write_results(args.output / name, result, markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
