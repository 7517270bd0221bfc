"""Benchmark: importing an agency's chronology extract of N rows (default 1,000,000) end to end.

On an empty, migrated database it creates a benchmark agency, writes a synthetic people extract
(P people, default 100,000: synthetic names, NHS numbers in the 999 test range) and loads it with
`hearth import people`, then writes a chronology extract of N rows about those people and runs
`hearth import chronology FILE --agency bench-hv --json` as its own process, exactly as a data
officer would: reading, row validation, finding the people, the idempotency check against the
entries already there, COPY of the entries, subjects and versions, the alert queue and the
provenance. Then it runs the same file again (every row found unchanged), and an overlapping
file (a tenth of the rows, half of them changed: amendments with a version each; half new).
Reports rows/s and the peak resident memory of each import process. Results go to
benchmarks/results/chronology_import-<database>-<rows>.json and .md.

    createdb -h 127.0.0.1 -U postgres hearth_extracts_bench
    .venv/bin/python benchmarks/chronology_import.py \\
        --database-url postgres://postgres@127.0.0.1:5432/hearth_extracts_bench
    .venv/bin/python benchmarks/chronology_import.py --small      # seconds; what CI runs
"""

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from child_page import REPO, machine, setup_django, write_results

TARGETS = {"rows_per_second": 20_000, "peak_memory_mb": 500, "rows": 1_000_000}
AGENCY = "bench-hv"
WORDS = [
    "seen at home",
    "house cold and bare",
    "child in the same clothes as last visit",
    "no food in the fridge",
    "missed appointment",
    "mother tired, says she is coping",
    "nappy rash",
    "late to school again",
    "head lice untreated",
    "dental pain reported",
    "dog faeces on the floor",
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument(
        "--label", default="", help="Appended to the results' file name, e.g. -tuned"
    )
    args = parser.parse_args(argv)
    if args.small:
        args.rows, args.people = 3000, 300
        if not args.database_url:
            args.database_url = f"sqlite:///{tempfile.mkdtemp(prefix='hearth-chrono-')}/b.sqlite3"
    if not args.database_url:
        parser.error("give --database-url, or use --small")
    return args


def nhs_numbers() -> Any:
    from hearth.lib.identifiers import nhs_check_digit

    for i in range(1_000_000):
        first = f"999{i:06d}"
        check = nhs_check_digit(first)
        if check is not None:
            yield f"{first}{check}"


def write_people(path: Path, count: int, rng: random.Random) -> None:
    given = ["Amy", "Ben", "Chloe", "Dylan", "Ella", "Finn", "Grace", "Harry", "Isla", "Jack"]
    family = ["Archer", "Baker", "Cole", "Dixon", "Evans", "Fisher", "Green", "Hughes", "Khan"]
    numbers = nhs_numbers()
    with path.open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(
            ["person_reference", "given_name", "family_name", "date_of_birth", "sex", "nhs_number"]
        )
        for i in range(count):
            dob = date(2008, 1, 1) + timedelta(days=rng.randrange(6000))
            w.writerow(
                [
                    f"P{i:07d}",
                    rng.choice(given),
                    rng.choice(family),
                    dob.strftime("%d/%m/%Y"),
                    rng.choice("MFU"),
                    next(numbers),
                ]
            )


def write_chronology(
    path: Path, rows: range, people: int, codes: list[str], changed: int = 0
) -> None:
    """Row i is always the same record (E<i>, the same person and content) unless `changed`."""
    with path.open("w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(
            [
                "source_reference",
                "person_reference",
                "event_date",
                "event_type",
                "description",
                "impact_on_child",
            ]
        )
        start = date(2015, 1, 1)
        for i in rows:
            r = random.Random(i)  # the row's content depends only on its number
            day = start + timedelta(days=r.randrange(3500))
            text = f"{r.choice(WORDS).capitalize()} (visit {i})."
            if i < rows.start + changed:
                text += " Corrected by the health visitor."
            w.writerow(
                [
                    f"E{i:08d}",
                    f"P{r.randrange(people):07d}",
                    day.strftime("%d/%m/%Y") if i % 2 else day.isoformat(),
                    codes[r.randrange(len(codes))],
                    text,
                    r.choice(WORDS),
                ]
            )


class LoadWatch:
    """The machine's 1-minute load average while an import runs, sampled every second: the
    import itself accounts for about 2 (its process and PostgreSQL's); more means others'.
    Also the CPU seconds of the PostgreSQL backends serving `database` (from /proc, when the
    server runs on this machine): what the import costs the server, whatever else is running."""

    def __init__(self, database: str = "") -> None:
        self.samples: list[float] = []
        self.database = database
        self.backends: dict[int, list[float]] = {}  # pid -> [CPU s when first seen, latest]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def cpu_of_backends(self) -> None:
        if not self.database:
            return
        tick = os.sysconf("SC_CLK_TCK")
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                if f" {self.database} ".encode() not in (proc / "cmdline").read_bytes():
                    continue
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            seconds = (int(fields[11]) + int(fields[12])) / tick
            self.backends.setdefault(int(proc.name), [seconds, seconds])[1] = seconds

    def watch(self) -> None:
        while not self.stop.wait(0.5):
            self.samples.append(os.getloadavg()[0])
            self.cpu_of_backends()

    def __enter__(self) -> "LoadWatch":
        self.before = os.getloadavg()[0]
        self.cpu_of_backends()
        self.thread.start()
        return self

    def server_cpu(self) -> list[float]:
        """CPU seconds each backend spent during the import, the busiest first."""
        spent = [round(last - first, 1) for first, last in self.backends.values()]
        return sorted((s for s in spent if s >= 0.1), reverse=True)

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()

    def summary(self) -> dict[str, float]:
        samples = self.samples or [self.before]
        return {
            "before": round(self.before, 2),
            "mean": round(sum(samples) / len(samples), 2),
            "max": round(max(samples), 2),
        }


def server_settings(connection: Any) -> dict[str, str]:
    if connection.vendor != "postgresql":
        return {}
    names = ("shared_buffers", "max_wal_size", "wal_buffers", "wal_compression")
    names += ("checkpoint_timeout", "synchronous_commit", "work_mem")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
            [list(names)],
        )
        return dict(cursor.fetchall())


