"""The CIN census import benchmark still runs (small mode), so it cannot rot."""

from pathlib import Path

from tests.benchmarks.helpers import run_small


def test_small_census_benchmark_imports_every_child_then_finds_them_all_again(
    tmp_path: Path,
) -> None:
    result = run_small("cin_census", tmp_path)
    assert result["children"] == 300 and result["episodes"] > 300
    assert result["import_seconds"] > 0 and result["peak_memory_mb"] > 0
    assert result["reimport_unchanged_episodes"] == result["episodes"]
