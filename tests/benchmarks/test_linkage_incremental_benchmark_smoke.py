"""The incremental matching benchmark still runs (small mode), so it cannot rot."""

from pathlib import Path

from tests.benchmarks.helpers import run_small


def test_small_incremental_matching_benchmark_matches_every_held_out_record(
    tmp_path: Path,
) -> None:
    result = run_small("linkage_incremental", tmp_path)
    assert result["people"] == 3000
    assert result["incoming_records"] == 100
    assert sum(v for k, v in result["outcomes"].items() if k.startswith("judged_")) == 100
    assert result["judge_ms"]["p95"] > 0 and result["receive_ms"]["p95"] > 0
