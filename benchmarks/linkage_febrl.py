"""Accuracy of the matching model on FEBRL3 (deduplication) and FEBRL4 (linking two files), the
incremental score() latency, and the comparisons each blocking rule generates.

Each data set is trained unsupervised and predicted on DuckDB; precision, recall and F1 at the
default thresholds, with FEBRL's soc_sec_id as an unverified `other_id` and without it. Latency:
one FEBRL3 record against 1, 20 and 100 candidates in a warm process. Results go to
benchmarks/results/linkage-febrl.json and .md.

    .venv/bin/python benchmarks/linkage_febrl.py
    .venv/bin/python benchmarks/linkage_febrl.py --entities 300    # seconds; a smoke run
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from hearth.linkage import evaluation  # noqa: E402
from hearth.linkage import model as linkage_model  # noqa: E402


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {
        "p50": round(pick(0.5), 2),
        "p95": round(pick(0.95), 2),
        "max": round(ordered[-1], 2),
        "mean": round(statistics.fmean(ordered), 2),
    }


def latency(entities: int | None, repeats: int) -> dict[str, Any]:
    records, _, link_type = evaluation.febrl_records("febrl3", entities=entities)
    model = linkage_model.train(records, link_type=link_type)
    rng = random.Random(1)
    started = time.perf_counter()
    linkage_model.score(model, records[0], records[1:3])
    out: dict[str, Any] = {"first_call_ms": round((time.perf_counter() - started) * 1000, 1)}
    for n in (1, 20, 100):
        times = []
        for _ in range(repeats):
            record, candidates = rng.choice(records), rng.sample(records, n)
            t = time.perf_counter()
            linkage_model.score(model, record, candidates)
            times.append((time.perf_counter() - t) * 1000)
        out[f"candidates_{n}_ms"] = percentiles(times)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=None, help="only the first N people")
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--output", type=Path, default=REPO / "benchmarks/results/linkage-febrl")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "thresholds": {
            "upper": evaluation.FEBRL_UPPER,
            "lower": evaluation.FEBRL_LOWER,
        },
        "datasets": [],
        "comparisons": {},
    }
    for dataset in evaluation.DATASETS:
        for with_identifier in (True, False):
            result["datasets"].append(
                evaluation.evaluate(
                    dataset, with_identifier=with_identifier, entities=args.entities
                )
            )
        records, _, link_type = evaluation.febrl_records(dataset, entities=args.entities)
        result["comparisons"][dataset] = linkage_model.count_comparisons(
            records, link_type=link_type
        )
    result["score_latency"] = latency(args.entities, args.repeats)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    Path(f"{args.output}.json").write_text(json.dumps(result, indent=2) + "\n")
    table = markdown(result)
    Path(f"{args.output}.md").write_text(table)
    print(table)
    return 0


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "| data set | identifier | auto links P / R / F1 | links + review P / R / F1 | "
        "records: link / review / new |",
        "|---|---|---|---|---|",
    ]
    for r in result["datasets"]:
        a, b, o = r["auto_links"], r["auto_links_and_review"], r["records_by_outcome"]
        lines.append(
            f"| {r['dataset']} ({r['records']} records, {r['true_pairs']} true pairs) "
            f"| {r['identifier']} | {a['precision']} / {a['recall']} / {a['f1']} "
            f"| {b['precision']} / {b['recall']} / {b['f1']} "
            f"| {o['auto_link']} / {o['review']} / {o['new']} |"
        )
    lat = result["score_latency"]
    lines += ["", "| score(): one record against | p50 ms | p95 ms |", "|---|---|---|"]
    for n in (1, 20, 100):
        p = lat[f"candidates_{n}_ms"]
        lines.append(f"| {n} candidates | {p['p50']} | {p['p95']} |")
    lines += ["", "| blocking rule | " + " | ".join(result["comparisons"]) + " |"]
    lines.append("|---|" + "---|" * len(result["comparisons"]))
    rules = list(next(iter(result["comparisons"].values())))
    for rule in rules:
        lines.append(
            f"| {rule} | "
            + " | ".join(str(c.get(rule, "-")) for c in result["comparisons"].values())
            + " |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
