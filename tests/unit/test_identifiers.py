"""The identifiers agencies share: NHS number (modulus 11), UPN (DfE check letter) and UK postcode.

Expected values are computed here from the published algorithms, independently of the code under
test, so a mistake in `hearth.lib.identifiers` cannot hide behind the same mistake in the test.
NHS numbers are only ever drawn from the 999 range reserved for test records.
"""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from hearth.lib.identifiers import (
    UPN_CHECK_LETTERS,
    is_valid_nhs_number,
    is_valid_postcode,
    is_valid_upn,
    nhs_check_digit,
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
    upn_check_letter,
    validate_nhs_number,
    validate_postcode,
    validate_upn,
)

# Pure and fast, but a busy CI machine should not turn a slow first example into a failure.
examples = settings(deadline=None)

# --- NHS number -------------------------------------------------------------------------------


def mod11_check_digit(first_nine: str) -> int | None:
    """NHS Data Dictionary: weights 10..2, 11 minus the remainder; 11 becomes 0; 10 is never valid."""
    remainder = (
        sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
        % 11
    )
    check = 11 - remainder
    return {11: 0, 10: None}.get(check, check)


nine_digits_in_test_range = st.integers(min_value=0, max_value=999_999).map(lambda n: f"999{n:06d}")


@st.composite
def nhs_numbers_in_test_range(draw: st.DrawFn) -> str:
    first_nine = draw(
        nine_digits_in_test_range.filter(lambda nine: mod11_check_digit(nine) is not None)
    )
    return first_nine + str(mod11_check_digit(first_nine))


# Worked by hand: 999 000 000 → 9×10 + 9×9 + 9×8 = 243; 243 mod 11 = 1; 11 − 1 = 10: no valid number.
# 999 000 001 → 243 + 1×2 = 245; 245 mod 11 = 3; 11 − 3 = 8.
# 999 000 006 → 243 + 6×2 = 255; 255 mod 11 = 2; 11 − 2 = 9.
# 999 000 010 → 243 + 1×3 = 246; 246 mod 11 = 4; 11 − 4 = 7.
# 999 000 005 → 243 + 5×2 = 253 = 23×11; remainder 0 → 11 → check digit 0.
HAND_WORKED = ["9990000018", "9990000069", "9990000107", "9990000050"]


@pytest.mark.parametrize("number", HAND_WORKED)
def test_nhs_numbers_worked_by_hand_are_valid(number):
    assert is_valid_nhs_number(number)
    validate_nhs_number(number)


def test_a_remainder_of_zero_gives_check_digit_zero():
    assert nhs_check_digit("999000005") == 0


def test_check_digit_ten_is_never_valid():
    assert nhs_check_digit("999000000") is None
    for last in "0123456789":
        assert not is_valid_nhs_number("999000000" + last)


@examples
@given(nine_digits_in_test_range)
def test_check_digit_matches_the_modulus_11_algorithm(first_nine):
    assert nhs_check_digit(first_nine) == mod11_check_digit(first_nine)


@examples
@given(nhs_numbers_in_test_range())
def test_every_test_range_number_with_the_right_check_digit_is_valid(number):
    assert is_valid_nhs_number(number)
    validate_nhs_number(number)


@examples
@given(
    nhs_numbers_in_test_range(),
    st.integers(min_value=0, max_value=9),
    st.integers(min_value=1, max_value=9),
)
def test_any_single_mistyped_digit_is_caught(number, position, shift):
    digits = list(number)
    digits[position] = str((int(digits[position]) + shift) % 10)
    assert not is_valid_nhs_number("".join(digits))


@examples
@given(nhs_numbers_in_test_range(), st.integers(min_value=0, max_value=8))
def test_any_swap_of_neighbouring_digits_is_caught(number, position):
    digits = list(number)
    if digits[position] == digits[position + 1]:
        return
    digits[position], digits[position + 1] = digits[position + 1], digits[position]
    assert not is_valid_nhs_number("".join(digits))


