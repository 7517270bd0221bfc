"""Benchmark: generate the synthetic linkage data set (issue 7) and report time and peak memory.

Streams N records (default 1,000,000) to Parquet with `hearth.linkage.synthetic.write_parquet` in a
fresh process, so the peak resident memory is the generator's own; then, unless --skip-rates,
generates the same records with the truth columns and reports the corruption rates achieved.
Results go to benchmarks/results/linkage_synthetic_data-<records>.json and .md.

    PYTHONPATH=src .venv/bin/python benchmarks/linkage_synthetic_data.py
    PYTHONPATH=src .venv/bin/python benchmarks/linkage_synthetic_data.py --records 20000  # seconds
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
TARGETS = {"seconds": 120.0, "peak_memory_mb": 2048.0}


def _generate(records: int, seed: int, output: str, truth: bool, queue: Any) -> None:
    from hearth.linkage.synthetic import corruption_rates, generate, write_parquet

    started = time.perf_counter()
    if truth:
        result: dict[str, Any] = {
            "rates": corruption_rates(generate(records, seed=seed, truth=True))
        }
    else:
        result = {"people": write_parquet(output, records, seed)}
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    queue.put(result)


def measure(records: int, seed: int, output: str, truth: bool) -> dict[str, Any]:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_generate, args=(records, seed, output, truth, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def markdown(result: dict[str, Any]) -> str:
    gen = result["generation"]
    lines = [
        f"Synthetic linkage data: {result['records']:,} records, seed {result['seed']}",
        "",
        "| measure | value | target |",
        "| --- | --- | --- |",
        f"| time to write Parquet | {gen['seconds']} s | ≤ {TARGETS['seconds']:.0f} s |",
        f"| peak memory | {gen['peak_memory_mb']} MB | ≤ {TARGETS['peak_memory_mb']:.0f} MB |",
        f"| people | {gen['people']:,} | |",
        f"| file size | {result['file_mb']} MB | |",
    ]
    rates = result.get("rates")
    if rates:
        nhs = rates["nhs_number"]
        lines += [
            f"| records a person | {rates['records_per_person']} | 2–3 |",
            f"| given name altered | {rates['given_name']['altered']:.1%} | ≈ 35% |",
            f"| family name altered | {rates['family_name']['altered']:.1%} | ≈ 32% |",
            f"| date of birth altered | {rates['date_of_birth']['altered']:.1%} | ≈ 15% |",
            f"| postcode altered (beyond movers) | {rates['postcode_beyond_movers']['altered']:.1%}"
            " | ≈ 4% |",
            f"| previous address (movers) | {rates['moved']:.1%} | |",
            f"| twins (share of people) | {rates['twins_share_of_people']:.2%} | |",
            f"| NHS number mistyped (of recorded) | {nhs['mistyped_of_recorded']:.2%} | |",
            f"| mistyped yet valid / another person's | {nhs['mistyped_but_valid']} / "
            f"{nhs['mistyped_valid_and_another_persons']} of {nhs['mistyped_records']:,} | |",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", help="Parquet file (default: a temporary file, removed)")
    parser.add_argument("--skip-rates", action="store_true")
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks" / "results")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        output = args.output or str(Path(tmp) / "synthetic.parquet")
        generation = measure(args.records, args.seed, output, truth=False)
        file_mb = round(os.path.getsize(output) / 1e6, 1)
    result: dict[str, Any] = {
        "benchmark": "linkage_synthetic_data",
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "cpu": cpu(),
        "cores": os.cpu_count(),
        "records": args.records,
        "seed": args.seed,
        "targets": TARGETS,
        "generation": generation,
        "file_mb": file_mb,
    }
    if not args.skip_rates:
        truth = measure(args.records, args.seed, "", truth=True)
        result["rates"] = truth["rates"]
        result["with_truth"] = {k: truth[k] for k in ("seconds", "peak_memory_mb")}
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"linkage_synthetic_data-{args.records}"
    Path(f"{path}.json").write_text(json.dumps(result, indent=2) + "\n")
    table = markdown(result)
    Path(f"{path}.md").write_text(table)
    print(table)
    print(f"Written {path}.json and .md")
    ok = (
        generation["seconds"] <= TARGETS["seconds"]
        and generation["peak_memory_mb"] <= TARGETS["peak_memory_mb"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
