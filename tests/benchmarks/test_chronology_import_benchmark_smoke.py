"""The chronology extract import benchmark still runs (small mode), so it cannot rot."""

from pathlib import Path

from tests.benchmarks.helpers import run_small


def test_small_chronology_benchmark_loads_every_row_then_finds_them_all_unchanged(
    tmp_path: Path,
) -> None:
    result = run_small("chronology_import", tmp_path)
    assert result["rows"] == 3000 and result["people"] == 300
    assert result["rows_per_second"] > 0 and result["peak_memory_mb"] > 0
    assert result["overlap_amended"] == 75 and result["overlap_created"] == 150