def test_a_wrong_check_digit_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as error:
        validate_nhs_number("9990000017")
    assert error.value.code == "nhs_check_digit"
    assert "check digit" in error.value.messages[0]


@pytest.mark.parametrize(
    "formatted", ["999 000 0018", " 999 000 0018 ", "999-000-0018", "999 0000 018"]
)
def test_nhs_numbers_written_with_spaces_or_dashes_are_accepted_and_normalised(formatted):
    assert is_valid_nhs_number(formatted)
    validate_nhs_number(formatted)
    assert normalise_nhs_number(formatted) == "9990000018"


@pytest.mark.parametrize(
    "value", ["", "999000001", "99900000188", "999000001X", "999.000.0018", "NHS9990000018"]
)
def test_nhs_numbers_of_the_wrong_shape_are_refused(value):
    assert not is_valid_nhs_number(value)
    with pytest.raises(ValidationError) as error:
        validate_nhs_number(value)
    assert error.value.code == "nhs_format"


def test_nhs_numbers_must_be_written_in_ascii_digits():
    # Full-width digits are "digits" to Python's \d but no agency system would match them.
    full_width = "".join(chr(ord("０") + int(d)) for d in "9990000018")
    assert not is_valid_nhs_number(full_width)
    with pytest.raises(ValidationError):
        validate_nhs_number(full_width)


# --- UPN ----------------------------------------------------------------------------------------

DFE_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 0 = A … 22 = Z, omitting I, O and S


def dfe_check_letter(characters_2_to_13: str) -> str:
    """DfE UPN guide: characters 2–13 × weights 2–13, summed, mod 23, mapped through DFE_LETTERS.

    In a temporary UPN character 13 is a letter, valued by the same table (A = 0, B = 1 … Z = 22).
    """
    total = 0
    for weight, char in zip(range(2, 14), characters_2_to_13, strict=True):
        total += weight * (DFE_LETTERS.index(char) if char.isalpha() else int(char))
    return DFE_LETTERS[total % 23]


def make_upn(eleven_digits: str, last: str) -> str:
    body = eleven_digits + last
    return dfe_check_letter(body) + body


eleven_digits = st.integers(min_value=0, max_value=10**11 - 1).map(lambda n: f"{n:011d}")
permanent_upns = st.builds(make_upn, eleven_digits, st.sampled_from("0123456789"))
temporary_upns = st.builds(make_upn, eleven_digits, st.sampled_from(DFE_LETTERS))


def test_the_check_letters_are_the_dfe_list():
    assert UPN_CHECK_LETTERS == DFE_LETTERS
    assert len(UPN_CHECK_LETTERS) == 23
    assert not set("IOS") & set(UPN_CHECK_LETTERS)


def test_a_upn_worked_by_hand_is_valid():
    # 801200005001: 8×2 + 0×3 + 1×4 + 2×5 + 0×6 + 0×7 + 0×8 + 0×9 + 5×10 + 0×11 + 0×12 + 1×13 = 93;
    # 93 mod 23 = 1 → B.
    assert upn_check_letter("801200005001") == "B"
    assert is_valid_upn("B801200005001")
    assert not is_valid_upn("A801200005001")


def test_a_temporary_upn_worked_by_hand_is_valid():
    # 80120000500 then the letter A (value 0): 93 − 1×13 = 80; 80 mod 23 = 11 → M.
    assert upn_check_letter("80120000500A") == "M"
    assert is_valid_upn("M80120000500A")
    # Z is worth 22, not its position in the full alphabet: 80 + 22×13 = 366; 366 mod 23 = 21 → Y.
    assert upn_check_letter("80120000500Z") == "Y"
    assert is_valid_upn("Y80120000500Z")


@examples
@given(permanent_upns)
def test_every_permanent_upn_with_the_dfe_check_letter_is_valid(upn):
    assert upn_check_letter(upn[1:]) == upn[0]
    assert is_valid_upn(upn)
    validate_upn(upn)


