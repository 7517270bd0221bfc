"""The batch run over the whole index (`hearth link run`): every record against every other.

Splink predicts the pairs on DuckDB (or Spark) from a columnar copy of the index, whatever the
application database is; the decisions (`hearth.linkage.decisions`) are then applied through the
same actions a reviewer's decision uses: automatic links merge the two people (reversibly,
`hearth.linkage.merge`), unsure pairs join the review queue, and pairs a reviewer has already
called different people are never proposed again.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.db import transaction
from django.utils import timezone

from hearth.audit.actions import record
from hearth.audit.models import AuditAction
from hearth.linkage.conflicts import WHY as CONFLICT_WHY
from hearth.linkage.conflicts import Components, held_links
from hearth.linkage.decisions import TWIN_FIELDS, Outcome, decide, possible_twins
from hearth.linkage.index import Best, active_model, model_input, queue_review
from hearth.linkage.models import LinkageModel, NonMatch, ReviewItem, ReviewStatus, SourceRecord

COLUMNS = (
    "unique_id",
    "source_system",
    "given_name",
    "middle_names",
    "family_name",
    "previous_family_names",
    "date_of_birth",
    "sex",
    "postcode",
    "address",
    "nhs_number",
    "upn",
)
CHUNK = 50_000


def index_table() -> tuple[pa.Table, dict[int, int]]:
    """The live index as Arrow columns (model input shape), and record id -> person id."""
    person_of: dict[int, int] = {}
    columns: dict[str, list[Any]] = {c: [] for c in COLUMNS}
    query = (
        SourceRecord.objects.filter(person__isnull=False, person__merged_into__isnull=True)
        .order_by("pk")
        .only(*COLUMNS[1:], "person_id")
    )
    for rec in query.iterator(chunk_size=CHUNK):
        assert rec.person_id is not None
        person_of[rec.pk] = rec.person_id
        for key, value in model_input(rec, rec.pk).items():
            columns[key].append(value)
    schema = pa.schema(
        [
            ("unique_id", pa.int64()),
            *[(c, pa.string()) for c in COLUMNS[1:5]],
            ("previous_family_names", pa.list_(pa.string())),
            *[(c, pa.string()) for c in COLUMNS[6:]],
        ]
    )
    return pa.table(columns, schema=schema), person_of


def twins_flags(
    pairs: pa.Table, records: pa.Table, standardised: pa.Table | None = None
) -> list[bool]:
    """Per pair: possible twins (`hearth.linkage.decisions.possible_twins`, as incremental
    matching asks), never linked automatically.

    The rule's first tests, read from the model input columns that hold the very values it
    computes (`standard_date`; the first given name and its nickname groups; the folded family
    name), rule out most pairs cheaply: the date of birth and given name in Arrow, the family
    name (at most one slip), a one-slip given name and nickname groups in Python. The rule
    itself decides the rest."""
    import jellyfish

    from hearth.linkage import model as splink_model

    std = standardised if standardised is not None else splink_model.standardise_table(records)
    ids = records.column("unique_id").combine_chunks()
    left = pc.index_in(pairs.column("unique_id_l"), value_set=ids)
    right = pc.index_in(pairs.column("unique_id_r"), value_set=ids)
    dob, given = std.column("date_of_birth"), std.column("given_name")
    maybe = pc.and_(
        pc.equal(dob.take(left), dob.take(right)),
        pc.not_equal(given.take(left), given.take(right)),
    )
    candidates = np.flatnonzero(maybe.to_numpy(zero_copy_only=False))  # nulls: False
    flags = np.zeros(pairs.num_rows, dtype=bool)
    li, ri = left.to_numpy()[candidates].tolist(), right.to_numpy()[candidates].tolist()
    family = std.column("family_name").to_pylist()
    given_names = given.to_pylist()
    groups = std.column("given_name_groups").to_pylist()
    survivors = []
    for i, a, b in zip(candidates.tolist(), li, ri, strict=True):
        fa, fb = family[a], family[b]
        if not fa or not fb or (fa != fb and jellyfish.damerau_levenshtein_distance(fa, fb) > 1):
            continue
        ga, gb = given_names[a], given_names[b]
        if len(ga) > 1 and len(gb) > 1 and jellyfish.damerau_levenshtein_distance(ga, gb) <= 1:
            continue  # one slip in the given name: not different names
        if groups[a] and groups[b] and not set(groups[a]).isdisjoint(groups[b]):
            continue  # nickname variants
        survivors.append((i, a, b))
    rows = sorted({r for _, a, b in survivors for r in (a, b)})
    fields = records.select(list(TWIN_FIELDS)).take(pa.array(rows, pa.int64())).to_pylist()
    raw = dict(zip(rows, fields, strict=True))
    for i, a, b in survivors:
        flags[i] = possible_twins(raw[a], raw[b])
    return flags.tolist()


def decided_pairs(
    model: dict[str, Any],
    records: pa.Table,
    *,
    upper: float,
    lower: float,
    backend: str = "duckdb",
    groups: Mapping[int, int] | None = None,
) -> pa.Table:
    """Splink's pairs at or above the lower threshold, each with its outcome. No database writes:
    the evaluation and the benchmark call exactly this.

    An automatic link that would give one person two NHS numbers is held for review
    (`hearth.linkage.conflicts`): `groups` says which records are one person already (record id
    -> person id, as `hearth link run` knows them); without it each record stands alone."""
    from hearth.linkage import model as splink_model

    std = splink_model.standardise_table(records)  # once: prediction and the twins rule
    pairs = splink_model.predict(model, std, threshold_probability=lower, backend=backend)
    twins = twins_flags(pairs, records, std)
    probability = pairs.column("match_probability").to_pylist()
    outcomes = [
        str(decide(p, upper=upper, lower=lower, twins=t))
        for p, t in zip(probability, twins, strict=True)
    ]
    held = _conflicting_links(pairs, std, outcomes, probability, groups)
    for k in np.flatnonzero(held).tolist():
        outcomes[k] = str(Outcome.REVIEW)
    return (
        pairs.append_column("twins", pa.array(twins, pa.bool_()))
        .append_column("nhs_conflict", pa.array(held, pa.bool_()))
        .append_column("outcome", pa.array(outcomes, pa.string()))
    )


def _conflicting_links(
    pairs: pa.Table,
    std: pa.Table,
    outcomes: list[str],
    probability: list[float],
    groups: Mapping[int, int] | None,
) -> np.ndarray:
    """Per pair: an automatic link held back because the two sides' NHS numbers conflict."""
    held = np.zeros(pairs.num_rows, dtype=bool)
    links = np.flatnonzero(np.array(outcomes, dtype=object) == str(Outcome.LINK))
    if not len(links):
        return held
    numbers: dict[int, set[str]] = {}
    for uid, number in zip(
        std.column("unique_id").to_pylist(), std.column("nhs_number").to_pylist(), strict=True
    ):
        if number:  # valid numbers only: the model's input holds no invalid one
            numbers.setdefault(groups.get(uid, uid) if groups else uid, set()).add(number)
    left = pairs.column("unique_id_l").to_pylist()
    right = pairs.column("unique_id_r").to_pylist()
    if groups:
        left = [groups.get(x, x) for x in left]
        right = [groups.get(x, x) for x in right]
    apart = [k for k in links.tolist() if left[k] != right[k]]
    flags = held_links(
        [left[k] for k in apart],
        [right[k] for k in apart],
        [probability[k] for k in apart],
        numbers,
    )
    held[np.asarray(apart, dtype=np.int64)[flags]] = True
    return held


