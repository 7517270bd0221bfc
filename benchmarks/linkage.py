"""Benchmark: batch person matching (issue 7) on the UK-shaped synthetic set — speed, memory,
comparisons per blocking rule, and accuracy against the generator's ground truth.

1. Generate N records (default 1,000,000, seed 2) to Parquet (`hearth.linkage.synthetic`).
2. Train the model unsupervised on the records without `cluster` (`hearth.linkage.model.train`;
   `--train-sample` trains on a random sample instead), in a fresh process: time, peak memory.
3. Link: `hearth.linkage.batch.decided_pairs` (standardise, Splink predict on DuckDB, the twins
   rule, the three outcomes) on all N records, in a fresh process, so the peak resident memory
   (DuckDB's included) is the batch run's own: time, peak memory.
4. Count the comparisons each blocking rule generates (`model.count_comparisons`).
5. Score the decisions against the truth (`synthetic_evaluation.as_queued`,
   `metrics.evaluate_clusters`); only here is `cluster` read.

Results go to benchmarks/results/linkage-<N>.json and .md.

    PYTHONPATH=src HEARTH_ENV=test .venv/bin/python benchmarks/linkage.py            # 1,000,000
    PYTHONPATH=src HEARTH_ENV=test .venv/bin/python benchmarks/linkage.py --small    # seconds
"""

import argparse
import json
import multiprocessing
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TARGETS = {
    "link_seconds": 120.0,
    "peak_memory_mb": 6144.0,
    "precision": 0.999,
    "recall": 0.95,
    "review_share": 0.01,
}


# At 1,000,000 records the prior (two random records match) is fifty times smaller than at
# 20,000, so thresholds chosen at 20,000 do not carry over: these were chosen on seed 1 at
# 1,000,000 (all three targets met there: precision 0.99905, recall 0.9522, review queue
# 0.96% of records) and are reported on seed 2. They are the app's defaults
# (`model.DEFAULT_UPPER/LOWER`).
THRESHOLDS_1M = (0.992, 0.985)


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    os.environ.setdefault("HEARTH_ENV", "test")
    import django

    django.setup()


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _inputs(path: str) -> Any:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    return table.drop_columns([c for c in ("cluster",) if c in table.column_names])


def _train(data: str, model_path: str, sample: int | None, seed: int, queue: Any) -> None:
    _setup()
    import numpy as np

    from hearth.linkage import model as splink_model

    records = _inputs(data)
    if sample and sample < records.num_rows:
        rng = np.random.default_rng(seed)
        records = records.take(np.sort(rng.choice(records.num_rows, sample, replace=False)))
    started = time.perf_counter()
    model = splink_model.train(records)
    seconds = time.perf_counter() - started
    Path(model_path).write_text(json.dumps(model))
    queue.put(
        {
            "records": records.num_rows,
            "seconds": round(seconds, 2),
            "peak_memory_mb": _peak_mb(),
            "probability_two_random_records_match": model["training"][
                "probability_two_random_records_match"
            ],
            "family_name_at_home": model["training"]["family_name_at_home"],
        }
    )


def _link(
    data: str, model_path: str, pairs_path: str, upper: float, lower: float, queue: Any
) -> None:
    _setup()
    import pyarrow.parquet as pq

    from hearth.linkage.batch import decided_pairs

    model = json.loads(Path(model_path).read_text())
    started = time.perf_counter()
    records = _inputs(data)
    pairs = decided_pairs(model, records, upper=upper, lower=lower)
    seconds = time.perf_counter() - started
    pq.write_table(pairs, pairs_path)
    queue.put(
        {
            "seconds": round(seconds, 2),
            "peak_memory_mb": _peak_mb(),
            "pairs_scored": pairs.num_rows,
        }
    )


def _count(data: str, sample: float, queue: Any) -> None:
    _setup()
    from hearth.linkage import model as splink_model

    started = time.perf_counter()
    counts = splink_model.count_comparisons(_inputs(data), sample=sample)
    queue.put({"by_rule": counts, "seconds": round(time.perf_counter() - started, 2)})


def _in_process(target: Any, *args: Any) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    if process.exitcode:
        raise RuntimeError(f"{target.__name__} failed with exit code {process.exitcode}")
    return result