@examples
@given(temporary_upns)
def test_every_temporary_upn_with_the_dfe_check_letter_is_valid(upn):
    assert upn_check_letter(upn[1:]) == upn[0]
    assert is_valid_upn(upn)
    validate_upn(upn)


@examples
@given(st.one_of(permanent_upns, temporary_upns), st.sampled_from(DFE_LETTERS))
def test_any_other_check_letter_is_refused(upn, letter):
    if letter == upn[0]:
        return
    wrong = letter + upn[1:]
    assert not is_valid_upn(wrong)
    with pytest.raises(ValidationError) as error:
        validate_upn(wrong)
    assert error.value.code == "upn_check"


@examples
@given(permanent_upns)
def test_upns_are_accepted_in_lower_case_and_with_spaces(upn):
    written = f" {upn[:4].lower()} {upn[4:8]} {upn[8:]} "
    assert normalise_upn(written) == upn
    assert is_valid_upn(written)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "B80120000500",  # 12 characters
        "B8012000050011",  # 14 characters
        "880120000500A",  # first character must be a letter
        "B8012000A5001",  # characters 2–12 are digits
        "I80120000500A",  # I, O and S are never used
        "M80120000500I",
        "M80120000500O",
        "M80120000500S",
        "B80120000500-",
    ],
)
def test_upns_of_the_wrong_shape_are_refused(value):
    assert not is_valid_upn(value)
    with pytest.raises(ValidationError) as error:
        validate_upn(value)
    assert error.value.code == "upn_format"


def test_upns_must_be_written_in_ascii_digits():
    full_width = "B" + "".join(chr(ord("０") + int(d)) for d in "801200005001")
    assert not is_valid_upn(full_width)


# --- Postcode -----------------------------------------------------------------------------------

# One of each shape Royal Mail uses: A9 9AA, A99 9AA, A9A 9AA, AA9 9AA, AA99 9AA, AA9A 9AA, and GIR 0AA.
VALID_POSTCODES = [
    "M1 1AE",
    "B33 8TH",
    "W1A 0AX",
    "CR2 6XH",
    "DN55 1PT",
    "EC1A 1BB",
    "RH10 1AA",
    "GIR 0AA",
]


@pytest.mark.parametrize("postcode", VALID_POSTCODES)
def test_valid_postcodes_of_every_shape_are_accepted(postcode):
    assert is_valid_postcode(postcode)
    validate_postcode(postcode)
    assert normalise_postcode(postcode) == postcode


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("rh10 1aa", "RH10 1AA"),
        ("RH101AA", "RH10 1AA"),
        ("rh101aa", "RH10 1AA"),
        ("  RH10   1AA ", "RH10 1AA"),
        ("m11ae", "M1 1AE"),
        ("ec1a1bb", "EC1A 1BB"),
    ],
)
def test_postcodes_in_lower_case_or_without_a_space_are_normalised(written, normalised):
    assert normalise_postcode(written) == normalised
    assert is_valid_postcode(written)


@pytest.mark.parametrize(
    "postcode",
    [
        "",
        "RH10",  # outward code only
        "RH10 1A",
        "RH10 1AAA",
        "12345",
        "QH10 1AA",  # Q, V and X never start a postcode
        "VH10 1AA",
        "XH10 1AA",
        "RH10 1CA",  # C, I, K, M, O and V never appear in the inward letters
        "RH10 1AK",
        "RH10 AA1",
        "RH10-1AA",
    ],
)
def test_invalid_postcodes_are_refused(postcode):
    assert not is_valid_postcode(postcode)
    with pytest.raises(ValidationError):
        validate_postcode(postcode)


@examples
@given(st.sampled_from(VALID_POSTCODES), st.sampled_from(["", " ", "  "]), st.booleans())
def test_normalising_is_idempotent_and_keeps_validity(postcode, gap, lower):
    outward, inward = postcode.split(" ")
    written = outward + gap + inward
    written = written.lower() if lower else written
    once = normalise_postcode(written)
    assert once == postcode
    assert normalise_postcode(once) == once