@dataclass
class RunResult:
    records: int = 0
    pairs: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    merges: int = 0
    reviews_queued: int = 0
    skipped_non_matches: int = 0
    refused_merges: int = 0  # e.g. two people recorded as related: two people, not one

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "pairs_scored": self.pairs,
            "outcomes": self.counts,
            "people_merged": self.merges,
            "reviews_queued": self.reviews_queued,
            "remembered_non_matches_skipped": self.skipped_non_matches,
            "merges_refused": self.refused_merges,
        }


def run(
    *,
    by: Any,
    model: LinkageModel | None = None,
    backend: str = "duckdb",
    dry_run: bool = False,
) -> RunResult:
    """Link the whole index with the active model; `dry_run` reports without writing."""
    model = model or active_model()
    if model is None:
        raise LookupError("No linkage model is active: run `hearth link train` first.")
    records, person_of = index_table()
    result = RunResult(records=records.num_rows)
    if records.num_rows < 2:
        return result
    pairs = decided_pairs(
        model.splink_settings,
        records,
        upper=model.upper_threshold,
        lower=model.lower_threshold,
        backend=backend,
        groups=person_of,
    )
    result.pairs = pairs.num_rows
    non_matches = set(NonMatch.objects.values_list("record_low_id", "record_high_id"))
    decided = {
        frozenset((a, b))
        for a, b in ReviewItem.objects.exclude(status=ReviewStatus.WITHDRAWN).values_list(
            "record_id", "candidate_id"
        )
    }
    links = Components()
    unsure: dict[frozenset[int], tuple[int, int, float, float, str]] = {}
    columns = ("unique_id_l", "unique_id_r", "match_weight", "match_probability", "outcome")
    for left, right, weight, prob, outcome, conflict in zip(
        *(pairs.column(c).to_pylist() for c in (*columns, "nhs_conflict")),
        strict=True,
    ):
        pl, pr = person_of[left], person_of[right]
        if pl == pr:
            continue
        if (min(left, right), max(left, right)) in non_matches:
            result.skipped_non_matches += 1
            continue
        result.counts[outcome] = result.counts.get(outcome, 0) + 1
        if outcome == Outcome.LINK:
            links.union(pl, pr)
        elif outcome == Outcome.REVIEW and frozenset((left, right)) not in decided:
            key = frozenset((pl, pr))
            if key not in unsure or unsure[key][3] < prob:
                why = CONFLICT_WHY if conflict else "Between the thresholds"
                unsure[key] = (left, right, weight, prob, f"{why} (batch run)")
    if dry_run:
        result.merges = sum(len(g) - 1 for g in links.groups())
        result.reviews_queued = len(unsure)
        return result
    _apply(links, unsure, model=model, by=by, result=result)
    return result


