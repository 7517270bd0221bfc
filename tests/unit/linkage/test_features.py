"""Standardising records for the matching model: nicknames, identifiers, dates and postcodes."""

from datetime import date

import pytest

from hearth.lib.identifiers import upn_check_letter
from hearth.linkage.features import (
    given_names_equivalent,
    nickname_groups,
    postcode_parts,
    standard_address,
    standard_date,
    standardise,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Bill", "William"),
        ("Katie", "Kate"),
        ("Katie", "Catherine"),
        ("Kate", "Katherine"),
        ("Peggy", "Margaret"),
        ("Alex", "Alexandra"),
        ("Alex", "Alexander"),
        ("Zoë", "zoe"),
        ("Mary-Jane", "maryjane"),
    ],
)
def test_nickname_variants_are_equivalent(a: str, b: str) -> None:
    assert given_names_equivalent(a, b)
    assert given_names_equivalent(b, a)


@pytest.mark.parametrize(("a", "b"), [("John", "Jane"), ("Alexander", "Alexandra"), ("", "")])
def test_different_names_are_not_equivalent(a: str, b: str) -> None:
    assert not given_names_equivalent(a, b)


def test_the_shipped_nickname_list_has_several_hundred_groups() -> None:
    groups = {g for gs in nickname_groups().values() for g in gs}
    assert len(groups) >= 300


def test_standardise_folds_names_and_splits_postcodes() -> None:
    row = standardise(
        {
            "unique_id": 7,
            "source_system": "school",
            "given_name": "Katie May",
            "family_name": "O'Brien",
            "previous_family_names": ["Smith-Jones"],
            "date_of_birth": date(2015, 3, 4),
            "sex": "f",
            "postcode": "rh101aa",
            "address": "12 High St, Crawley",
        }
    )
    assert row["unique_id"] == 7
    assert row["source_system"] == "school"
    assert row["given_name"] == "katie"
    assert row["middle_name"] == "may"
    assert "catherine" in row["given_name_groups"]
    assert row["family_name"] == "obrien"
    assert row["family_names"] == ["obrien", "smithjones"]
    assert row["date_of_birth"] == "2015-03-04"
    assert row["sex"] == "F"
    assert (row["postcode"], row["postcode_sector"], row["postcode_district"]) == (
        "RH10 1AA",
        "RH10 1",
        "RH10",
    )
    assert row["address"] == "12 high street crawley"
    assert row["address_number"] == "12"


def test_a_missing_or_blank_field_is_null() -> None:
    row = standardise({"unique_id": "a", "given_name": "  ", "sex": "U"})
    assert row["given_name"] is None
    assert row["given_name_groups"] is None
    assert row["family_names"] is None
    assert row["date_of_birth"] is None
    assert row["sex"] is None
    assert row["postcode"] is None
    assert row["nhs_number"] is None
    assert row["nhs_number_invalid"] is False


def test_a_valid_nhs_number_is_used() -> None:
    row = standardise({"unique_id": 1, "nhs_number": "943 476 5919"})
    assert row["nhs_number"] == "9434765919"
    assert row["nhs_number_invalid"] is False


def test_an_nhs_number_whose_check_digit_fails_is_not_used_but_flagged() -> None:
    row = standardise({"unique_id": 1, "nhs_number": "943 476 5918"})
    assert row["nhs_number"] is None
    assert row["nhs_number_invalid"] is True


def test_an_invalid_upn_is_not_used() -> None:
    valid = upn_check_letter("123456789012") + "123456789012"
    wrong = ("B" if valid[0] != "B" else "C") + valid[1:]
    assert standardise({"unique_id": 1, "upn": valid})["upn"] == valid
    row = standardise({"unique_id": 1, "upn": wrong})
    assert row["upn"] is None
    assert row["upn_invalid"] is True


@pytest.mark.parametrize(
    ("value", "parts"),
    [
        ("SW1A 1AA", ("SW1A 1AA", "SW1A 1", "SW1A")),
        ("m1 1ae", ("M1 1AE", "M1 1", "M1")),
        ("B33 8TH", ("B33 8TH", "B33 8", "B33")),
        ("2119", ("2119", None, None)),  # not a UK postcode: kept whole, no parts
        ("", (None, None, None)),
    ],
)
def test_postcode_parts(value: str, parts: tuple) -> None:
    assert postcode_parts(value) == parts


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-03-04", "2015-03-04"),
        ("20150304", "2015-03-04"),
        ("2015-02-31", "2015-02-31"),  # implausible day kept: its year and month still compare
        ("2015-13-01", None),
        ("not a date", None),
        (None, None),
    ],
)
def test_standard_date(value: str | None, expected: str | None) -> None:
    assert standard_date(value) == expected


def test_address_abbreviations_are_spelt_out() -> None:
    assert standard_address("3 Church Rd.")[0] == standard_address("3 church road")[0]
