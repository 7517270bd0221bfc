"""`hearth link train | evaluate | run`: train the matching model on the partnership's source
records, measure it on labelled data, and (to come) the batch run over the whole index."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.linkage import evaluation
from hearth.linkage import model as linkage_model
from hearth.linkage.training import train_linkage_model

DATASETS = [*evaluation.DATASETS, "synthetic"]


class Command(BaseCommand):
    help = "Train the person-matching model, evaluate it on labelled data, or run it in batch."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        train = sub.add_parser(
            "train", help="Train on every source record; the new model is active"
        )
        train.add_argument("--upper", type=float, default=linkage_model.DEFAULT_UPPER)
        train.add_argument("--lower", type=float, default=linkage_model.DEFAULT_LOWER)
        train.add_argument("--backend", choices=("duckdb", "spark"), default="duckdb")
        evaluate = sub.add_parser("evaluate", help="Train and score on a labelled data set")
        evaluate.add_argument("--dataset", choices=DATASETS, required=True)
        evaluate.add_argument("--json", action="store_true", help="print the figures as JSON")
        evaluate.add_argument("--upper", type=float, default=None)
        evaluate.add_argument("--lower", type=float, default=None)
        evaluate.add_argument(
            "--without-identifier",
            action="store_true",
            help="withhold FEBRL's soc_sec_id (records that share no identifier)",
        )
        evaluate.add_argument("--backend", choices=("duckdb", "spark"), default="duckdb")
        # `run`: the batch run over the whole index (the lead's hearth.linkage.index) goes here.
        sub.add_parser("run", help="Match the whole index in batch (not yet available)")

    def handle(self, *args: Any, **options: Any) -> None:
        command = options["subcommand"]
        if command == "train":
            try:
                stored = train_linkage_model(
                    by=None,
                    upper=options["upper"],
                    lower=options["lower"],
                    backend=options["backend"],
                    username="hearth link train",
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            notes = stored.notes
            self.stdout.write(
                f"Linkage model v{stored.version} trained on {stored.records_trained_on} records "
                f"in {notes.get('seconds')} s and made active (link ≥ {stored.upper_threshold}, "
                f"review ≥ {stored.lower_threshold})."
            )
        elif command == "evaluate":
            self._evaluate(options)
        else:
            raise CommandError("`hearth link run` is not available yet.")

    def _evaluate(self, options: dict[str, Any]) -> None:
        dataset = options["dataset"]
        if dataset == "synthetic":
            # hearth.linkage.synthetic (the UK-shaped generator with ground truth) plugs in here.
            raise CommandError("--dataset synthetic needs hearth.linkage.synthetic (to come).")
        result = evaluation.evaluate(
            dataset,
            with_identifier=not options["without_identifier"],
            upper=options["upper"],
            lower=options["lower"],
            backend=options["backend"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
            return
        auto, both = result["auto_links"], result["auto_links_and_review"]
        self.stdout.write(
            f"{dataset}: {result['records']} records, {result['true_pairs']} true pairs "
            f"(identifier: {result['identifier']})\n"
            f"  automatic links: precision {auto['precision']}, recall {auto['recall']}, "
            f"F1 {auto['f1']}\n"
            f"  links and review: precision {both['precision']}, recall {both['recall']}, "
            f"F1 {both['f1']}\n"
            f"  records by outcome: {result['records_by_outcome']}"
        )
