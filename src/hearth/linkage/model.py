"""The probabilistic matching model: Splink (Fellegi–Sunter with term-frequency adjustments).

One set of comparisons runs on DuckDB (the default, whatever the application database is) and on
Spark (a regional or national index). Every comparison uses only SQL that both engines have
natively, with identical results — equality, `levenshtein` and array intersection — because
anything fuzzier (phonetic codes, nickname groups, postcode parts) is computed once in Python by
`features.standardise`. Splink's Spark similarity jar does load under pyspark 4, but its
Jaro-Winkler scales the prefix bonus differently from DuckDB's for long strings, so using it
would let the two engines disagree on a pair near a threshold.

A trained model is a plain JSON-serialisable dict: Splink's saved settings (m, u, λ) in DuckDB's
dialect, plus the term-frequency tables that incremental scoring needs (`score` compares one
record with a handful of candidates, so it cannot derive frequencies from its input).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any, cast

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import Linker, SettingsCreator, block_on
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.exceptions import EMTrainingException

from hearth.linkage.features import COLUMNS, Memo, standard_date, standardise

FORMAT = "hearth-linkage/1"
# Match probability: link at or above DEFAULT_UPPER; review between; a new person below LOWER.
# Chosen at a partnership's scale (1,000,000 synthetic records, seed 1; reported on seed 2,
# docs/linkage.md): probabilities depend on the prior, which shrinks as 1/N, so thresholds
# from a small data set (FEBRL: `evaluation.FEBRL_UPPER`) do not carry over.
DEFAULT_UPPER = 0.992
DEFAULT_LOWER = 0.985

TF_COLUMNS = ("given_name", "family_name", "date_of_birth")

logging.getLogger("splink").setLevel(logging.WARNING)


def _splink_log_level() -> int:
    """Warnings, or quieter if the caller asked (`hearth link` shows a data officer errors only):
    a Linker sets the "splink" logger to the level it is given."""
    return max(logging.WARNING, logging.getLogger("splink").level)


# ---------------------------------------------------------------------------------------------
# Comparisons and blocking rules
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonSpec:
    """One comparison: its key (Splink's output column), the name a reviewer reads, the input
    column whose presence decides whether it is used, and how to show each side's value."""

    key: str
    name: str
    column: str
    raw_fields: tuple[str, ...]
    levels: Any = field(compare=False, repr=False)

    def comparison(self, training: bool = False) -> ComparisonCreator:
        levels = self.levels()
        if training:
            # A level that reads another comparison's columns would stop EM learning this one
            # (Splink leaves out comparisons that read the blocking columns): trained without,
            # then given its weight (`condition_twins`).
            levels = [lvl for lvl in levels if _label(lvl) != TWINS_AT_HOME]
        return cl.CustomComparison(
            comparison_levels=levels,
            output_column_name=self.key,
            comparison_description=self.name,
        )


def _label(level: Any) -> str | None:
    return getattr(level, "_label_for_charts", None) or getattr(level, "label_for_charts", None)


def _lev(col: str, n: int, label: str) -> Any:
    return cll.LevenshteinLevel(col, n).configure(label_for_charts=label)


def _exact(col: str, label: str, tf: bool = False) -> Any:
    return cll.ExactMatchLevel(col, term_frequency_adjustments=tf).configure(label_for_charts=label)


def _null(col: str) -> Any:
    return cll.NullLevel(col).configure(label_for_charts="missing on one side")


def _else() -> Any:
    return cll.ElseLevel().configure(label_for_charts="different")


def _custom(sql: str, label: str) -> Any:
    return cll.CustomLevel(sql, base_dialect_str="duckdb").configure(label_for_charts=label)


# One home: the same house number, street spelt alike, no conflicting flat, and (where both
# have one) the same postcode district. Household members share it as well as the person.
SAME_HOME = (
    "address_number_l = address_number_r"
    " AND levenshtein(address_street_l, address_street_r) <= 2"
    " AND coalesce(address_flat_l = address_flat_r, true)"
    " AND coalesce(postcode_district_l = postcode_district_r, true)"
)
AT_HOME = ", same home"
# Two records born on the same day at one home whose given names clearly differ: twins far more
# often than one person (`condition_twins`).
TWINS_AT_HOME = "different, same date of birth and home"


# Two different initials ("E", "G") are two names, not one name with a letter changed.
NOT_TWO_INITIALS = "NOT (length(given_name_l) = 1 AND length(given_name_r) = 1)"
# One record's given name is the other's middle name, and the other way round agrees or is
# unknown: "Olivia" and "Margaret Olivia" may be one person; "Isla Evie" and "Evie Amelia" are
# two (twins given each other's names as middle names), whose middle names contradict it.
MIDDLE_NAME_SWAPPED = (
    "(given_name_l = middle_name_r AND coalesce(middle_name_l = given_name_r, true))"
    " OR (middle_name_l = given_name_r AND coalesce(middle_name_r = given_name_l, true))"
)


def _given_name_levels() -> list[Any]:
    shorter = "CASE WHEN length(given_name_l) <= length(given_name_r) THEN {a} ELSE {b} END"
    short = shorter.format(a="given_name_l", b="given_name_r")
    long = shorter.format(a="given_name_r", b="given_name_l")
    return [
        _null("given_name"),
        _exact("given_name", "exact", tf=True),
        cll.ArrayIntersectLevel("given_name_groups", 1).configure(
            label_for_charts="nickname variant"
        ),
        _custom(
            f"levenshtein(given_name_l, given_name_r) <= 1 AND {NOT_TWO_INITIALS}",
            "one letter different",
        ),
        _custom(f"length({short}) = 1 AND substr({long}, 1, 1) = {short}", "initial of the other"),
        _custom(
            f"length({short}) >= 3 AND substr({long}, 1, length({short})) = {short}",
            "start of the other",
        ),
        _custom(MIDDLE_NAME_SWAPPED, "swapped with a middle name"),
        _exact("given_name_phonetic", "sounds alike"),
        _custom(
            f"levenshtein(given_name_l, given_name_r) <= 2 AND {NOT_TWO_INITIALS}",
            "two letters different",
        ),
        _custom(
            "given_name_l = family_name_r OR family_name_l = given_name_r",
            "swapped with the family name",
        ),
        _custom(f"date_of_birth_l = date_of_birth_r AND {SAME_HOME}", TWINS_AT_HOME),
        _else(),
    ]


def _family_name_levels() -> list[Any]:
    """Family name, compared apart at one home: household members share the name *and* the
    address, so at the same home a shared name is weak evidence (`condition_on_home`)."""
    home = cll.CustomLevel(SAME_HOME, base_dialect_str="duckdb")
    similar = cll.Or(
        cll.ArrayIntersectLevel("family_names", 1),
        cll.LevenshteinLevel("family_name", 2),
        cll.ExactMatchLevel("family_name_phonetic"),
    )
    return [
        _null("family_name"),
        cll.And(cll.ExactMatchLevel("family_name"), home).configure(
            label_for_charts="exact" + AT_HOME
        ),
        cll.And(similar, home).configure(label_for_charts="similar" + AT_HOME),
        _custom(SAME_HOME, "different" + AT_HOME),
        _exact("family_name", "exact", tf=True),
        cll.ArrayIntersectLevel("family_names", 1).configure(
            label_for_charts="matches a previous family name"
        ),
        _lev("family_name", 1, "one letter different"),
        _custom(
            "family_name_l = given_name_r OR given_name_l = family_name_r",
            "swapped with the given name",
        ),
        _exact("family_name_phonetic", "sounds alike"),
        _lev("family_name", 2, "two letters different"),
        _else(),
    ]


_Y = "substr(date_of_birth_{s}, 1, 4)"
_M = "substr(date_of_birth_{s}, 6, 2)"
_D = "substr(date_of_birth_{s}, 9, 2)"


def _agree(part: str) -> str:
    return f"CASE WHEN {part.format(s='l')} = {part.format(s='r')} THEN 1 ELSE 0 END"


def _dob_levels() -> list[Any]:
    transposed = (
        f"{_Y.format(s='l')} = {_Y.format(s='r')} AND {_M.format(s='l')} = {_D.format(s='r')} "
        f"AND {_D.format(s='l')} = {_M.format(s='r')}"
    )
    two_of_three = f"({_agree(_Y)} + {_agree(_M)} + {_agree(_D)}) >= 2"
    return [
        _null("date_of_birth"),
        _exact("date_of_birth", "exact", tf=True),
        cll.CustomLevel(transposed, base_dialect_str="duckdb").configure(
            label_for_charts="day and month transposed"
        ),
        cll.CustomLevel(two_of_three, base_dialect_str="duckdb").configure(
            label_for_charts="one of day, month or year different"
        ),
        _else(),
    ]


def _sex_levels() -> list[Any]:
    return [_null("sex"), _exact("sex", "same"), _else()]


def _address_levels() -> list[Any]:
    """Where the person lives, postcode and address together: two comparisons would count one
    fact (the same home) twice."""
    return [
        cll.CustomLevel(
            "(postcode_l IS NULL AND address_number_l IS NULL AND address_street_l IS NULL)"
            " OR (postcode_r IS NULL AND address_number_r IS NULL AND address_street_r IS NULL)",
            base_dialect_str="duckdb",
        ).configure(is_null_level=True, label_for_charts="missing on one side"),
        _custom(f"{SAME_HOME} AND postcode_l = postcode_r", "same home and postcode"),
        _custom(SAME_HOME, "same home, postcode differs or missing"),
        _custom("postcode_l = postcode_r", "same postcode, another home"),
        _custom(
            "address_street_l = address_street_r"
            " AND coalesce(postcode_district_l = postcode_district_r, true)",
            "same street, another number",
        ),
        _lev("postcode", 1, "postcode one character different"),
        _exact("postcode_sector", "same postcode sector"),
        _exact("postcode_district", "same postcode district"),
        _else(),
    ]


def _identifier_levels(col: str) -> Any:
    def levels() -> list[Any]:
        return [_null(col), _exact(col, "same"), _else()]

    return levels


def _other_id_levels() -> list[Any]:
    return [
        _null("other_id"),
        _exact("other_id", "same"),
        _lev("other_id", 1, "one character different"),
        _lev("other_id", 2, "two characters different"),
        _else(),
    ]


COMPARISONS: tuple[ComparisonSpec, ...] = (
    ComparisonSpec(
        "given_name", "Given name", "given_name", ("given_name", "middle_names"), _given_name_levels
    ),
    ComparisonSpec(
        "family_name",
        "Family name",
        "family_name",
        ("family_name", "previous_family_names"),
        _family_name_levels,
    ),
    ComparisonSpec(
        "date_of_birth", "Date of birth", "date_of_birth", ("date_of_birth",), _dob_levels
    ),
    ComparisonSpec("sex", "Sex", "sex", ("sex",), _sex_levels),
    ComparisonSpec("address", "Address", "postcode", ("address", "postcode"), _address_levels),
    # A different valid NHS number on both sides is strong evidence of two people: EM learns
    # a negative weight for the "different" level (an invalid number is null, so no weight),
    # too small where twins share a home, so conflicting numbers also hold any automatic link
    # for review (hearth.linkage.conflicts).
    ComparisonSpec(
        "nhs_number", "NHS number", "nhs_number", ("nhs_number",), _identifier_levels("nhs_number")
    ),
    ComparisonSpec("upn", "Unique pupil number", "upn", ("upn",), _identifier_levels("upn")),
    # An identifier without a check digit (another agency's reference; FEBRL's soc_sec_id):
    # mistyped values are expected, so near agreement counts for something.
    ComparisonSpec("other_id", "Other identifier", "other_id", ("other_id",), _other_id_levels),
)
_SPECS = {c.key: c for c in COMPARISONS}

# Blocking: which pairs are scored at all. Each rule is an equi-join, so the cost is the sum over
# its key values of n²/2; together they must find a true pair through at least one route
# whatever single field was corrupted (see docs/linkage.md for the counts).
BLOCKING_RULES: dict[str, tuple[str, ...] | str] = {
    "nhs_number": ("nhs_number",),
    "upn": ("upn",),
    "other_id": ("other_id",),
    "dob_given_sound": ("date_of_birth", "given_name_phonetic"),
    "dob_family_sound": ("date_of_birth", "family_name_phonetic"),
    "names_sound": ("given_name_phonetic", "family_name_phonetic"),
    "postcode_birth_year": ("postcode", "dob_year"),
    "dob_postcode": ("date_of_birth", "postcode"),
    "household": ("postcode", "address_number"),
    "names_swapped": "l.given_name = r.family_name AND l.family_name = r.given_name",
}
_RULE_NEEDS = {"nhs_number": "nhs_number", "upn": "upn", "other_id": "other_id"}


def blocking_rules(comparisons: Iterable[str] | None = None) -> list[Any]:
    keys = set(comparisons) if comparisons is not None else set(_SPECS)
    return [
        cols if isinstance(cols, str) else block_on(*cols)
        for name, cols in BLOCKING_RULES.items()
        if name not in _RULE_NEEDS or _RULE_NEEDS[name] in keys
    ]


def settings(
    *,
    link_type: str = "dedupe_only",
    comparisons: Iterable[str] | None = None,
    training: bool = False,
) -> SettingsCreator:
    """The model's settings: every comparison (or the named ones) and the blocking rules.

    `train` names only the comparisons whose column holds data in the training records: a
    comparison with nothing to learn from would carry untrained weights."""
    keys = list(comparisons) if comparisons is not None else list(_SPECS)
    source_column: Any = "source_system" if link_type == "link_only" else None
    return SettingsCreator(
        link_type=cast(Any, link_type),
        unique_id_column_name="unique_id",
        source_dataset_column_name=source_column,
        comparisons=[_SPECS[k].comparison(training) for k in keys],
        blocking_rules_to_generate_predictions=blocking_rules(keys),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


# ---------------------------------------------------------------------------------------------
# Records in
# ---------------------------------------------------------------------------------------------

_ARROW_TYPES = {
    "str": pa.string(),
    "list": pa.list_(pa.string()),
    "bool": pa.bool_(),
}


def _schema(id_type: pa.DataType, extra: Mapping[str, pa.DataType] | None = None) -> pa.Schema:
    fields = [
        pa.field(name, id_type if kind == "id" else _ARROW_TYPES[kind])
        for name, kind in COLUMNS.items()
    ]
    fields += [pa.field(n, t) for n, t in (extra or {}).items()]
    return pa.schema(fields)


def _id_type(rows: Sequence[Mapping[str, Any]]) -> pa.DataType:
    return (
        pa.int64() if rows and all(isinstance(r["unique_id"], int) for r in rows) else pa.string()
    )


def standardise_table(records: pa.Table | str | Iterable[Mapping[str, Any]]) -> pa.Table:
    """Raw records (or a table of them, or a parquet path) as the model's input table.

    A table that already has the model's columns is taken as standardised and passed through,
    so a caller that keeps a standardised index (`hearth link run`) pays for it once."""
    if isinstance(records, str):
        records = pq.read_table(records)
    if isinstance(records, pa.Table):
        if set(COLUMNS) <= set(records.column_names):
            return records.select(list(COLUMNS))
        return _standardise_columns(records)
    memo: Memo = {}
    rows = [standardise(r, memo) for r in records]
    if any(r["unique_id"] is None for r in rows):
        raise ValueError("every record needs a unique_id")
    id_type = _id_type(rows)
    if id_type == pa.string():
        for r in rows:
            r["unique_id"] = str(r["unique_id"])
    return pa.Table.from_pylist(rows, schema=_schema(id_type))


def _standardise_columns(table: pa.Table) -> pa.Table:
    """`standardise` for a whole table, computed once per distinct value of each field.

    A million records hold a few tens of thousands of names, dates and postcodes: each field's
    functions (the very ones `standardise` calls) run on the distinct values and Arrow spreads
    the results over the rows. `tests/unit/linkage` checks it gives `standardise`'s table."""
    import numpy as np
    import pyarrow.compute as pc

    from hearth.linkage import features as f

    n = table.num_rows

    def values(name: str) -> list[Any]:
        return table.column(name).to_pylist() if name in table.column_names else [None] * n

    def spread(fn: Any, keys: Iterable[Any], names: Sequence[str]) -> dict[str, pa.Array]:
        seen: dict[Any, int] = {}
        codes = np.fromiter((seen.setdefault(k, len(seen)) for k in keys), np.int64, count=n)
        results = [fn(*k) for k in seen]
        index = pa.array(codes)
        return {
            name: pa.array([r[i] for r in results], type=_ARROW_TYPES[COLUMNS[name]]).take(index)
            for i, name in enumerate(names)
        }

    def one(fn: Any, name: str, names: Sequence[str]) -> dict[str, pa.Array]:
        if name not in table.column_names:
            return spread(fn, ((v,) for v in values(name)), names)
        encoded = pc.dictionary_encode(table.column(name).combine_chunks(), null_encoding="encode")
        results = [fn(v) for v in encoded.dictionary.to_pylist()]
        return {
            name: pa.array([r[i] for r in results], type=_ARROW_TYPES[COLUMNS[name]]).take(
                encoded.indices
            )
            for i, name in enumerate(names)
        }

    def previous(value: Any) -> tuple[Any, ...]:
        value = value or []
        return (value,) if isinstance(value, str) else tuple(value)

    def dob(value: Any) -> tuple[str | None, str | None]:
        d = f.standard_date(value)
        return d, d[:4] if d else None

    def sex(value: Any) -> tuple[str | None]:
        s = str(value or "").strip().upper()[:1]
        return (s if s in ("M", "F") else None,)

    def other_id(value: Any) -> tuple[str | None]:
        return (re.sub(r"\s+", "", str(value or "")) or None,)

    ids = table.column("unique_id") if "unique_id" in table.column_names else pa.nulls(n)
    if ids.null_count:
        raise ValueError("every record needs a unique_id")
    if pa.types.is_integer(ids.type):
        ids = ids.cast(pa.int64())
    elif not pa.types.is_string(ids.type):
        ids = pa.array([str(v) for v in ids.to_pylist()], pa.string())
    given_names = ("given_name", "given_name_phonetic", "given_name_groups", "middle_name")
    family_names = ("family_name", "family_name_phonetic", "family_names")
    columns: dict[str, Any] = {
        "unique_id": ids,
        **one(lambda v: (str(v or ""),), "source_system", ("source_system",)),
        **spread(
            f._given_parts,
            zip(values("given_name"), values("middle_names"), strict=True),
            given_names,
        ),
        **spread(
            f._family_parts,
            zip(values("family_name"), map(previous, values("previous_family_names")), strict=True),
            family_names,
        ),
        **one(dob, "date_of_birth", ("date_of_birth", "dob_year")),
        **one(sex, "sex", ("sex",)),
        **one(f.postcode_parts, "postcode", ("postcode", "postcode_sector", "postcode_district")),
        **one(
            f.standard_address,
            "address",
            ("address", "address_number", "address_street", "address_flat"),
        ),
        **one(
            lambda v: f._nhs(str(v or "").strip()),
            "nhs_number",
            ("nhs_number", "nhs_number_invalid"),
        ),
        **one(lambda v: f._upn(str(v or "").strip()), "upn", ("upn", "upn_invalid")),
        **one(other_id, "other_id", ("other_id",)),
    }
    id_type = pa.int64() if pa.types.is_integer(ids.type) else pa.string()
    return pa.table([columns[c] for c in COLUMNS], schema=_schema(id_type))


def _present_comparisons(table: pa.Table) -> list[str]:
    return [c.key for c in COMPARISONS if table.column(c.column).null_count < table.num_rows]


# ---------------------------------------------------------------------------------------------
# Backends
# ---------------------------------------------------------------------------------------------


def _duckdb_api(memory_limit: str | None = None) -> Any:
    from splink import DuckDBAPI

    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    return DuckDBAPI(connection=con)


_spark_lock = threading.Lock()


def spark_session() -> Any:
    """A local Spark session for Splink (created once; `pip install hearth[spark]` and Java 17)."""
    from pyspark.sql import SparkSession

    with _spark_lock:
        return (
            SparkSession.builder.master("local[2]")
            .appName("hearth-linkage")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.default.parallelism", "8")
            .config("spark.driver.memory", "2g")
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            .getOrCreate()
        )


def _spark_api() -> Any:
    from splink import SparkAPI

    return SparkAPI(
        spark_session=spark_session(),
        break_lineage_method="persist",
        register_udfs_automatically=False,
    )


def _api(backend: str, memory_limit: str | None = None) -> Any:
    if backend == "duckdb":
        return _duckdb_api(memory_limit)
    if backend == "spark":
        return _spark_api()
    raise ValueError(f"unknown backend {backend!r}: duckdb or spark")


def _register(db_api: Any, table: pa.Table, link_type: str, backend: str) -> Any:
    """The input table(s) for a Linker: for link_only, one table per source system."""
    if backend == "spark":
        spark = spark_session()

        def reg(t: pa.Table, name: str) -> Any:
            return db_api.register(spark.createDataFrame(t.to_pandas()), table_name=name)
    else:

        def reg(t: pa.Table, name: str) -> Any:
            return db_api.register(t, table_name=name)

    if link_type != "link_only":
        return reg(table, "hearth_records")
    sources = sorted(set(table.column("source_system").to_pylist()))
    if len(sources) < 2:
        raise ValueError("link_only needs records from at least two source systems")
    import pyarrow.compute as pc

    return [
        reg(table.filter(pc.equal(table.column("source_system"), s)), f"hearth_records_{i}")
        for i, s in enumerate(sources)
    ]


def _has_twins_level(saved: Mapping[str, Any]) -> bool:
    return any(
        lvl.get("label_for_charts") == TWINS_AT_HOME
        for comp in saved["comparisons"]
        for lvl in comp["comparison_levels"]
    )


def _add_untrained_levels(
    saved: dict[str, Any], *, link_type: str, comparisons: Sequence[str]
) -> None:
    """Put back the levels training leaves out (`ComparisonSpec.comparison`), in their place,
    in the saved settings' own dialect; their m and u are set after (`condition_twins`)."""
    full = (
        settings(link_type=link_type, comparisons=comparisons)
        .get_settings(saved.get("sql_dialect", "duckdb"))
        .as_dict()
    )
    # By name: a comparison training could not keep (no column to compare) has nothing to add to.
    trained = {c.get("output_column_name"): c for c in saved["comparisons"]}
    for new_c in full["comparisons"]:
        old_c = trained.get(new_c.get("output_column_name"))
        if old_c is None:
            continue
        labels = [lvl.get("label_for_charts") for lvl in old_c["comparison_levels"]]
        for i, lvl in enumerate(new_c["comparison_levels"]):
            if lvl.get("label_for_charts") not in labels:
                old_c["comparison_levels"].insert(i, deepcopy(lvl))


def settings_for_dialect(model: Mapping[str, Any], dialect: str) -> dict[str, Any]:
    """The model's Splink settings in another SQL dialect, trained parameters carried across.

    The stored settings hold SQL written for DuckDB; Spark gets the same comparisons rebuilt for
    its dialect, with each level's m and u (and λ) copied over by position."""
    saved = model["splink"]
    if dialect == saved.get("sql_dialect", "duckdb"):
        return deepcopy(saved)
    fresh = (
        settings(
            link_type=model["link_type"],
            comparisons=model["comparisons"],
            training=not _has_twins_level(saved),  # a model trained before the level
        )
        .get_settings(dialect)
        .as_dict()
    )
    for new_c, old_c in zip(fresh["comparisons"], saved["comparisons"], strict=True):
        for new_l, old_l in zip(
            new_c["comparison_levels"], old_c["comparison_levels"], strict=True
        ):
            for key in ("m_probability", "u_probability"):
                if key in old_l:
                    new_l[key] = old_l[key]
    # The model's own blocking rules (plain equi-joins, valid in both dialects), not today's code.
    fresh["blocking_rules_to_generate_predictions"] = deepcopy(
        saved["blocking_rules_to_generate_predictions"]
    )
    fresh["probability_two_random_records_match"] = saved["probability_two_random_records_match"]
    fresh["sql_dialect"] = dialect
    return fresh


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------


def term_frequencies(table: pa.Table) -> dict[str, dict[str, Any]]:
    """Per tf column: each value seen at least twice with its share of non-null values, and a
    floor (one record's share) for every other value — exactly what Splink would compute."""
    con = duckdb.connect()
    con.register("records", table)
    out: dict[str, dict[str, Any]] = {}
    for col in TF_COLUMNS:
        (total,) = cast(tuple[int], con.execute(f"SELECT count({col}) FROM records").fetchone())
        if not total:
            continue
        rows = con.execute(
            f"SELECT {col}, count(*) FROM records WHERE {col} IS NOT NULL "
            f"GROUP BY 1 HAVING count(*) > 1 ORDER BY 2 DESC"
        ).fetchall()
        out[col] = {"total": total, "floor": 1 / total, "values": {v: n / total for v, n in rows}}
    con.close()
    return out


def train(
    records: pa.Table | str | Iterable[Mapping[str, Any]],
    *,
    backend: str = "duckdb",
    link_type: str = "dedupe_only",
    seed: int = 42,
    u_max_pairs: float = 2e6,
    em_max_pairs: float = 5e6,
    recall: float = 0.6,
) -> dict[str, Any]:
    """Train unsupervised on the partnership's own records; returns the JSON-serialisable model.

    λ (the chance two random records match) from deterministic rules at an assumed recall; u by
    random sampling; m by expectation maximisation in two sessions, each blocked on fields the
    other session learns (names, then date of birth)."""
    started = time.perf_counter()
    table = standardise_table(records)
    keys = _present_comparisons(table)
    creator = settings(link_type=link_type, comparisons=keys, training=True)
    db_api = _api(backend)
    linker = Linker(
        _register(db_api, table, link_type, backend), creator, log_level=_splink_log_level()
    )

    deterministic: list[Any] = [block_on("given_name", "family_name", "date_of_birth")]
    if "nhs_number" in keys:
        deterministic.insert(0, block_on("nhs_number"))
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=recall)
    # Records with (almost) no duplicates yet — a partnership's first load, the demo — give a
    # prior of 0, which no weight can move: floor it at one pair in the index.
    pairs_in_index = max(1.0, table.num_rows * (table.num_rows - 1) / 2)
    settings_obj = linker._settings_obj
    if settings_obj._probability_two_random_records_match <= 0:
        settings_obj._probability_two_random_records_match = 1 / pairs_in_index
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    sessions = [block_on("given_name", "family_name"), block_on("date_of_birth")]
    skipped: list[str] = []
    for rule in sessions:
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, max_pairs=em_max_pairs
            )
        except (ValueError, ZeroDivisionError, EMTrainingException) as error:
            # EM cannot converge where a block holds no matches; its levels keep their priors.
            skipped.append(f"{rule.get_blocking_rule('duckdb').blocking_rule_sql}: {error}")
    saved = linker.misc.save_model_to_json()
    filled = fill_untrained_levels(saved, u_pairs=u_max_pairs)
    floored = floor_m(saved)
    _add_untrained_levels(saved, link_type=link_type, comparisons=keys)
    home = condition_on_home(saved, table)
    twins = condition_twins(
        saved, table, households=bool(home.get("conditioned")), u_pairs=u_max_pairs
    )
    model: dict[str, Any] = {
        "format": FORMAT,
        "link_type": link_type,
        "comparisons": keys,
        "splink": saved,
        "term_frequencies": term_frequencies(table),
        "thresholds": {"upper": DEFAULT_UPPER, "lower": DEFAULT_LOWER},
        "training": {
            "records": table.num_rows,
            "backend": backend,
            "seconds": round(time.perf_counter() - started, 2),
            "probability_two_random_records_match": saved["probability_two_random_records_match"],
            "comparisons_dropped": [c.key for c in COMPARISONS if c.key not in keys],
            "levels_from_priors": filled,
            "em_sessions_skipped": skipped,
            "levels_floored": floored,
            "family_name_at_home": home,
            "twins_at_home": twins,
        },
    }
    if backend != "duckdb":
        model["splink"] = settings_for_dialect(model, "duckdb")
    model["fingerprint"] = fingerprint(model)
    return model


