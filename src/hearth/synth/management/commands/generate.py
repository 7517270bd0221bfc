"""`hearth generate`: build a synthetic partnership (never real data) for demos and benchmarks."""

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.agencies.models import Agency
from hearth.people.models import Person
from hearth.synth.bulk import reset_database
from hearth.synth.calibration import measure, report_lines
from hearth.synth.generator import DEFAULT_AS_OF, DEFAULT_SEED, Generator


class Command(BaseCommand):
    help = "Generate a synthetic partnership: agencies, practitioners, families, episodes and chronology."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people", type=int, default=2_000, help="Residents to generate (default 2,000)."
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--entries", type=int, help="Total chronology entries (default 10 per person)."
        )
        group.add_argument("--entries-per-person", type=float, default=10.0)
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Same seed, same data.")
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=DEFAULT_AS_OF,
            help="The census date the history runs up to (default %(default)s).",
        )
        parser.add_argument(
            "--demo-users",
            action="store_true",
            default=None,
            help="Create demo log-ins (default on when HEARTH_ENV=demo).",
        )
        parser.add_argument("--no-demo-users", action="store_false", dest="demo_users")
        parser.add_argument(
            "--no-demo-families",
            action="store_false",
            dest="demo_families",
            default=True,
            help="Leave out the scripted long-history families.",
        )
        parser.add_argument(
            "--reset", action="store_true", help="Empty the database first (all records!)."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (but list the demo log-ins) when the database already holds data: "
            "lets `make demo` run again.",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        demo_users = opts["demo_users"]
        if demo_users is None:
            demo_users = settings.DEMO_MODE
        if demo_users and settings.PRODUCTION:
            raise CommandError(
                "Demo users share a published password: they are refused in production."
            )
        if opts["people"] < 100:
            raise CommandError("--people must be at least 100.")
        if opts["reset"]:
            self.stdout.write("Emptying the database...")
            reset_database()
        elif Person.objects.exists() or Agency.objects.exists():
            if opts["if_empty"]:
                self._list_existing_logins()
                return
            raise CommandError(
                "The database already holds people or agencies. Run `hearth generate --reset` to empty it "
                "first (this deletes every record), or point DATABASE_URL at an empty database."
            )
        entries = (
            opts["entries"]
            if opts["entries"] is not None
            else int(opts["people"] * opts["entries_per_person"])
        )
        self.stdout.write(
            f"Generating {opts['people']:,} people and about {entries:,} chronology entries (seed {opts['seed']}, "
            f"as of {opts['as_of']:%d %B %Y})"
        )
        generator = Generator(
            people=opts["people"],
            entries=entries,
            seed=opts["seed"],
            as_of=opts["as_of"],
            demo_families=opts["demo_families"],
            progress=self.stdout.write,
        )
        result = generator.run()
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {result.people:,} people ({result.children:,} children), {result.episodes:,} episodes, "
                f"{result.entries:,} entries in {result.seconds:,.0f} s."
            )
        )
        for line in report_lines(measure(opts["as_of"])):
            self.stdout.write("  " + line)
        if opts["demo_families"] and demo_users:
            from hearth.synth.demo import create_demo_users, print_demo_logins

            demo = result.demo.get("families")
            logins = create_demo_users(demo, opts["as_of"])  # type: ignore[arg-type]
            print_demo_logins(self.stdout.write, logins, demo)  # type: ignore[arg-type]

    def _list_existing_logins(self) -> None:
        from hearth.accounts.models import User
        from hearth.synth.demo import DEMO_PASSWORD, DEMO_USERS

        self.stdout.write("The database already holds data: nothing generated.")
        existing = dict(
            User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).values_list(
                "username", "job_title"
            )
        )
        if existing:
            self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD})")
            for username, *_rest, sees in DEMO_USERS:
                if username in existing:
                    self.stdout.write(f"  {username:<13} {existing[username]:<32} {sees}")
