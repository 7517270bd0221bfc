"""`hearth import cin-census FILE`, the agency extracts (`hearth import chronology FILE --agency
CODE`, and `people`, `addresses`, `relationships`, `involvements`), `hearth import mapping`, and
`hearth import work`, the background worker."""

import json
import time
from pathlib import Path
from typing import IO, Any, cast

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.interop import actions, extracts, progress, report
from hearth.interop.models import ImportMode, ImportRun, RunStatus

SHOWN = 200  # problems printed in the table; the CSV report has every one


class Command(BaseCommand):
    help = "Import a file from a partner system, or run the background import worker."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        cin = sub.add_parser(
            "cin-census", help="Check and load a DfE Children in Need census (XML)"
        )
        cin.add_argument("file", type=Path)
        cin.add_argument("--json", action="store_true", help="Print a machine-readable summary")
        cin.add_argument(
            "--partial",
            action="store_true",
            help="Load the children without errors and hold back the others (default: reject "
            "the whole file if any child has an error)",
        )
        cin.add_argument(
            "--report", type=Path, help="Where to write the CSV report (default: FILE.report.csv)"
        )
        for kind in extracts.KINDS:
            ext = sub.add_parser(
                kind, help=f"Check and load an agency's {kind} extract (CSV or XLSX)"
            )
            ext.add_argument("file", type=Path)
            ext.add_argument("--agency", required=True, help="The agency's code in Hearth")
            ext.add_argument("--json", action="store_true", help="Print a machine-readable summary")
            ext.add_argument(
                "--partial",
                action="store_true",
                help="Load the good rows and list the rejected ones (default: reject the whole "
                "file if any row has an error)",
            )
            ext.add_argument(
                "--mapping",
                type=Path,
                help='A JSON file {"their header": "hearth_column"} for this run '
                "(default: the agency's saved mapping, if any)",
            )
            ext.add_argument(
                "--rejected",
                type=Path,
                help="Where to write the rejected-rows CSV (default: FILE.rejected.csv)",
            )
        mapping = sub.add_parser("mapping", help="Save an agency's column mapping for a kind")
        mapping.add_argument("file", type=Path, help='JSON: {"their header": "hearth_column"}')
        mapping.add_argument("--agency", required=True)
        mapping.add_argument("--kind", required=True, choices=extracts.KINDS)
        work = sub.add_parser("work", help="Check uploaded files and load queued ones")
        work.add_argument("--once", action="store_true", help="Process what is waiting, then stop")
        work.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "work":
            self.work(once=options["once"], interval=options["interval"])
            return
        if options["subcommand"] == "mapping":
            self.save_mapping(options)
            return
        if options["subcommand"] in extracts.KINDS:
            self.extract(options)
            return
        path: Path = options["file"]
        mode = ImportMode.PARTIAL if options["partial"] else ImportMode.REJECT
        printer = progress.Printer(cast(IO[str], self.stderr._out))
        try:
            run = actions.import_census_file(
                by=actions.command_actor(), path=path, mode=mode, on_progress=printer
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        finally:
            printer.close()
        report_path = options["report"] or path.with_name(path.name + ".report.csv")
        with report_path.open("w", newline="", encoding="utf-8") as out:
            report.write_csv(run, out)
        if options["json"]:
            self.stdout.write(
                json.dumps({**report.as_json(run), "report": str(report_path)}, indent=2)
            )
        else:
            self.summary(run, report_path)
        if run.status != RunStatus.LOADED:
            raise CommandError(
                f"{path.name} was {run.get_status_display().split(':')[0].lower()}: nothing was loaded."
            )

    def save_mapping(self, options: dict[str, Any]) -> None:
        try:
            mapping = json.loads(Path(options["file"]).read_text(encoding="utf-8-sig"))
            saved = actions.save_mapping(
                by=actions.command_actor(),
                agency_code=options["agency"],
                kind=options["kind"],
                mapping=mapping,
            )
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read the mapping: {error}") from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"Saved {len(saved.mapping)} column names for {options['agency']}'s "
            f"{options['kind']} extracts."
        )

    def extract(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        mapping = None
        if options["mapping"]:
            try:
                mapping = json.loads(Path(options["mapping"]).read_text(encoding="utf-8-sig"))
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read the mapping: {error}") from error
            if not isinstance(mapping, dict):
                raise CommandError('A mapping is a JSON object: {"their header": "hearth_column"}.')
        printer = progress.Printer(cast(IO[str], self.stderr._out))
        try:
            run = actions.import_extract_file(
                by=actions.command_actor(),
                path=path,
                kind=options["subcommand"],
                agency_code=options["agency"],
                mode=ImportMode.PARTIAL if options["partial"] else ImportMode.REJECT,
                mapping=mapping,
                on_progress=printer,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        finally:
            printer.close()
        rejected_path = options["rejected"] or path.with_name(path.name + ".rejected.csv")
        with rejected_path.open("w", newline="", encoding="utf-8") as out:
            report.write_rejected_csv(run, out)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {**report.extract_json(run), "rejected_file": str(rejected_path)}, indent=2
                )
            )
        else:
            self.extract_summary(run, rejected_path)
        if run.status != RunStatus.LOADED:
            raise CommandError(
                f"{path.name} was rejected: nothing was loaded. See {rejected_path}."
            )

    def extract_summary(self, run: ImportRun, rejected_path: Path) -> None:
        c = run.counts
        self.stdout.write(
            f"{run.file_name} (SHA-256 {run.sha256[:12]}…, {run.header.get('encoding', '?')}): "
            f"{c.get('rows', 0)} rows, {c.get('rows_rejected', 0)} rejected."
        )
        for notice in run.header.get("notices", []):
            self.stdout.write(f"Note: {notice}")
        rows = list(report.rejected_rows(run))
        if rows:
            self.stdout.write(report.table(rows[:SHOWN], report.REJECTED_COLUMNS))
            if len(rows) > SHOWN:
                self.stdout.write(f"… and {len(rows) - SHOWN} more in the rejected-rows file.")
        if run.status == RunStatus.LOADED:
            self.stdout.write(
                f"Loaded {c.get('rows_loaded', 0)} rows: {c.get('created', 0)} new, "
                f"{c.get('amended', 0)} amended, {c.get('unchanged', 0)} unchanged."
            )
        self.stdout.write(f"Rejected rows: {rejected_path}")

    def summary(self, run: ImportRun, report_path: Path) -> None:
        counts = run.counts
        self.stdout.write(
            f"{run.file_name} (SHA-256 {run.sha256[:12]}…): {counts.get('children', 0)} children, "
            f"{counts.get('valid_children', 0)} without errors, {run.problem_count} problems."
        )
        for name, number in sorted(run.skipped.items()):
            self.stdout.write(f"Skipped (not used by Hearth): {name} ×{number}")
        rows = list(report.problem_rows(run))
        if rows:
            self.stdout.write(report.table(rows[:SHOWN], report.CSV_COLUMNS))
            if len(rows) > SHOWN:
                self.stdout.write(f"… and {len(rows) - SHOWN} more problems in the report.")
        if run.status == RunStatus.LOADED:
            self.stdout.write(
                f"Loaded {counts.get('children_loaded', 0)} children "
                f"({counts.get('people_created', 0)} new, {counts.get('people_matched', 0)} "
                f"already known, {counts.get('people_updated', 0)} updated); episodes: "
                f"{counts.get('episodes_created', 0)} new, {counts.get('episodes_updated', 0)} "
                f"updated, {counts.get('episodes_unchanged', 0)} unchanged."
            )
            held = report.held_back(run) if counts.get("held_back") else []
            if held:
                self.stdout.write(
                    f"Held back {len(held)} children: {', '.join(held[:50])}"
                    + (" …" if len(held) > 50 else "")
                )
        self.stdout.write(f"Report: {report_path}")

    def work(self, *, once: bool, interval: float) -> None:
        actor = actions.command_actor()
        while True:
            done = actions.work_once(by=actor)
            if done:
                self.stdout.write(f"Moved on {done} import{'s' if done != 1 else ''}.")
            if once and not done:
                return
            if not done:
                time.sleep(interval)
