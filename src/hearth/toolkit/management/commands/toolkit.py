"""`hearth toolkit list` and `hearth toolkit load FILE...`: publish tool versions without a code change."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.toolkit.models import Tool
from hearth.toolkit.registry import DefinitionError, load_definition, read_definition_file


class Command(BaseCommand):
    help = "List the toolkit's tools and versions, or publish tool versions from JSON files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("list", help="List tools and their published versions")
        load = sub.add_parser("load", help="Validate and publish tool definition files")
        load.add_argument("files", nargs="+", type=Path)
        load.add_argument("--by", default="", help="Who is publishing (recorded with the version)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "list":
            for tool in Tool.objects.prefetch_related("versions").order_by("position", "name"):
                versions = ", ".join(str(v.version) for v in tool.versions.all())
                flag = " (mandatory)" if tool.mandatory else ""
                self.stdout.write(f"{tool.code:28} {tool.name}{flag}: versions {versions}")
            return
        failed = False
        for path in options["files"]:
            if not path.is_file():
                self.stderr.write(f"{path}: no such file")
                failed = True
                continue
            try:
                version, created = load_definition(
                    read_definition_file(path), loaded_by=options["by"]
                )
            except DefinitionError as error:
                failed = True
                for problem in error.problems:
                    self.stderr.write(f"{path}: {problem}")
                continue
            if created:
                record(
                    action=AuditAction.PUBLISH_TOOL,
                    by=None,
                    object_type="tool_version",
                    object_id=version.pk,
                    details={
                        "tool": version.tool.code,
                        "version": version.version,
                        "file": str(path),
                    },
                )
                self.stdout.write(
                    f"{path}: published {version.tool.code} version {version.version}"
                )
            else:
                self.stdout.write(
                    f"{path}: {version.tool.code} version {version.version} is already published"
                )
        if failed:
            raise CommandError("Some files were not published; nothing in them was loaded.")
