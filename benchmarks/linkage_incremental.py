"""Benchmark: matching one incoming record against an index of N people (default 1,000,000).

On an empty, migrated database it loads N synthetic source records (`hearth.linkage.synthetic`,
seed 2), each linked to a person of its own, with COPY on PostgreSQL; trains the model on a
sample of them (as `hearth link train` would) and stores it as the active model; then sends
R held-out records (default 1,000) — more records of the same synthetic people, never loaded —
through the matcher, one at a time, as an import or the partner API does:

- `judge`: the matching itself — candidates fetched by the indexed blocking keys from the
  application database, scored by Splink, decided (link / review / new);
- `receive`: the whole path, writing the source record, its link, and a new person or a review
  item when needed, each inside a transaction that is rolled back so the index stays the same.

Reports p50/p95/p99 of each and the candidates scored per record. Results go to
benchmarks/results/linkage_incremental-<database>-<people>.json and .md.

    createdb -h 127.0.0.1 -U postgres hearth_linkage_bench
    .venv/bin/python benchmarks/linkage_incremental.py \\
        --database-url postgres://postgres@127.0.0.1:5432/hearth_linkage_bench
    .venv/bin/python benchmarks/linkage_incremental.py --small      # seconds; what CI runs
"""

import argparse
import json
import logging
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from child_page import REPO, machine, percentiles, setup_django, write_results

TARGETS = {"p95_ms": 200, "people": 1_000_000}
SYSTEM_PREFIX = "bench"
CHUNK = 50_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=1_000, help="incoming records to match")
    parser.add_argument("--train-sample", type=int, default=100_000)
    parser.add_argument("--small", action="store_true", help="3,000 people, 100 records")
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args(argv)
    if args.small:
        args.people, args.records, args.train_sample = 3_000, 100, 3_000
        if not args.database_url:
            args.database_url = (
                f"sqlite:///{tempfile.mkdtemp(prefix='hearth-bench-')}/bench.sqlite3"
            )
    if not args.database_url:
        parser.error("give --database-url, or use --small")
    return args


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def load_index(table: Any) -> int:
    """People and their source records, in chunks, COPY on PostgreSQL."""
    from django.db import connection, transaction
    from django.utils import timezone

    from hearth.interop import bulk
    from hearth.lib.identifiers import is_valid_nhs_number, normalise_postcode
    from hearth.lib.names import fold
    from hearth.linkage.models import SourceRecord
    from hearth.people.models import Person

    now = timezone.now()
    # COPY takes JSON as text; the SQLite path builds model instances, which take Python values.
    copy = connection.vendor == "postgresql"

    def js(value: Any) -> Any:
        return json.dumps(value) if copy else value

    person_columns = (
        "kind",
        "given_name",
        "middle_names",
        "family_name",
        "date_of_birth",
        "date_of_birth_precision",
        "sex",
        "gender_current",
        "ethnicity",
        "disabilities",
        "nhs_number",
        "upn",
        "former_upn",
        "upn_unknown_reason",
        "created_at",
    )
    record_columns = (
        "source_system",
        "source_reference",
        "channel",
        "received_at",
        "given_name",
        "middle_names",
        "family_name",
        "previous_family_names",
        "date_of_birth",
        "sex",
        "postcode",
        "address",
        "nhs_number",
        "upn",
        "raw",
        "history",
        "given_key",
        "family_key",
        "person_id",
    )
    loaded = 0
    rows = table.to_pylist()
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        with transaction.atomic():
            people = bulk.insert_rows(
                Person,
                person_columns,
                [
                    (
                        "child",
                        r["given_name"] or "Not known",
                        r["middle_names"] or "",
                        r["family_name"] or "Not known",
                        r["date_of_birth"],
                        "exact",
                        r["sex"] if r["sex"] in ("M", "F") else "U",
                        "",
                        "NOBT",
                        js([]),
                        r["nhs_number"] if is_valid_nhs_number(r["nhs_number"] or "") else "",
                        "",
                        "",
                        "",
                        now,
                    )
                    for r in chunk
                ],
            )
            bulk.insert_rows(
                SourceRecord,
                record_columns,
                [
                    (
                        f"{SYSTEM_PREFIX}-{r['source_system']}",
                        str(r["unique_id"]),
                        "import",
                        now,
                        r["given_name"] or "",
                        r["middle_names"] or "",
                        r["family_name"] or "",
                        js(list(r["previous_family_names"] or [])),
                        r["date_of_birth"],
                        r["sex"] or "",
                        normalise_postcode(r["postcode"] or ""),
                        r["address"] or "",
                        r["nhs_number"] or "",
                        r["upn"] or "",
                        js({}),
                        js([]),
                        fold(r["given_name"] or ""),
                        fold(r["family_name"] or ""),
                        pid,
                    )
                    for r, pid in zip(chunk, people, strict=True)
                ],
            )
        loaded += len(chunk)
    return loaded


def _incoming(r: dict[str, Any]) -> Any:
    from hearth.linkage.index import Incoming

    return Incoming(
        source_system=f"{SYSTEM_PREFIX}-incoming-{r['source_system']}",
        source_reference=str(r["unique_id"]),
        channel="api",
        given_name=r["given_name"] or "",
        middle_names=r["middle_names"] or "",
        family_name=r["family_name"] or "",
        previous_family_names=list(r["previous_family_names"] or []),
        date_of_birth=_date(r["date_of_birth"]),
        sex=r["sex"] or "",
        postcode=r["postcode"] or "",
        address=r["address"] or "",
        nhs_number=r["nhs_number"] or "",
        upn=r["upn"] or "",
    )


