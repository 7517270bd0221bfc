"""`hearth export cin-census --year 2025 --output FILE`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.interop import actions
from hearth.partnership.models import ReportingSettings


class Command(BaseCommand):
    help = "Export a return in a sector format from Hearth's records."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        cin = sub.add_parser("cin-census", help="The DfE Children in Need census (XML)")
        cin.add_argument(
            "--year",
            type=int,
            required=True,
            help="Collection year, e.g. 2025 (ending 31 March 2025)",
        )
        cin.add_argument("--output", type=Path, required=True)
        cin.add_argument(
            "--la",
            default="",
            help="The local authority's 3-digit code (default: the reporting settings')",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        if not 2009 <= year <= 2100:
            raise CommandError("--year is a collection year such as 2025.")
        lea = options["la"] or (
            ReportingSettings.objects.values_list("la_code", flat=True).first() or ""
        )
        if not (len(lea) == 3 and lea.isdigit()):
            raise CommandError("Give the local authority's 3-digit code with --la (e.g. --la 938).")
        output: Path = options["output"]
        partial = output.with_name(output.name + ".partial")
        with partial.open("wb") as out:
            counts = actions.export_census(by=actions.command_actor(), year=year, out=out, lea=lea)
        partial.replace(output)
        self.stdout.write(
            f"Wrote {output}: {counts.children} children, {counts.episodes} episodes "
            f"(collection year {year - 1}-{str(year)[2:]})."
        )
        if counts.without_la_child_id:
            self.stderr.write(
                f"Left out {counts.without_la_child_id} children with an episode in the year but no "
                "LA child ID in Hearth."
            )
