"""`hearth dataset --quarter 2025Q1 --format xlsx|csv|json --output FILE`: the partnership's
neglect dataset computed from the records."""

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.agencies.models import Agency
from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.lib.periods import Period, Quarter
from hearth.partnership import dataset as datasets
from hearth.partnership import exports


class Command(BaseCommand):
    help = "Compute the neglect dataset for a quarter (or a date range) and write it to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quarter", help="e.g. 2025Q1 (1 January to 31 March 2025)")
        parser.add_argument("--from", dest="start", type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", type=date.fromisoformat, help="YYYY-MM-DD")
        parser.add_argument("--format", choices=("xlsx", "csv", "json"), default="xlsx")
        parser.add_argument("--output", required=True, help="the file to write ('-' for stdout)")
        parser.add_argument("--agency", help="an agency code: children that agency knows")
        parser.add_argument(
            "--publication",
            action="store_true",
            help="withhold counts of fewer than 5 children (for anything published)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = _target(options["quarter"], options["start"], options["end"])
        agency = None
        if options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                codes = ", ".join(Agency.objects.values_list("code", flat=True))
                raise CommandError(f"No agency with code {options['agency']!r}. Codes: {codes}")
        data = datasets.compute(target, agency=agency)
        fmt, publication = options["format"], options["publication"]
        content: str | bytes
        if fmt == "xlsx":
            content = exports.to_xlsx(data, publication=publication)
        elif fmt == "csv":
            content = exports.to_csv(data, publication=publication)
        else:
            content = exports.to_json(data, publication=publication)
        output = options["output"]
        if output == "-":
            if isinstance(content, bytes):
                raise CommandError("An xlsx workbook cannot go to stdout: give --output FILE")
            self.stdout.write(content)
        else:
            Path(output).write_bytes(content if isinstance(content, bytes) else content.encode())
        record(
            action=AuditAction.EXPORT,
            by=None,
            object_type="dataset",
            object_id=data.period.label,
            details={
                "via": "command",
                "format": fmt,
                "publication": publication,
                "agency": agency.code if agency else None,
            },
        )
        if output != "-":
            self.stderr.write(
                f"Wrote the dataset for {data.period.label} ({data.period.dates_label}), "
                f"{len(data.rows)} indicators, to {output} in {data.seconds:.1f} s."
            )


def _target(quarter: str | None, start: date | None, end: date | None) -> Quarter | Period:
    if quarter and (start or end):
        raise CommandError("Give --quarter, or --from and --to, not both.")
    if quarter:
        try:
            return Quarter.parse(quarter)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
    if start and end:
        if end < start:
            raise CommandError(f"--to ({end}) is before --from ({start}).")
        return Period(start, end, f"{start:%-d %b %Y} to {end:%-d %b %Y}")
    raise CommandError("Give --quarter 2025Q1, or --from YYYY-MM-DD and --to YYYY-MM-DD.")
