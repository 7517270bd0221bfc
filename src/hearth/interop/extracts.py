"""The column formats of agency extracts, and the checks each row must pass before it loads.

One `Column` list per kind of extract (people, addresses, relationships, involvements,
chronology). `docs/interop.md` documents the same columns; `test_agency_extracts` checks every
rule with a row that fails it and one that passes. The checks here need no database; the ones
that do (is this person known? is this event type one of Hearth's?) are the loader's, with the
same rule codes.
"""

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from hearth.accounts.models import Role
from hearth.chronology.models import DateAccuracy, SharingLevel
from hearth.interop.problems import Problem
from hearth.lib.identifiers import (
    is_valid_nhs_number,
    is_valid_postcode,
    is_valid_upn,
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
)
from hearth.people.models import PersonKind, RelationshipType, Sex

# Rule codes, with the text a data officer reads in the rejected-rows file.
RULES: dict[str, str] = {
    "MISSING_COLUMN": "The file has no column that this kind of extract requires.",
    "UNREADABLE": "The file cannot be read as a table.",
    "REQUIRED": "A required value is empty.",
    "TOO_LONG": "The value is longer than Hearth keeps.",
    "DATE": "A date is not a real date written YYYY-MM-DD or DD/MM/YYYY.",
    "FUTURE_DATE": "A date is in the future.",
    "DATE_ORDER": "An end date is before its start date.",
    "NHS_NUMBER": "An NHS number is not 10 digits with a correct check digit (modulus 11).",
    "UPN": "A UPN is not 13 characters with a correct check letter.",
    "POSTCODE": "A postcode is not a valid UK postcode.",
    "CODE": "A value is not one of the codes the column allows.",
    "PERSON_NEEDED": "The row does not say who it is about (person_reference or nhs_number).",
    "UNKNOWN_PERSON": "No person in Hearth has this reference or NHS number: import them first.",
    "PERSON_MISMATCH": "The person reference and the NHS number name two different people.",
    "AMBIGUOUS_NHS": "More than one person in Hearth has this NHS number.",
    "EVENT_TYPE": "The event type is not one of Hearth's event type codes.",
    "RESTRICTED_ROLES": "A restricted entry must name the roles that may see it.",
    "DUPLICATE_IN_FILE": "The same source reference appears on an earlier row of this file.",
    "OTHER_AGENCY": "Another agency's record already has this source reference.",
    "SUBJECT_CHANGED": "Who the record is about cannot change: retract it and send a new reference.",
    "RETRACTED": "The record was retracted in Hearth, so it cannot be updated from the source.",
    "ADDRESS_INCOMPLETE": "An address needs its first line and its postcode.",
    "SELF_RELATIONSHIP": "A person cannot be their own relative.",
}


class RowError(Exception):
    def __init__(self, rule: str, message: str) -> None:
        self.rule = rule
        self.message = message


Parser = Callable[[str], Any]


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    format: str
    example: str
    parse: Parser


def text(limit: int) -> Parser:
    def parse(value: str) -> str:
        if len(value) > limit:
            raise RowError("TOO_LONG", f"At most {limit} characters; this has {len(value)}.")
        return value

    return parse


_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def parse_date(value: str) -> date:
    """ISO (2024-03-05) or the day-first form UK systems export (05/03/2024, 5/3/2024)."""
    try:
        if len(value) == 10 and value[4] == "-":
            return date.fromisoformat(value)
        if len(value) > 10 and value[4] == "-" and value[10] in "T ":
            return date.fromisoformat(value[:10])  # a date-time from a spreadsheet
        match = _UK_DATE.fullmatch(value)
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        pass
    raise RowError("DATE", f"{value!r} is not a date: write YYYY-MM-DD or DD/MM/YYYY.")


_today: tuple[float, date] = (0.0, date.min)


def _localdate() -> date:
    """Today, asked of the clock once a minute, not once a row."""
    global _today
    now = time.monotonic()
    if now - _today[0] > 60:
        _today = (now, timezone.localdate())
    return _today[1]


def past_date(value: str) -> date:
    day = parse_date(value)
    if day > _localdate():
        raise RowError("FUTURE_DATE", f"{day:%d/%m/%Y} is in the future.")
    return day


def nhs_number(value: str) -> str:
    digits = normalise_nhs_number(value)
    if not is_valid_nhs_number(digits):
        raise RowError(
            "NHS_NUMBER",
            "Not a valid NHS number (10 digits, the last a modulus-11 check digit): "
            "it was not stored or used to find anyone.",
        )
    return digits


