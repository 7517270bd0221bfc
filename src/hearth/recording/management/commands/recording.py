"""`hearth recording report --since DATE [--until DATE] [--csv FILE]`: recording-quality advice
in bulk, by agency."""

import csv
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.recording.quality import recording_quality


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"'{value}' is not a date (YYYY-MM-DD)") from error


class Command(BaseCommand):
    help = "Run the recording-quality analyser over what agencies recorded in a period."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        report = sub.add_parser("report", help="Flags by agency for entries and tools in a period")
        report.add_argument("--since", required=True)
        report.add_argument("--until", default="")
        report.add_argument("--csv", type=Path, help="Also write the figures to this CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _date(options["since"])
        until = _date(options["until"]) if options["until"] else timezone.localdate()
        if until < since:
            raise CommandError("--until is before --since")
        rows = recording_quality(since, until)
        self.stdout.write(f"Recording quality {since} to {until}")
        self.stdout.write(f"{'agency':40} {'records':>8} {'advised':>8} {'share':>6}  most common")
        for row in rows:
            common = ", ".join(f"{code} {n}" for code, n in row.flags.most_common(3))
            share = f"{row.flagged_share}%" if row.flagged_share is not None else "–"
            self.stdout.write(
                f"{row.agency:40} {row.records:>8} {row.flagged:>8} {share:>6}  {common}"
            )
        if options["csv"]:
            codes = sorted({code for row in rows for code in row.flags})
            with options["csv"].open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["agency", "records", "advised", "advised_percent", *codes])
                for row in rows:
                    writer.writerow(
                        [row.agency, row.records, row.flagged, row.flagged_share]
                        + [row.flags.get(code, 0) for code in codes]
                    )
            record(
                action=AuditAction.EXPORT,
                details={"export": "recording_quality", "since": str(since), "until": str(until)},
            )
            self.stdout.write(f"Written {options['csv']}")
