"""The same model on Splink's Spark backend (local mode) makes the same decisions as on DuckDB.

Needs `pip install hearth[spark]` and Java 17. Skipped without them on a developer's machine;
in CI (where `CI` is set) their absence is a failure, so the test can never silently vanish."""

import importlib.util
import os
import shutil

import pytest

from hearth.linkage import model as linkage_model
from tests.linkage_records import population

SPARK_MISSING = importlib.util.find_spec("pyspark") is None or shutil.which("java") is None

if SPARK_MISSING:
    if os.environ.get("CI"):
        pytest.fail(
            "CI must run the Spark linkage test: install .[spark] and openjdk-17-jre-headless",
            pytrace=False,
        )
    pytest.skip("pyspark or Java is not installed", allow_module_level=True)


def decisions(table: object) -> dict[tuple[str, str], tuple[str, float]]:
    upper, lower = linkage_model.DEFAULT_UPPER, linkage_model.DEFAULT_LOWER
    out = {}
    for a, b, w, p in zip(
        *(table.column(c).to_pylist() for c in table.column_names),  # type: ignore[attr-defined]
        strict=True,
    ):
        key = tuple(sorted((str(a), str(b))))
        out[key] = ("link" if p >= upper else "review" if p >= lower else "new", round(w, 6))
    return out


def test_spark_makes_the_same_decisions_as_duckdb() -> None:
    records, truth = population(n_people=150, seed=11)
    model = linkage_model.train(records)
    table = linkage_model.standardise_table(records)
    on_duckdb = linkage_model.predict(model, table, threshold_probability=0.001)
    on_spark = linkage_model.predict(model, table, threshold_probability=0.001, backend="spark")
    duck, spark = decisions(on_duckdb), decisions(on_spark)
    assert len(duck) >= len(truth) * 0.9
    assert duck.keys() == spark.keys()
    assert {k: v[0] for k, v in duck.items()} == {k: v[0] for k, v in spark.items()}
    assert all(abs(duck[k][1] - spark[k][1]) < 1e-6 for k in duck)
