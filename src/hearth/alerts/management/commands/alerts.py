"""`hearth alerts evaluate | work | rules`: the rules over every child, the background evaluator,
and publishing rule versions."""

import time
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hearth.alerts.actions import evaluate_and_raise, process_pending
from hearth.alerts.models import Rule
from hearth.alerts.registry import RuleError, publish_rule, read_rules_file


class Command(BaseCommand):
    help = "Evaluate the alert rules, run the background evaluator, or publish rule versions."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        evaluate = sub.add_parser("evaluate", help="Every rule over every child (full evaluation)")
        evaluate.add_argument(
            "--as-of", default="", help="Evaluate as on this date (default today)"
        )
        work = sub.add_parser("work", help="Evaluate the families of saved records as they arrive")
        work.add_argument("--once", action="store_true", help="Process what is queued, then stop")
        work.add_argument("--interval", type=float, default=2.0)
        rules = sub.add_parser("rules", help="List rules, or publish rule versions from a file")
        rules.add_argument("files", nargs="*", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["subcommand"]
        if command == "evaluate":
            as_of = (
                date.fromisoformat(options["as_of"]) if options["as_of"] else timezone.localdate()
            )
            started = time.perf_counter()
            raised = evaluate_and_raise(as_of)
            self.stdout.write(
                f"Evaluated every rule as of {as_of} in {time.perf_counter() - started:.1f} s: "
                f"{len(raised)} new alert{'s' if len(raised) != 1 else ''}."
            )
        elif command == "work":
            while True:
                done = process_pending()
                if done:
                    self.stdout.write(f"Evaluated the families of {done} changed records.")
                if options["once"] and not done:
                    return
                if not done:
                    time.sleep(options["interval"])
        else:
            failed = False
            for path in options["files"]:
                try:
                    for data in read_rules_file(path):
                        version, created = publish_rule(data)
                        state = "published" if created else "already published"
                        self.stdout.write(
                            f"{path}: {version.rule.code} version {version.version} {state}"
                        )
                except RuleError as error:
                    failed = True
                    self.stderr.write(str(error))
            for rule in Rule.objects.prefetch_related("versions").order_by("code"):
                latest = max((v.version for v in rule.versions.all()), default=0)
                self.stdout.write(
                    f"{rule.code:24} version {latest}  {'active' if rule.active else 'inactive'}  {rule.name}"
                )
            if failed:
                raise CommandError("Some rule versions were not published.")