# m for a level the training records never showed (a partnership's first export may hold no
# transposed dates): a modest share of true matches, so the level counts for something without
# overriding the fields that did agree. Anything else unseen gets DEFAULT_PRIOR_M.
PRIOR_M: dict[str, float] = {
    "nickname variant": 0.02,
    "swapped with a middle name": 0.005,
    "swapped with the family name": 0.005,
    "swapped with the given name": 0.005,
    "matches a previous family name": 0.02,
    "day and month transposed": 0.01,
    "same sector": 0.02,
    "same district": 0.01,
    "same street, another number": 0.01,
}
DEFAULT_PRIOR_M = 0.005


def _untrained(value: Any) -> bool:
    return not isinstance(value, int | float)


def fill_untrained_levels(saved: dict[str, Any], *, u_pairs: float) -> list[str]:
    """Give every level the training could not estimate an explicit, documented value (rather
    than Splink's silent defaults): m from PRIOR_M, u as if seen once in the random sample;
    then renormalise each comparison. Returns "comparison: level" for each level filled."""
    filled = []
    for comp in saved["comparisons"]:
        levels = [lvl for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
        for lvl in levels:
            label = lvl.get("label_for_charts", "")
            if _untrained(lvl.get("m_probability")):
                lvl["m_probability"] = PRIOR_M.get(label, DEFAULT_PRIOR_M)
                filled.append(f"{comp['output_column_name']}: {label} (m)")
            if _untrained(lvl.get("u_probability")):
                lvl["u_probability"] = 1 / u_pairs
                filled.append(f"{comp['output_column_name']}: {label} (u)")
        for key in ("m_probability", "u_probability"):
            total = sum(lvl[key] for lvl in levels)
            for lvl in levels:
                lvl[key] = lvl[key] / total
    return filled


# No level is impossible for a true match: EM drives the m of a level it barely sees (names
# swapped, a postcode in the same district) towards zero, which would make it a veto.
M_FLOOR = 0.001
# The fewest pairs of different people at one home needed to estimate how often they share a
# family name; with fewer (FEBRL has no households) the family name is not conditioned.
HOME_PAIRS_MIN = 200


def floor_m(saved: dict[str, Any], *, floor: float = M_FLOOR) -> list[str]:
    """Raise every level's m to at least `floor` (then renormalise); returns those raised."""
    raised = []
    for comp in saved["comparisons"]:
        levels = [lvl for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
        for lvl in levels:
            if lvl["m_probability"] < floor:
                lvl["m_probability"] = floor
                raised.append(f"{comp['output_column_name']}: {lvl.get('label_for_charts')}")
        total = sum(lvl["m_probability"] for lvl in levels)
        for lvl in levels:
            lvl["m_probability"] /= total
    return raised


def _home_family_shares(table: pa.Table) -> tuple[int, dict[str, float]]:
    """How often two *different* people at one home share a family name: among pairs of records
    at the same home whose given names and dates of birth both clearly disagree (siblings,
    parents and children, lodgers; hardly ever one person), the share whose family names are
    exact / similar / different. Unsupervised: no labels, only the records."""
    sql = f"""
        WITH p AS (
            SELECT l.family_name AS fl, r.family_name AS fr,
                   l.family_names AS nl, r.family_names AS nr,
                   l.family_name_phonetic AS pl, r.family_name_phonetic AS pr
            FROM records l JOIN records r
              ON l.postcode = r.postcode AND l.address_number = r.address_number
             AND l.unique_id < r.unique_id
            WHERE {_qualify(SAME_HOME)}
              AND l.family_name IS NOT NULL AND r.family_name IS NOT NULL
              AND levenshtein(l.given_name, r.given_name) > 2
              AND l.given_name_phonetic <> r.given_name_phonetic
              AND coalesce(len(list_intersect(l.given_name_groups, r.given_name_groups)), 0) = 0
              AND substr(l.date_of_birth, 1, 4) <> substr(r.date_of_birth, 1, 4)
              AND substr(l.date_of_birth, 6, 5) <> substr(r.date_of_birth, 6, 5)
        )
        SELECT count(*),
               count(*) FILTER (WHERE fl = fr),
               count(*) FILTER (WHERE fl <> fr AND (len(list_intersect(nl, nr)) > 0
                                OR levenshtein(fl, fr) <= 2 OR pl = pr))
        FROM p
    """
    con = duckdb.connect()
    con.register("records", table)
    n, exact, similar = cast(tuple[int, int, int], con.execute(sql).fetchone())
    con.close()
    if not n:
        return 0, {}
    return n, {"exact": exact / n, "similar": similar / n, "different": (n - exact - similar) / n}


def _qualify(sql: str) -> str:
    """SAME_HOME (written for Splink's `_l`/`_r` columns) for a plain self-join `l`, `r`."""
    import re

    return re.sub(r"\b(\w+)_(l|r)\b", r"\2.\1", sql)


def condition_on_home(saved: dict[str, Any], table: pa.Table) -> dict[str, Any]:
    """Make the family name's weight at one home conditional on that home.

    Household members share a family name *and* an address, so the two comparisons are not
    independent as Fellegi–Sunter assumes: adding the address's weight and the family name's
    full weight counts the household twice, and siblings outscore one person's misspelt records.
    The family-name levels at the same home are therefore kept apart and each half is
    renormalised: m within the home levels (EM learned them jointly with the home), u from how
    often different people at one home share the name (`_home_family_shares`). Elsewhere the
    name keeps its ordinary (term-frequency adjusted) weight."""
    comp = next((c for c in saved["comparisons"] if c["output_column_name"] == "family_name"), None)
    if comp is None:
        return {"conditioned": False}
    levels = [lvl for lvl in comp["comparison_levels"] if not lvl.get("is_null_level")]
    at_home = [lvl for lvl in levels if lvl["label_for_charts"].endswith(AT_HOME)]
    elsewhere = [lvl for lvl in levels if lvl not in at_home]
    pairs, shares = _home_family_shares(table)
    for group in (at_home, elsewhere):
        total = sum(lvl["m_probability"] for lvl in group)
        for lvl in group:
            lvl["m_probability"] /= total
    total = sum(lvl["u_probability"] for lvl in elsewhere)
    for lvl in elsewhere:
        lvl["u_probability"] /= total
    conditioned = pairs >= HOME_PAIRS_MIN
    if not conditioned:
        # Too few households to tell: the home levels take the name's ordinary u.
        exact = elsewhere[0]["u_probability"]
        different = elsewhere[-1]["u_probability"]
        shares = {"exact": exact, "similar": 1 - exact - different, "different": different}
    for lvl in at_home:
        share = shares[lvl["label_for_charts"].removesuffix(AT_HOME)]
        lvl["u_probability"] = max(share, M_FLOOR)
    total = sum(lvl["u_probability"] for lvl in at_home)
    for lvl in at_home:
        lvl["u_probability"] /= total
    return {"conditioned": conditioned, "home_pairs": pairs, "shares": shares}


_SHORT = (
    "CASE WHEN length(given_name_l) <= length(given_name_r) THEN given_name_l ELSE given_name_r END"
)
_LONG = (
    "CASE WHEN length(given_name_l) <= length(given_name_r) THEN given_name_r ELSE given_name_l END"
)
# The given names reach the comparison's last levels: none of the levels that read one name
# recorded differently (nickname, a letter or two, initial, short form, middle name, sound,
# swapped with the family name) applies.
CLEARLY_DIFFERENT_GIVEN = (
    "given_name_l <> given_name_r"
    " AND coalesce(len(list_intersect(given_name_groups_l, given_name_groups_r)), 0) = 0"
    f" AND (levenshtein(given_name_l, given_name_r) > 2 OR NOT {NOT_TWO_INITIALS})"
    f" AND NOT (length({_SHORT}) = 1 AND substr({_LONG}, 1, 1) = {_SHORT})"
    f" AND NOT (length({_SHORT}) >= 3 AND substr({_LONG}, 1, length({_SHORT})) = {_SHORT})"
    f" AND NOT coalesce({MIDDLE_NAME_SWAPPED}, false)"
    " AND NOT coalesce(given_name_phonetic_l = given_name_phonetic_r, false)"
    " AND NOT coalesce(given_name_l = family_name_r OR family_name_l = given_name_r, false)"
)


def _home_birthday_share(table: pa.Table) -> tuple[int, float]:
    """How often two *different* people at one home share a date of birth: among pairs of
    records at the same home whose given names clearly differ (siblings, parents, twins;
    hardly ever one person), the share born on the same day. Unsupervised: no labels."""
    sql = f"""
        SELECT count(*), count(*) FILTER (WHERE l.date_of_birth = r.date_of_birth)
        FROM records l JOIN records r
          ON l.postcode = r.postcode AND l.address_number = r.address_number
         AND l.unique_id < r.unique_id
        WHERE {_qualify(SAME_HOME)} AND {_qualify(CLEARLY_DIFFERENT_GIVEN)}
          AND l.date_of_birth IS NOT NULL AND r.date_of_birth IS NOT NULL
    """
    con = duckdb.connect()
    con.register("records", table)
    n, same = cast(tuple[int, int], con.execute(sql).fetchone())
    con.close()
    return n, (same / n if n else 0.0)


def condition_twins(
    saved: dict[str, Any], table: pa.Table, *, households: bool, u_pairs: float = 2e6
) -> dict[str, Any]:
    """Make a clearly different given name, for two records born on the same day at one home,
    the evidence of two people it is.

    Fellegi–Sunter adds the date of birth's full weight (two random people share a typical
    birthday about once in 19,000 pairs) and the home's; but two different people at one home
    share a birthday far more often (twins: one or two in a hundred household pairs), so twins
    (every field alike but the given name) outscored one person's misspelt records. The
    given-name level `TWINS_AT_HOME` carries the correction: its Bayes factor is
    m(different) · s / t, where s is the share of a typical birthday (the date's term
    frequency, `_typical_birthday_share`) and t how often different people at one home share a
    birthday (`_home_birthday_share`), so the three comparisons together weigh what they
    jointly say.
    Only where the records show households (`households`: `condition_on_home` found enough
    different people at one home) and at least HOME_PAIRS_MIN such pairs; otherwise (FEBRL has
    no households: its pairs at one address are one person's duplicates) the level weighs as
    "different"."""
    comps = {c["output_column_name"]: c for c in saved["comparisons"]}
    given, dob = comps.get("given_name"), comps.get("date_of_birth")
    if given is None:
        return {"conditioned": False}
    levels = {lvl.get("label_for_charts"): lvl for lvl in given["comparison_levels"]}
    twins, different = levels[TWINS_AT_HOME], levels["different"]
    pairs, share = _home_birthday_share(table) if dob is not None else (0, 0.0)
    typical = _typical_birthday_share(table) if dob is not None else 0.0
    factor = different["m_probability"] / different["u_probability"]
    conditioned = households and pairs >= HOME_PAIRS_MIN and share > 0 and typical > 0
    if conditioned:
        # The date of birth's exact level is term-frequency adjusted: a pair sharing a typical
        # birthday gains log2(m / tf), so the correction takes the typical tf back out.
        factor = different["m_probability"] * typical / share
    # Only the ratio m/u counts when scoring; u as if seen once in the random sample.
    twins["u_probability"] = 1 / u_pairs
    twins["m_probability"] = factor / u_pairs
    return {
        "conditioned": conditioned,
        "home_pairs": pairs,
        "same_birthday_share": share,
        "typical_birthday_share": typical,
    }


def _typical_birthday_share(table: pa.Table) -> float:
    """The chance two random people share a birthday, for a typical record's date: the median
    over records of its date's share (a placeholder date many agencies enter, 1 in 40 records,
    would make the mean several times too large)."""
    sql = """
        WITH r AS (
            SELECT count(*) OVER (PARTITION BY date_of_birth) AS n
            FROM records WHERE date_of_birth IS NOT NULL
        )
        SELECT median(n) / count(*) FROM r
    """
    con = duckdb.connect()
    con.register("records", table)
    (share,) = cast(tuple[float | None], con.execute(sql).fetchone())
    con.close()
    return float(share or 0.0)


def fingerprint(model: Mapping[str, Any]) -> str:
    body = {k: v for k, v in model.items() if k != "fingerprint"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------
# Batch prediction
# ---------------------------------------------------------------------------------------------


def predict(
    model: Mapping[str, Any],
    records: pa.Table | str | Iterable[Mapping[str, Any]],
    *,
    threshold_probability: float,
    backend: str = "duckdb",
    memory_limit: str | None = "5GB",
) -> pa.Table:
    """Every blocked pair at or above the threshold: unique_id_l, unique_id_r, match_weight,
    match_probability. Term frequencies come from the records themselves, as Splink does."""
    table = standardise_table(records)
    db_api = _api(backend, memory_limit)
    dialect = "spark" if backend == "spark" else "duckdb"
    linker = Linker(
        _register(db_api, table, model["link_type"], backend),
        settings_for_dialect(model, dialect),
        log_level=_splink_log_level(),
    )
    pairs = linker.inference.predict(
        threshold_match_probability=threshold_probability, warning_mode="never"
    )
    cols = "unique_id_l, unique_id_r, match_weight, match_probability"
    if backend == "spark":
        pdf = pairs.as_spark_dataframe().selectExpr(*cols.split(", ")).toPandas()
        out = pa.Table.from_pandas(pdf, preserve_index=False)
    else:
        out = db_api._con.sql(f"SELECT {cols} FROM {pairs.physical_name}").to_arrow_table()
        db_api._con.close()
    return out


def count_comparisons(
    records: pa.Table | str | Iterable[Mapping[str, Any]],
    *,
    link_type: str = "dedupe_only",
    sample: float = 1.0,
) -> dict[str, int]:
    """Pairs each blocking rule adds (beyond the rules before it), by rule name; the sum is the
    number of pairs `predict` scores. `sample` < 1 estimates from a sample of records."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    table = standardise_table(records)
    keys = _present_comparisons(table)
    names = [n for n in BLOCKING_RULES if n not in _RULE_NEEDS or _RULE_NEEDS[n] in keys]
    db_api = _duckdb_api()
    counted = count_comparisons_from_blocking_rules(
        _register(db_api, table, link_type, "duckdb"),
        blocking_rules=blocking_rules(keys),
        link_type=cast(Any, link_type),
        source_dataset_column_name="source_system" if link_type == "link_only" else None,
        record_sample_proportion=sample,
    )
    db_api._con.close()
    return {
        name: int(rec["marginal_comparison_count"])
        for name, rec in zip(names, counted, strict=True)
    }


# ---------------------------------------------------------------------------------------------
# Incremental scoring
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredPair:
    left_id: Any
    right_id: Any
    match_weight: float
    match_probability: float
    # One per comparison: name, level label, both values as received, and its match weight.
    comparisons: list[dict[str, Any]]


class _Scorer:
    """A model compiled once for incremental scoring: one DuckDB connection and one SQL
    statement that compares a left table with a right table, no blocking."""

    LEFT, RIGHT = "hearth_score_left", "hearth_score_right"

    def __init__(self, model: Mapping[str, Any]) -> None:
        from splink.internals.duckdb.dataframe import DuckDBDataFrame
        from splink.internals.pipeline import CTEPipeline
        from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings

        self.tf = model["term_frequencies"]
        self.comparisons = [_SPECS[k] for k in model["comparisons"]]
        self.db_api = _duckdb_api()
        self.con = self.db_api._con
        self.lock = threading.Lock()
        obj = SettingsCreator.from_path_or_dict(deepcopy(model["splink"])).get_settings("duckdb")
        # Matching columns on, or Splink drops the gamma (level) columns the screen needs.
        obj._retain_matching_columns = True
        obj._retain_intermediate_calculation_columns = True
        self.tf_columns = [c for c in TF_COLUMNS if c in self.tf and c in model["comparisons"]]
        self.labels: dict[str, dict[int, str]] = {}
        for comp in obj.comparisons:
            self.labels[comp.output_column_name] = {
                lvl.comparison_vector_value: lvl.label_for_charts for lvl in comp.comparison_levels
            }
        left = DuckDBDataFrame("__splink__compare_records_left", self.LEFT, self.db_api)
        right = DuckDBDataFrame("__splink__compare_records_right", self.RIGHT, self.db_api)
        pipeline = CTEPipeline([left, right])
        pipeline.enqueue_sql(
            f"select {', '.join(obj._columns_to_select_for_blocking)}, 0 as match_key "
            "from __splink__compare_records_left as l "
            "cross join __splink__compare_records_right as r",
            "__splink__compare_two_records_blocked",
        )
        pipeline.enqueue_sql(
            f"select {', '.join(obj._columns_to_select_for_comparison_vector_values)} "
            "from __splink__compare_two_records_blocked",
            "__splink__df_comparison_vectors",
        )
        pipeline.enqueue_list_of_sqls(predict_from_comparison_vectors_sqls_using_settings(obj))
        self.sql = pipeline.generate_cte_pipeline_sql()
        self.schema = _schema(pa.string(), {f"tf_{c}": pa.float64() for c in self.tf_columns})

    def _table(self, records: Sequence[Mapping[str, Any]]) -> pa.Table:
        rows = []
        for rec in records:
            row = standardise(rec)
            row["unique_id"] = str(row["unique_id"])
            for col in self.tf_columns:
                value, tf = row[col], self.tf[col]
                row[f"tf_{col}"] = None if value is None else tf["values"].get(value, tf["floor"])
            rows.append(row)
        return pa.Table.from_pylist(rows, schema=self.schema)

    def score(
        self, record: Mapping[str, Any], candidates: Sequence[Mapping[str, Any]]
    ) -> list[ScoredPair]:
        if not candidates:
            return []
        left, right = self._table([record]), self._table(candidates)
        with self.lock:
            self.con.register(self.LEFT, left)
            self.con.register(self.RIGHT, right)
            cursor = self.con.execute(self.sql)
            names = [d[0] for d in cursor.description]
            result = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        by_id = {str(c.get("unique_id")): c for c in candidates}
        pairs = []
        for row in result:
            other = by_id[row["unique_id_r"]]
            comparisons = []
            for spec in self.comparisons:
                gamma = row[f"gamma_{spec.key}"]
                weight = (row[f"mw_{spec.key}"] or 0.0) + (row.get(f"mw_tf_adj_{spec.key}") or 0.0)
                comparisons.append(
                    {
                        "name": spec.name,
                        "level": self.labels[spec.key].get(gamma, str(gamma)),
                        "left": _display(record, spec),
                        "right": _display(other, spec),
                        "match_weight": round(float(weight), 2),
                    }
                )
            pairs.append(
                ScoredPair(
                    left_id=record.get("unique_id"),
                    right_id=other.get("unique_id"),
                    match_weight=float(row["match_weight"]),
                    match_probability=float(row["match_probability"]),
                    comparisons=comparisons,
                )
            )
        pairs.sort(key=lambda p: p.match_weight, reverse=True)
        return pairs


def _display(rec: Mapping[str, Any], spec: ComparisonSpec) -> str:
    parts = []
    for f in spec.raw_fields:
        value = rec.get(f)
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value if v)
            if value and f == "previous_family_names":
                value = f"(previously {value})"
        elif f == "date_of_birth":
            value = standard_date(value) or value
        if value:
            parts.append(str(value))
    return " ".join(parts)


_scorers: dict[str, _Scorer] = {}
_scorers_lock = threading.Lock()


def scorer(model: Mapping[str, Any]) -> _Scorer:
    """The compiled scorer for a model, cached by its fingerprint for the life of the process."""
    key = model.get("fingerprint") or fingerprint(model)
    with _scorers_lock:
        found = _scorers.get(key)
        if found is None:
            if len(_scorers) >= 4:
                _scorers.pop(next(iter(_scorers)))
            found = _scorers[key] = _Scorer(model)
        return found


def score(
    model: Mapping[str, Any], record: Mapping[str, Any], candidates: Sequence[Mapping[str, Any]]
) -> list[ScoredPair]:
    """Score one incoming raw record against candidates the caller fetched (no blocking), best
    first. Each candidate needs a unique_id; the incoming record's may be anything."""
    return scorer(model).score(record, candidates)
