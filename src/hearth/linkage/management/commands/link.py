"""`hearth link backfill | train | run | evaluate`: put the people Hearth holds into the index,
train the matching model on the partnership's source records, run it over the whole index, and
measure it on labelled data (FEBRL, or the UK-shaped synthetic set)."""

import json
import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.linkage import batch, evaluation, synthetic_evaluation
from hearth.linkage import model as linkage_model
from hearth.linkage.backfill import backfill
from hearth.linkage.models import LinkageModel
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
        train.add_argument(
            "--if-none", action="store_true", help="only if no model is active yet (make demo)"
        )
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
        evaluate.add_argument(
            "--records", type=int, default=20_000, help="synthetic: how many records to generate"
        )
        evaluate.add_argument("--seed", type=int, default=2, help="synthetic: the evaluated set")
        evaluate.add_argument(
            "--train-seed", type=int, default=None, help="synthetic: train on another set"
        )
        run = sub.add_parser(
            "run", help="Match the whole index with the active model: link, queue for review"
        )
        run.add_argument("--backend", choices=("duckdb", "spark"), default="duckdb")
        run.add_argument("--dry-run", action="store_true", help="count the outcomes, write nothing")
        run.add_argument("--json", action="store_true", help="print the outcome as JSON")
        sub.add_parser(
            "backfill", help="Index the people Hearth already holds (one source record each)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Splink's own warnings (levels a small set never shows) are for developers, not the
        # data officer running the command; its errors still show.
        logging.getLogger("splink").setLevel(logging.ERROR)
        command = options["subcommand"]
        if command == "train":
            if options["if_none"] and LinkageModel.objects.filter(active=True).exists():
                self.stdout.write("A linkage model is already active: not retrained.")
                return
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
        elif command == "backfill":
            made = backfill(by=None)
            self.stdout.write(f"{made} source records made for people not yet in the index.")
        else:
            self._run(options)

    def _run(self, options: dict[str, Any]) -> None:
        try:
            result = batch.run(by=None, backend=options["backend"], dry_run=options["dry_run"])
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        figures = result.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2))
            return
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(
            f"{figures['records']} records, {figures['pairs_scored']} pairs scored "
            f"({figures['outcomes']}); {figures['people_merged']} people {verb} merged "
            f"automatically and {figures['reviews_queued']} pairs {verb} queued for review "
            f"({figures['remembered_non_matches_skipped']} remembered as different people; "
            f"{figures['merges_refused']} merges refused)."
        )

    def _evaluate(self, options: dict[str, Any]) -> None:
        dataset = options["dataset"]
        if dataset == "synthetic":
            figures = synthetic_evaluation.evaluate(
                options["records"],
                seed=options["seed"],
                train_seed=options["train_seed"],
                upper=options["upper"],
                lower=options["lower"],
                backend=options["backend"],
            )
            if options["json"]:
                self.stdout.write(json.dumps(figures, indent=2))
                return
            self.stdout.write(
                f"synthetic: {figures['records']} records (seed {figures['seed']}), "
                f"{figures['true_pairs']} true pairs\n"
                f"  automatic links: precision {figures['precision']:.4f}, "
                f"recall {figures['recall_links_only']:.4f}\n"
                f"  links and review: recall {figures['recall']:.4f}, F1 {figures['f1']:.4f}\n"
                f"  review queue: {figures['counts'].get('review', 0)} pairs "
                f"({figures['review_share']:.2%} of records)"
            )
            return
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
