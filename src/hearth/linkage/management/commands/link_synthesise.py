"""`hearth link_synthesise`: write the synthetic linkage data set (never real data) to Parquet."""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.linkage.synthetic import write_parquet


class Command(BaseCommand):
    help = (
        "Write a UK-shaped synthetic linkage data set with ground truth (`cluster`, the true "
        "person) to a Parquet file, for training and evaluating the matcher."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--records", type=int, default=1_000_000, help="Source records.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        parser.add_argument("--output", type=Path, required=True, help="The .parquet file.")
        parser.add_argument(
            "--truth",
            action="store_true",
            help="Add the true values and what was done to each record (for measuring rates).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["records"] < 0:
            raise CommandError("--records must be 0 or more.")
        output: Path = opts["output"]
        if not output.parent.is_dir():
            raise CommandError(f"No such folder: {output.parent}")
        started = time.perf_counter()
        people = write_parquet(output, opts["records"], opts["seed"], truth=opts["truth"])
        self.stdout.write(
            f"Wrote {opts['records']:,} records of {people:,} people to {output} "
            f"in {time.perf_counter() - started:.1f} s (seed {opts['seed']})."
        )