def import_once(kind: str, path: Path, env: dict[str, str]) -> tuple[float, dict[str, Any], float]:
    """Seconds, the command's JSON summary, and the peak resident memory of its process (MB)."""
    hearth = Path(sys.executable).with_name("hearth")
    started = time.perf_counter()
    completed = subprocess.run(  # noqa: S603 - our own command, on a file we wrote
        [
            str(hearth),
            "import",
            kind,
            str(path),
            "--agency",
            AGENCY,
            "--json",
            "--rejected",
            os.devnull,
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(
            f"the import failed:\n{completed.stdout[-3000:]}{completed.stderr[-3000:]}"
        )
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: the chronology import is the
    # largest of this script's children, so its figure is its own.
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, json.loads(completed.stdout), peak_kb / 1024


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    from hearth.agencies.models import Agency, AgencyType
    from hearth.chronology.models import ChronologyEntry, EntryVersion, EventType

    call_command("migrate", verbosity=0)
    if ChronologyEntry.objects.filter(source_system="bench").exists():
        raise SystemExit("The database already holds this benchmark's entries: use a fresh one.")
    Agency.objects.get_or_create(
        code=AGENCY,
        defaults={
            "name": "Benchmark health visiting",
            "agency_type": AgencyType.HEALTH_VISITING,
            "source_system": "bench",
        },
    )
    codes = list(EventType.objects.filter(active=True).values_list("code", flat=True))
    rng = random.Random(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="hearth-chrono-file-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "HEARTH_ENV": os.environ.get("HEARTH_ENV", "test"),
        "IMPORT_DIR": str(workdir),
    }
    people_csv = workdir / "people.csv"
    write_people(people_csv, args.people, rng)
    people_s, people_summary, _ = import_once("people", people_csv, env)
    assert people_summary["counts"]["created"] == args.people, people_summary["counts"]

    path = workdir / f"chronology-{args.rows}.csv"
    started = time.perf_counter()
    write_chronology(path, range(args.rows), args.people, codes)
    generated = time.perf_counter() - started
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with LoadWatch(
        connection.settings_dict["NAME"] if connection.vendor == "postgresql" else ""
    ) as load:
        first_s, first, first_mb = import_once("chronology", path, env)
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    import_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
        cpu_after.ru_stime - cpu_before.ru_stime
    )
    assert first["counts"]["created"] == args.rows, first["counts"]
    second_s, second, _ = import_once("chronology", path, env)
    assert second["counts"]["unchanged"] == args.rows, second["counts"]
    # An overlapping file: a tenth of the rows from the middle, the first half changed, and as
    # many again new.
    tenth = max(args.rows // 10, 2)
    overlap = workdir / "overlap.csv"
    write_chronology(
        overlap,
        range(args.rows - tenth // 2, args.rows + tenth // 2),
        args.people,
        codes,
        changed=tenth // 4,
    )
    third_s, third, _ = import_once("chronology", overlap, env)
    assert third["counts"]["amended"] == tenth // 4, third["counts"]
    assert third["counts"]["created"] == tenth - tenth // 2, third["counts"]
    assert ChronologyEntry.objects.count() == args.rows + tenth - tenth // 2
    assert EntryVersion.objects.filter(kind="amendment").count() == tenth // 4
    result = {
        "benchmark": "chronology_import",
        "database": connection.vendor,
        "rows": args.rows,
        "people": args.people,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "generate_seconds": round(generated, 1),
        "people_import_seconds": round(people_s, 1),
        "people_per_second": round(args.people / people_s),
        "import_seconds": round(first_s, 1),
        "rows_per_second": round(args.rows / first_s),
        "peak_memory_mb": round(first_mb),
        "load_average_during_import": load.summary(),
        # CPU seconds: the import process (all its threads), and each PostgreSQL backend
        # serving it (the loading connection first, then the look-ups'), whatever else ran.
        "import_process_cpu_seconds": round(import_cpu, 1),
        "server_backend_cpu_seconds": load.server_cpu(),
        "reimport_seconds": round(second_s, 1),
        "reimport_rows_per_second": round(args.rows / second_s),
        "overlap_rows": tenth,
        "overlap_seconds": round(third_s, 1),
        "overlap_amended": third["counts"]["amended"],
        "overlap_created": third["counts"]["created"],
        "targets": TARGETS,
        "machine": machine(connection),
        "server_settings": server_settings(connection),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    for f in (people_csv, path, overlap):
        f.unlink()
    return result


def markdown(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"Chronology extract import, {result['database']}, {result['rows']:,} rows "
            f"({result['file_mb']} MB of CSV) about {result['people']:,} people",
            "",
            "| | seconds | rows/s | |",
            "| --- | ---: | ---: | --- |",
            f"| people extract ({result['people']:,} people, all new) | "
            f"{result['people_import_seconds']} | {result['people_per_second']:,} | |",
            f"| chronology: first import (every row new) | {result['import_seconds']} | "
            f"{result['rows_per_second']:,} | peak memory {result['peak_memory_mb']} MB; load "
            f"average {result['load_average_during_import']['mean']} (max "
            f"{result['load_average_during_import']['max']}) |",
            f"| … its CPU time: import process {result['import_process_cpu_seconds']} s; "
            f"PostgreSQL backends {result['server_backend_cpu_seconds']} s | | | |",
            f"| the same file again (every row unchanged) | {result['reimport_seconds']} | "
            f"{result['reimport_rows_per_second']:,} | |",
            f"| an overlapping file ({result['overlap_rows']:,} rows) | "
            f"{result['overlap_seconds']} | | {result['overlap_amended']:,} amended, "
            f"{result['overlap_created']:,} new |",
            "",
            "Server: "
            + ", ".join(f"{k} {v}" for k, v in sorted(result["server_settings"].items())),
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    result = run(args)
    args.output.mkdir(parents=True, exist_ok=True)
    name = f"chronology_import-{result['database']}-{result['rows']}{args.label}"
    write_results(args.output / name, result, markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
