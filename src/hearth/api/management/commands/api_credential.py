"""`hearth api_credential create|revoke|list`: partner-system credentials from the command line."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.agencies.models import Agency
from hearth.api import credentials as actions
from hearth.api.models import ApiCredential, Scope


class Command(BaseCommand):
    help = "Make, revoke or list API credentials for partner systems."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--agency", required=True, help="agency code")
        create.add_argument("--name", required=True, help="the partner system")
        create.add_argument("--scope", action="append", required=True, choices=Scope.values)
        revoke = sub.add_parser("revoke")
        revoke.add_argument("prefix", help="the 8 characters after hth_")
        revoke.add_argument("--reason", required=True)
        sub.add_parser("list")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                agency = Agency.objects.filter(code=options["agency"]).first()
                if agency is None:
                    raise CommandError(f"No agency with code {options['agency']!r}.")
                made = actions.create_credential(
                    by=None, agency=agency, name=options["name"], scopes=options["scope"]
                )
                self.stdout.write(made.token)
                self.stderr.write("Keep this token secret: it is not shown again.")
            elif options["action"] == "revoke":
                credential = ApiCredential.objects.filter(prefix=options["prefix"]).first()
                if credential is None:
                    raise CommandError(f"No credential hth_{options['prefix']}_…")
                actions.revoke_credential(by=None, credential=credential, reason=options["reason"])
                self.stdout.write(f"Revoked {credential}.")
            else:
                for c in ApiCredential.objects.select_related("agency"):
                    state = "active" if c.is_active else f"revoked {c.revoked_at:%Y-%m-%d}"
                    self.stdout.write(
                        f"hth_{c.prefix}_…  {c.agency.code:<20} {c.name:<30} {state}  {','.join(c.scopes)}"
                    )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