def accuracy(data: str, pairs_path: str) -> dict[str, Any]:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from hearth.linkage import metrics
    from hearth.linkage.synthetic_evaluation import as_queued

    pairs = pq.read_table(pairs_path)
    queued = as_queued(pairs)
    scores = metrics.evaluate_clusters(
        queued.select(["unique_id_l", "unique_id_r", "outcome"]),
        pq.read_table(data, columns=["unique_id", "cluster"]),
    )
    scores["twins_pairs_held_for_review"] = int(pc.sum(pairs["twins"]).as_py() or 0)
    scores["links_held_different_nhs_numbers"] = int(pc.sum(pairs["nhs_conflict"]).as_py() or 0)
    return scores


def cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def markdown(result: dict[str, Any]) -> str:
    acc, link, train = result["accuracy"], result["link"], result["train"]
    comparisons = result["comparisons"]["by_rule"]
    lines = [
        f"Batch linkage: {result['records']:,} synthetic records, seed {result['seed']}, "
        f"thresholds {result['upper']} / {result['lower']}",
        "",
        "| measure | value | target |",
        "| --- | --- | --- |",
        f"| batch linkage (`decided_pairs`) | {link['seconds']} s | ≤ 120 s |",
        f"| peak memory, batch linkage | {link['peak_memory_mb']:,.0f} MB | ≤ 6,144 MB |",
        f"| training ({train['records']:,} records) | {train['seconds']} s, "
        f"{train['peak_memory_mb']:,.0f} MB | |",
        f"| pairs scored (at or above the lower threshold) | {link['pairs_scored']:,} | |",
        f"| precision, automatic links | {acc['precision']:.5f} | ≥ 0.999 |",
        f"| recall, links + review | {acc['recall']:.4f} | ≥ 0.95 |",
        f"| review queue / records | {acc['review_share']:.2%} | ≤ 1% |",
        f"| F1 | {acc['f1']:.4f} | |",
        f"| twins pairs held for review | {acc['twins_pairs_held_for_review']:,} | |",
        "| automatic links held for review: different NHS numbers | "
        f"{acc['links_held_different_nhs_numbers']:,} | |",
        "",
        "| blocking rule | comparisons |",
        "| --- | --- |",
        *(f"| {rule} | {n:,} |" for rule, n in comparisons.items()),
        f"| **total** | **{sum(comparisons.values()):,}** |",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--small", action="store_true", help="3,000 records: seconds")
    parser.add_argument("--train-sample", type=int, help="train on this many records")
    parser.add_argument("--upper", type=float)
    parser.add_argument("--lower", type=float)
    parser.add_argument("--data", help="keep the generated Parquet file here")
    parser.add_argument("--pairs", help="keep the decided pairs (Parquet) here")
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks" / "results")
    parser.add_argument("--database-url", help="unused: the batch run reads no database")
    args = parser.parse_args(argv)
    records = 3_000 if args.small else args.records

    _setup()
    from hearth.linkage import synthetic
    from hearth.linkage.synthetic_evaluation import SYNTHETIC_LOWER, SYNTHETIC_UPPER

    default = THRESHOLDS_1M if records >= 500_000 else (SYNTHETIC_UPPER, SYNTHETIC_LOWER)
    upper = default[0] if args.upper is None else args.upper
    lower = default[1] if args.lower is None else args.lower
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or str(Path(tmp) / "synthetic.parquet")
        pairs_path = args.pairs or str(Path(tmp) / "pairs.parquet")
        model_path = str(Path(tmp) / "model.json")
        started = time.perf_counter()
        if not (args.data and Path(args.data).exists()):
            synthetic.write_parquet(data, records, args.seed)
        generate_s = round(time.perf_counter() - started, 2)
        train = _in_process(_train, data, model_path, args.train_sample, args.seed)
        link = _in_process(_link, data, model_path, pairs_path, upper, lower)
        comparisons = _in_process(_count, data, 1.0)
        scores = accuracy(data, pairs_path)
    result: dict[str, Any] = {
        "benchmark": "linkage",
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpu": cpu(),
        "cores": os.cpu_count(),
        "records": records,
        "seed": args.seed,
        "upper": upper,
        "lower": lower,
        "targets": TARGETS,
        "generate_seconds": generate_s,
        "train": train,
        "link": link,
        "comparisons": comparisons,
        "accuracy": scores,
    }
    args.output.mkdir(parents=True, exist_ok=True)
    path = args.output / f"linkage-{records}"
    Path(f"{path}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    table = markdown(result)
    Path(f"{path}.md").write_text(table)
    print(table)
    print(f"Written {path}.json and .md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