def _apply(
    links: Components,
    unsure: dict[frozenset[int], tuple[int, int, float, float, str]],
    *,
    model: LinkageModel,
    by: Any,
    result: RunResult,
) -> None:
    from hearth.linkage import model as splink_model
    from hearth.linkage.merge import MergeRefused, merge_people
    from hearth.people.models import Person

    for group in links.groups():
        survivor = Person.objects.get(pk=group[0])
        for other in group[1:]:
            try:
                with transaction.atomic():
                    # The model's decision, made by the system (by=None); the run is audited.
                    merge_people(
                        survivor=survivor,
                        merged=Person.objects.get(pk=other),
                        by=None,
                        reason=f"Linked automatically by linkage model v{model.version} "
                        f"(match probability at or above {model.upper_threshold}) in a batch run "
                        f"by {getattr(by, 'username', 'the system')}",
                    )
                result.merges += 1
            except MergeRefused:
                result.refused_merges += 1
    for left, right, weight, prob, why in unsure.values():
        with transaction.atomic():
            rec, cand = SourceRecord.objects.get(pk=left), SourceRecord.objects.get(pk=right)
            if rec.person_id == cand.person_id or rec.person is None or cand.person is None:
                continue  # joined by an automatic link above
            if rec.person.merged_into_id or cand.person.merged_into_id:
                continue
            scored = splink_model.score(
                model.splink_settings, model_input(rec, rec.pk), [model_input(cand, cand.pk)]
            )
            comparisons = list(scored[0].comparisons) if scored else []
            best = Best(cand.person.pk, cand, weight, prob, comparisons)
            if queue_review(rec, best, model=model, why=why):
                result.reviews_queued += 1
    record(
        action=AuditAction.LINK_RUN,
        by=by,
        object_type="linkage_model",
        object_id=model.pk,
        details={**result.as_dict(), "at": timezone.now().isoformat()},
    )
