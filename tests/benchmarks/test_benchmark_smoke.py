"""The child's-page benchmark still runs (small mode), so it cannot rot between full-scale runs."""

from pathlib import Path

from tests.benchmarks.helpers import run_small


def test_small_benchmark_runs_and_writes_results(tmp_path: Path) -> None:
    result = run_small("child_page", tmp_path)
    assert result["children_measured"] == 50
    assert result["page_ms"]["p95"] > 0 and result["data_sql_ms"]["p50"] > 0
    assert result["queries_per_build"]["max"] < 40