class _Rollback(Exception):
    pass


def run(args: argparse.Namespace) -> dict[str, Any]:
    setup_django(args.database_url)
    logging.getLogger("splink").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from hearth.linkage import model as splink_model
    from hearth.linkage import synthetic
    from hearth.linkage.index import active_model, candidates, judge, receive
    from hearth.linkage.models import LinkageModel, SourceRecord

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    table = synthetic.generate(args.people + args.records * 3, seed=2)
    # Held out: the last records of people whose other records are in the index.
    clusters = table["cluster"].to_pylist()
    first_of: dict[int, int] = {}
    for i, c in enumerate(clusters):
        first_of.setdefault(c, i)
    index_rows, held_out = [], []
    for i, c in enumerate(clusters):
        if len(held_out) < args.records and first_of[c] != i and first_of[c] < args.people:
            held_out.append(i)
        else:
            index_rows.append(i)
    index_table = table.take(index_rows[: args.people]).drop_columns(["cluster"])
    incoming_rows = table.take(held_out).drop_columns(["cluster"]).to_pylist()
    generate_s = time.perf_counter() - started

    timings: dict[str, float] = {"generate_s": round(generate_s, 1)}
    if not SourceRecord.objects.exists():
        started = time.perf_counter()
        load_index(index_table)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE linkage_sourcerecord")
                cursor.execute("VACUUM ANALYZE people_person")
        timings["load_s"] = round(time.perf_counter() - started, 1)
    model = active_model()
    if model is None:
        started = time.perf_counter()
        sample = index_table.slice(0, args.train_sample)
        trained = splink_model.train(sample)
        timings["train_s"] = round(time.perf_counter() - started, 1)
        model = LinkageModel.objects.create(
            version=1,
            splink_settings=trained,
            upper_threshold=splink_model.DEFAULT_UPPER,
            lower_threshold=splink_model.DEFAULT_LOWER,
            trained_at=timezone.now(),
            trained_by="benchmark",
            records_trained_on=sample.num_rows,
            active=True,
        )
    # Warm the scorer (compiling the model's SQL once per process, ~0.1 s).
    judge(_incoming(incoming_rows[0]), model)
    judge_ms, receive_ms, pool = [], [], []
    outcomes: dict[str, int] = {}
    for r in incoming_rows:
        incoming = _incoming(r)
        t = time.perf_counter()
        verdict = judge(incoming, model)
        judge_ms.append((time.perf_counter() - t) * 1000)
        pool.append(len(candidates(incoming)))
        t = time.perf_counter()
        try:
            with transaction.atomic():
                got = receive(incoming, by=None, model=model)
                outcomes[got.outcome] = outcomes.get(got.outcome, 0) + 1
                raise _Rollback
        except _Rollback:
            pass
        receive_ms.append((time.perf_counter() - t) * 1000)
        outcomes[f"judged_{verdict.outcome if verdict else 'new'}"] = (
            outcomes.get(f"judged_{verdict.outcome if verdict else 'new'}", 0) + 1
        )
    people = SourceRecord.objects.count()
    return {
        "benchmark": "linkage_incremental",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(connection),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "people": people,
        "incoming_records": len(incoming_rows),
        "model_trained_on": model.records_trained_on,
        "judge_ms": percentiles(judge_ms),
        "receive_ms": percentiles(receive_ms),
        "candidates_per_record": percentiles([float(p) for p in pool]),
        "outcomes": outcomes,
        "timings": timings,
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "targets": TARGETS,
    }


def markdown(result: dict[str, Any]) -> str:
    j, r, c = result["judge_ms"], result["receive_ms"], result["candidates_per_record"]
    return (
        f"# Incremental matching: one record against {result['people']:,} people\n\n"
        f"{result['machine']['database']}, {result['machine']['cpu']}, "
        f"{result['machine']['cores']} cores; load average {result['load_average']}; "
        f"{result['incoming_records']} incoming records; model trained on "
        f"{result['model_trained_on']:,} records.\n\n"
        "| path | p50 ms | p95 ms | p99 ms | max ms |\n| --- | --- | --- | --- | --- |\n"
        f"| match (`judge`: candidates, Splink score, decision) | {j['p50']} | **{j['p95']}** "
        f"| {j['p99']} | {j['max']} |\n"
        f"| receive (the whole write, rolled back) | {r['p50']} | **{r['p95']}** | {r['p99']} "
        f"| {r['max']} |\n\n"
        f"Candidates scored per record: p50 {c['p50']}, p95 {c['p95']}, max {c['max']}. "
        f"Outcomes: {result['outcomes']}. Target: p95 ≤ {TARGETS['p95_ms']} ms at "
        f"{TARGETS['people']:,} people. Timings: {result['timings']}; peak memory "
        f"{result['peak_memory_mb']} MB.\n"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args)
    args.output.mkdir(parents=True, exist_ok=True)
    vendor = "postgresql" if "PostgreSQL" in result["machine"]["database"] else "sqlite"
    write_results(
        args.output / f"linkage_incremental-{vendor}-{result['people']}", result, markdown(result)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