def upn(value: str) -> str:
    if not is_valid_upn(value):
        raise RowError("UPN", "Not a valid UPN (a check letter, 11 digits, a digit or letter).")
    return normalise_upn(value)


def postcode(value: str) -> str:
    if not is_valid_postcode(value):
        raise RowError("POSTCODE", "Not a valid UK postcode, like RH10 1AA.")
    return normalise_postcode(value)


def code(choices: Mapping[str, str]) -> Parser:
    """One of a set of codes, matched without regard to case; `choices` maps accepted -> stored."""
    lowered = {k.lower(): v for k, v in choices.items()}
    allowed = ", ".join(sorted(dict.fromkeys(choices)))

    def parse(value: str) -> str:
        try:
            return lowered[value.lower()]
        except KeyError:
            raise RowError("CODE", f"{value!r} is not one of: {allowed}.") from None

    return parse


def yes_no(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("y", "yes", "true", "1"):
        return True
    if lowered in ("n", "no", "false", "0"):
        return False
    raise RowError("CODE", f"{value!r} is not Y or N.")


def roles(value: str) -> list[str]:
    names = [r.strip().lower() for r in re.split(r"[;,]", value) if r.strip()]
    unknown = [r for r in names if r not in Role.values]
    if unknown:
        raise RowError(
            "CODE", f"Unknown role {unknown[0]!r}: use {', '.join(Role.values)}, separated by ;."
        )
    return names


PERSON_REFERENCE = Column(
    "person_reference",
    False,
    "the person's ID in your system (see the people extract)",
    "MOS-000123",
    text(100),
)
NHS = Column("nhs_number", False, "10 digits, spaces allowed", "943 476 5919", nhs_number)
SOURCE_REFERENCE = Column(
    "source_reference",
    True,
    "this record's ID in your system: never reused",
    "CASE-77-0001",
    text(100),
)

SEX_CODES = {
    "M": Sex.MALE,
    "F": Sex.FEMALE,
    "U": Sex.UNKNOWN,
    "male": Sex.MALE,
    "female": Sex.FEMALE,
    "unknown": Sex.UNKNOWN,
}

COLUMNS: dict[str, list[Column]] = {
    "people": [
        Column("person_reference", True, "the person's ID in your system", "MOS-000123", text(100)),
        Column("given_name", True, "text", "Amy", text(100)),
        Column("family_name", True, "text", "Smith", text(100)),
        Column("middle_names", False, "text", "Louise", text(200)),
        Column("date_of_birth", False, "date", "05/03/2019", past_date),
        Column("sex", False, "M, F or U", "F", code(SEX_CODES)),
        Column(
            "kind",
            False,
            "child or adult (default child)",
            "child",
            code({k: k for k in PersonKind.values}),
        ),
        NHS,
        Column("upn", False, "13 characters", "A123456789012", upn),
        Column("address_line1", False, "text (with postcode)", "12 Elm Road", text(200)),
        Column("address_line2", False, "text", "Flat 2", text(200)),
        Column("town", False, "text", "Crawley", text(100)),
        Column("postcode", False, "UK postcode (with address_line1)", "RH10 1AA", postcode),
        Column("uprn", False, "up to 12 digits", "100061234567", text(12)),
        Column("address_from", False, "date they moved in", "2023-09-01", past_date),
    ],
    "addresses": [
        PERSON_REFERENCE,
        NHS,
        Column("address_line1", True, "text", "12 Elm Road", text(200)),
        Column("address_line2", False, "text", "Flat 2", text(200)),
        Column("town", False, "text", "Crawley", text(100)),
        Column("postcode", True, "UK postcode", "RH10 1AA", postcode),
        Column("uprn", False, "up to 12 digits", "100061234567", text(12)),
        Column("start_date", False, "date they moved in", "2023-09-01", past_date),
        Column("end_date", False, "date they moved out (empty: still there)", "", past_date),
    ],
    "relationships": [
        Column("person_reference", True, "the person's ID in your system", "MOS-000200", text(100)),
        Column(
            "relationship_type",
            True,
            ", ".join(RelationshipType.values),
            "mother",
            code({k: k for k in RelationshipType.values}),
        ),
        Column(
            "relative_reference",
            True,
            "the ID of the person they are related to",
            "MOS-000123",
            text(100),
        ),
        Column("start_date", False, "date", "2019-03-05", past_date),
        Column("end_date", False, "date", "", past_date),
    ],
    "involvements": [
        SOURCE_REFERENCE,
        PERSON_REFERENCE,
        NHS,
        Column("start_date", True, "date", "01/02/2024", past_date),
        Column("end_date", False, "date (empty: still involved)", "", past_date),
        Column("role_description", False, "text", "Allocated social worker", text(200)),
        Column("is_lead", False, "Y or N (default N)", "Y", yes_no),
    ],
    "chronology": [
        SOURCE_REFERENCE,
        PERSON_REFERENCE,
        NHS,
        Column("event_date", True, "date", "14/02/2024", past_date),
        Column(
            "date_accuracy",
            False,
            "day, month or year (default day)",
            "day",
            code({k: k for k in DateAccuracy.values}),
        ),
        Column(
            "event_type",
            True,
            "an event type code (`hearth` admin: Event types)",
            "missed_health_appointment",
            text(60),
        ),
        Column(
            "description", True, "text: what happened, factually", "Missed the 2-year check", str
        ),
        Column("impact_on_child", False, "text", "Development not reviewed", str),
        Column(
            "sharing_level",
            False,
            "partnership, own_agency or restricted (default partnership)",
            "partnership",
            code({k: k for k in SharingLevel.values}),
        ),
        Column(
            "restricted_roles",
            False,
            "roles separated by ; (when restricted)",
            "team_manager;ig_officer",
            roles,
        ),
    ],
}
KINDS = tuple(COLUMNS)
NEEDS_PERSON = ("addresses", "involvements", "chronology")


def missing_columns(kind: str, columns: list[str]) -> list[Problem]:
    present = set(columns)
    problems = [
        Problem(
            "",
            c.name,
            "",
            "MISSING_COLUMN",
            f"The file has no {c.name} column, which is "
            "required. Rename the column, or save a column mapping for this agency.",
        )
        for c in COLUMNS[kind]
        if c.required and c.name not in present
    ]
    if kind in NEEDS_PERSON and not present & {"person_reference", "nhs_number"}:
        problems.append(
            Problem(
                "",
                "person_reference",
                "",
                "MISSING_COLUMN",
                "The file needs a person_reference or an nhs_number column.",
            )
        )
    return problems


@dataclass(slots=True)
class Row:
    number: int
    values: dict[str, Any]
    # The record as it would be stored, worked out by the reading thread where a kind can
    # without the database (a chronology entry's content: `extract_loader.prepare_chronology`).
    content: dict[str, Any] | None = None


def check_row(
    kind: str, number: int, cells: dict[str, str], columns: list[Column]
) -> tuple[Row | None, list[Problem]]:
    """The row's values, parsed, or the problems that keep it out (every one, not just the first)."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    row = str(number)
    for column in columns:
        raw = cells.get(column.name)
        value = raw.strip() if raw else ""
        if not value:
            if column.required:
                problems.append(
                    Problem(row, column.name, "", "REQUIRED", f"{column.name} is required.")
                )
            continue
        try:
            values[column.name] = column.parse(value)
        except RowError as error:
            problems.append(Problem(row, column.name, value, error.rule, error.message))
    if not problems:
        problems = _cross_checks(kind, row, values, cells)
    return (None if problems else Row(number, values)), problems


def _cross_checks(kind: str, row: str, v: dict[str, Any], cells: dict[str, str]) -> list[Problem]:
    problems = []
    if kind in NEEDS_PERSON and "person_reference" not in v and "nhs_number" not in v:
        problems.append(
            Problem(
                row,
                "person_reference",
                "",
                "PERSON_NEEDED",
                "Say who the row is about: person_reference or nhs_number.",
            )
        )
    start, end = v.get("start_date"), v.get("end_date")
    if start and end and end < start:
        problems.append(
            Problem(
                row,
                "end_date",
                cells.get("end_date", ""),
                "DATE_ORDER",
                f"Ends ({end:%d/%m/%Y}) before it starts ({start:%d/%m/%Y}).",
            )
        )
    if kind == "people" and ("address_line1" in v) != ("postcode" in v):
        missing = "postcode" if "address_line1" in v else "address_line1"
        problems.append(
            Problem(
                row,
                missing,
                "",
                "ADDRESS_INCOMPLETE",
                "An address needs both its first line and its postcode.",
            )
        )
    if kind == "relationships" and v["person_reference"] == v["relative_reference"]:
        problems.append(
            Problem(
                row,
                "relative_reference",
                v["relative_reference"],
                "SELF_RELATIONSHIP",
                "A person cannot be their own relative.",
            )
        )
    if (
        kind == "chronology"
        and v.get("sharing_level") == SharingLevel.RESTRICTED
        and not v.get("restricted_roles")
    ):
        problems.append(
            Problem(
                row,
                "restricted_roles",
                "",
                "RESTRICTED_ROLES",
                "A restricted entry must name the roles that may see it.",
            )
        )
    return problems
