"""The alerts benchmark and burden measurement still run (small mode), so they cannot rot."""

from pathlib import Path

from tests.benchmarks.helpers import run_small


def test_small_alerts_benchmark_runs_and_reports_burden(tmp_path: Path) -> None:
    result = run_small("alerts", tmp_path)
    assert result["incremental_samples"] == 50 and result["incremental_ms"]["p95"] > 0
    assert result["burden_months"] == 3 and result["children"] > 0
    assert sum(result["findings_now_by_rule"].values()) > 0  # a generated population fires some
    assert set(result["findings_now_by_rule"]) <= set(result["rules"])
    # Answering every alert monthly can only bring more back than leaving them open.
    answered = result["burden_answered_per_100_children_per_month"]
    for rule, left_open in result["burden_per_100_children_per_month"].items():
        assert answered[rule] >= left_open
