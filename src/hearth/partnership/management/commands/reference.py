"""`hearth reference load [--la CODE]`: the published DfE and ONS figures the dataset compares
itself with, from the files shipped with Hearth."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.partnership import reference


class Command(BaseCommand):
    help = "Load the shipped DfE children-in-need figures and choose the partnership's authority."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=("load",))
        parser.add_argument("--la", help="the local authority: new code (E10000032) or old (938)")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = reference.load_reference_data()
        self.stdout.write(
            f"Loaded {sum(counts.values()):,} published values for {len(counts)} measures."
        )
        if options["la"]:
            found = reference.resolve_la(options["la"])
            if found is None:
                raise CommandError(
                    f"No local authority with code {options['la']!r} in the published files."
                )
            settings = reference.settings()
            settings.la_code = found.old_la_code or found.area_code
            settings.save(update_fields=["la_code"])
            self.stdout.write(f"Comparisons are for {found.area_name} ({settings.la_code}).")
