"""Validation of the identifiers agencies share: NHS number, UPN and UK postcode.

Invalid identifiers are rejected at the door so that nothing downstream (search, matching,
the CIN census) can link two children on a mistyped number.
"""

import re

from django.core.exceptions import ValidationError

UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S

_POSTCODE_RE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|([A-HK-Y][0-9]([0-9ABEHMNPRV-Y])?)|[0-9][A-HJKPS-UW]) ?"
    r"[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def nhs_check_digit(first_nine: str) -> int | None:
    """Modulus-11 check digit for the first nine digits, or None where no valid digit exists."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def normalise_nhs_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def is_valid_nhs_number(value: str) -> bool:
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"[0-9]{10}", digits):
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise ValidationError(
            "An NHS number has 10 digits, like 943 476 5919.",
            code="nhs_format",
            params={"value": value},
        )
    if nhs_check_digit(digits[:9]) != int(digits[9]):
        raise ValidationError(
            "That NHS number's check digit is wrong: check it has been copied correctly.",
            code="nhs_check_digit",
            params={"value": value},
        )


def upn_check_letter(last_twelve: str) -> str:
    """The DfE check letter for characters 2–13 of a UPN (a final letter marks a temporary UPN)."""
    total = 0
    for weight, char in zip(range(2, 14), last_twelve, strict=True):
        value = int(char) if char.isdigit() else UPN_CHECK_LETTERS.index(char)
        total += weight * value
    return UPN_CHECK_LETTERS[total % 23]


def normalise_upn(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def is_valid_upn(value: str) -> bool:
    upn = normalise_upn(value)
    if not re.fullmatch(rf"[{UPN_CHECK_LETTERS}][0-9]{{11}}[0-9{UPN_CHECK_LETTERS}]", upn):
        return False
    return upn_check_letter(upn[1:]) == upn[0]


def validate_upn(value: str) -> None:
    upn = normalise_upn(value)
    if not re.fullmatch(rf"[{UPN_CHECK_LETTERS}][0-9]{{11}}[0-9{UPN_CHECK_LETTERS}]", upn):
        raise ValidationError(
            "A UPN is 13 characters: a check letter, then 11 digits, then a digit or letter.",
            code="upn_format",
        )
    if upn_check_letter(upn[1:]) != upn[0]:
        raise ValidationError(
            "That UPN's check letter is wrong: check it has been copied correctly.",
            code="upn_check",
        )


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code: 'rh10 1aa' -> 'RH10 1AA'."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def is_valid_postcode(value: str) -> bool:
    return bool(_POSTCODE_RE.match(normalise_postcode(value)))


def validate_postcode(value: str) -> None:
    if not is_valid_postcode(value):
        raise ValidationError("Enter a real UK postcode, like RH10 1AA.", code="postcode")
