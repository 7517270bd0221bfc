"""Accuracy and speed on the UK-shaped synthetic set (`hearth link evaluate --dataset synthetic`).

The model is trained on the generated records exactly as `hearth link train` trains on the
partnership's own (unsupervised: no labels), then the batch run's own decision step
(`hearth.linkage.batch.decided_pairs`) decides every pair, and the decisions are scored against
the generator's ground truth (`hearth.linkage.metrics.evaluate_clusters`). Nothing here touches
the application database.
"""

import resource
import time
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from hearth.linkage import metrics, synthetic
from hearth.linkage.batch import decided_pairs


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def evaluate(
    records: int,
    *,
    seed: int = 2,
    train_seed: int | None = None,
    upper: float | None = None,
    lower: float | None = None,
    backend: str = "duckdb",
) -> dict[str, Any]:
    """Train on one generated set (`train_seed`, default the same), link and score another."""
    from hearth.linkage import model as splink_model

    timings: dict[str, float] = {}
    started = time.perf_counter()
    table = synthetic.generate(records, seed=seed)
    timings["generate_s"] = time.perf_counter() - started
    inputs = table.drop_columns(["cluster"])
    training = inputs
    if train_seed is not None and train_seed != seed:
        training = synthetic.generate(records, seed=train_seed).drop_columns(["cluster"])
    started = time.perf_counter()
    model = splink_model.train(training, backend=backend)
    timings["train_s"] = time.perf_counter() - started
    upper = splink_model.DEFAULT_UPPER if upper is None else upper
    lower = splink_model.DEFAULT_LOWER if lower is None else lower
    started = time.perf_counter()
    pairs = decided_pairs(model, inputs, upper=upper, lower=lower, backend=backend)
    timings["link_s"] = time.perf_counter() - started
    kept = pairs.filter(pc.is_in(pairs["outcome"], pa.array(["link", "review"])))
    scores = metrics.evaluate_clusters(
        kept.select(["unique_id_l", "unique_id_r", "outcome"]),
        table.select(["unique_id", "cluster"]),
    )
    return {
        "dataset": "synthetic",
        "records": records,
        "seed": seed,
        "train_seed": train_seed if train_seed is not None else seed,
        "backend": backend,
        "upper_threshold": upper,
        "lower_threshold": lower,
        "pairs_scored": pairs.num_rows,
        "twins_pairs_held_for_review": int(pc.sum(pairs["twins"]).as_py() or 0),
        **scores,
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "peak_memory_mb": round(_peak_mb(), 1),
    }
