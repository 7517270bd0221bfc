"""The dataset benchmark still runs (small mode), so it cannot rot."""

from pathlib import Path

from tests.benchmarks.helpers import run_small


def test_small_dataset_benchmark_runs_and_times_each_part(tmp_path: Path) -> None:
    result = run_small("dataset", tmp_path)
    assert result["indicators"] >= 30
    for part in ("quarter_with_comparisons", "eight_quarter_trend", "workbook"):
        assert result[part]["median_s"] > 0
    assert result["workbook"]["bytes"] > 5_000
    # A generated population of 3,000 has referrals in any quarter.
    assert result["headline"]["referrals"][1] > 0
