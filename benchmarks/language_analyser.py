"""Benchmark: the recording-quality language analyser against its labelled recordings.

Compares the flag codes the analyser raises for each recording in benchmarks/data/recordings.jsonl
with the codes a careful reviewer gave it: micro-averaged precision and recall over (recording,
code) pairs, per category and per code, and at text level ("does it need any advice?"). Also
times it. The "dev" split was used to tune the lexicon; "test" is held out.

    .venv/bin/python benchmarks/language_analyser.py                 # held-out test split
    .venv/bin/python benchmarks/language_analyser.py --split dev --errors
    .venv/bin/python benchmarks/language_analyser.py --check --write # CI: fail under 0.9

--write saves every split to benchmarks/results/language_analyser.json.
"""

import argparse
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "benchmarks" / "data" / "recordings.jsonl"
RESULTS = REPO / "benchmarks" / "results" / "language_analyser.json"
TARGET = 0.9

try:
    from hearth.recording.analyser import load_lexicon
    from hearth.recording.evaluation import evaluate, load_records, time_long_text
except ImportError:  # run from a checkout without the package installed
    sys.path.insert(0, str(REPO / "src"))
    from hearth.recording.analyser import load_lexicon
    from hearth.recording.evaluation import evaluate, load_records, time_long_text


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=["dev", "test", "all"], default="test")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
    parser.add_argument("--errors", action="store_true", help="List every disagreement.")
    parser.add_argument(
        "--check", action="store_true", help=f"Exit 1 if precision or recall < {TARGET}."
    )
    parser.add_argument("--write", action="store_true", help=f"Write {RESULTS.relative_to(REPO)}.")
    return parser.parse_args(argv)


def _row(name: str, scores: dict[str, Any]) -> str:
    return (
        f"{name:<24} {scores['precision']:>9.3f} {scores['recall']:>7.3f} {scores['f1']:>6.3f}"
        f" {scores['tp']:>5} {scores['fp']:>4} {scores['fn']:>4}"
    )


def print_table(split: str, result: dict[str, Any]) -> None:
    print(
        f"Language analyser on the {split} split: {result['records']} recordings, "
        f"{result['gold_pairs']} gold (recording, code) pairs"
    )
    print(f"{'':<24} {'precision':>9} {'recall':>7} {'f1':>6} {'tp':>5} {'fp':>4} {'fn':>4}")
    print(_row("micro (recording, code)", result["micro"]))
    print(_row("text level (any flag)", result["text_level"]))
    print("by category")
    for name, scores in result["by_category"].items():
        print(_row(f"  {name}", scores))
    print("by code")
    for name, scores in result["by_code"].items():
        print(_row(f"  {name}", scores))
    speed = result["speed"]
    print(
        f"speed: {speed['texts_per_second']:,.0f} recordings/s, "
        f"{speed['ms_per_1000_words']:.2f} ms per 1,000 words across recordings; "
        f"one {result['long_text']['words']}-word entry: {result['long_text']['best_ms']:.2f} ms"
    )


def print_errors(result: dict[str, Any]) -> None:
    print(f"\n{len(result['errors'])} recordings where the analyser and the gold labels differ:")
    for error in result["errors"]:
        print(
            f"- {error['id']}: false positives {error['false_positives'] or '-'}, "
            f"false negatives {error['false_negatives'] or '-'}"
        )
        print(f"    {error['text']}")


def run(split: str, data: Path) -> dict[str, Any]:
    lexicon = load_lexicon()
    records = load_records(data, split)
    result = evaluate(records, lexicon=lexicon)
    result["long_text"] = time_long_text(load_records(data, "all"), lexicon=lexicon)
    return result


def write(data: Path) -> None:
    splits = {}
    for split in ("dev", "test", "all"):
        result = run(split, data)
        result["errors"] = [
            {k: e[k] for k in ("id", "false_positives", "false_negatives")}
            for e in result["errors"]
        ]
        splits[split] = result
    payload = {
        "benchmark": "language_analyser",
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "data": str(data.relative_to(REPO)) if data.is_relative_to(REPO) else str(data),
        "target": {"precision": TARGET, "recall": TARGET, "split": "test"},
        "splits": splits,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(REPO)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    result = run(args.split, args.data)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(args.split, result)
        if args.errors:
            print_errors(result)
    if args.write:
        write(args.data)
    if args.check:
        micro = result["micro"]
        if micro["precision"] < TARGET or micro["recall"] < TARGET:
            print(
                f"FAIL: precision {micro['precision']:.3f}, recall {micro['recall']:.3f} "
                f"(target {TARGET})",
                file=sys.stderr,
            )
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
