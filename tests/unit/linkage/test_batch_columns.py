"""The batch run's column-at-a-time shortcuts give exactly what the per-record code gives:
standardising a table by distinct value (`model.standardise_table`), and the twins rule's
prefilter (`batch.twins_flags`) against `decisions.possible_twins` pair by pair."""

from datetime import date
from itertools import combinations
from typing import Any

import pyarrow as pa

from hearth.linkage import model as linkage_model
from hearth.linkage.batch import twins_flags
from hearth.linkage.decisions import TWIN_FIELDS, possible_twins
from hearth.linkage.features import standardise
from tests.linkage_records import population

ODD_RECORDS: list[dict[str, Any]] = [
    {"unique_id": 9001, "given_name": "", "family_name": None, "date_of_birth": "2015-13-01"},
    {
        "unique_id": 9002,
        "given_name": "Mary Ann",
        "middle_names": "Jo",
        "family_name": "O'Brien-Smith",
        "previous_family_names": ["Jones", ""],
        "date_of_birth": date(2015, 3, 4),
        "sex": "female",
        "postcode": "not a postcode",
        "address": "Flat 2, 14 Mill Rd, Crawley",
        "nhs_number": "943 476 5919",
        "upn": "A123",
        "other_id": " x 1 ",
    },
    {
        "unique_id": 9003,
        "given_name": "Zoë",
        "family_name": "Núñez",
        "date_of_birth": "20150304",
        "sex": "M",
        "postcode": "rh101aa",
        "address": "",
        "nhs_number": "9434765918",
    },
]


def _raw_table(records: list[dict[str, Any]]) -> pa.Table:
    rows = [
        {
            k: r.get(k)
            for k in (
                "unique_id",
                *TWIN_FIELDS,
                "previous_family_names",
                "sex",
                "address",
                "upn",
                "other_id",
                "source_system",
            )
        }
        for r in records
    ]
    for r in rows:
        r["previous_family_names"] = r["previous_family_names"] or []
        if isinstance(r["date_of_birth"], date):
            r["date_of_birth"] = r["date_of_birth"].isoformat()
    return pa.Table.from_pylist(rows)


def test_standardising_a_table_gives_what_standardising_each_record_gives() -> None:
    records, _ = population(n_people=200)
    table = _raw_table(records + ODD_RECORDS)
    by_column = linkage_model.standardise_table(table)
    by_record = pa.Table.from_pylist(
        [standardise(r) for r in table.to_pylist()], schema=by_column.schema
    )
    assert by_column.equals(by_record)
    assert linkage_model.standardise_table(table.to_pylist()).equals(by_column)


def test_the_twins_prefilter_misses_no_pair_the_rule_holds() -> None:
    people = [
        {"given_name": g, "middle_names": m, "family_name": f, "postcode": p, "nhs_number": ""}
        for g, m, f, p in [
            ("William", "", "Archer", "RH10 1AA"),
            ("Harry", "", "Archer", "RH10 1AA"),
            ("Harry", "", "Archar", "RH10 1AB"),
            ("W", "", "Archer", "RH10 1AA"),
            ("H", "", "Archer", ""),
            ("Bill", "", "Archer", "RH10 1AA"),
            ("James", "William", "Archer", "RH10 1AA"),
            ("Ellie", "", "Archer", "RH10 1AA"),
            ("Elsie", "", "Archer", "RH10 1AA"),
            ("Harry", "", "Baker", "RH10 1AA"),
            ("", "", "Archer", "RH10 1AA"),
        ]
    ]
    records = [
        {**p, "unique_id": i, "date_of_birth": "2015-03-04" if i % 5 else "2015-03-05"}
        for i, p in enumerate(people * 2)
    ]
    table = _raw_table(records)
    pairs = pa.table(
        {
            "unique_id_l": [a["unique_id"] for a, _ in combinations(records, 2)],
            "unique_id_r": [b["unique_id"] for _, b in combinations(records, 2)],
        }
    )
    expected = [possible_twins(a, b) for a, b in combinations(records, 2)]
    assert any(expected) and not all(expected)
    assert twins_flags(pairs, table) == expected
