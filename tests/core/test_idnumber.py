"""Resident ID numbers: normalisation, GB 11643 check digits, Excel precision loss, facts read from a number."""

from __future__ import annotations

from datetime import date

import pytest

from zwgk_desktop.core.idnumber import (
    ID_CHECKSUM,
    ID_FORMAT,
    ID_PRECISION_LOST,
    age_on,
    birth_date,
    check_digit,
    gender,
    is_minor,
    make_id_number,
    normalize_id_number,
    validate_id_number,
)
from zwgk_desktop.errors import InvalidInput

PUBLIC_EXAMPLE = "11010519491231002X"  # the GB 11643 example printed in every textbook
TODAY = date(2026, 11, 23)


def _with_other_check(id_number: str) -> str:
    wrong = next(c for c in "0123456789X" if c != id_number[-1])
    return id_number[:-1] + wrong


def test_public_example_id_is_valid():
    """The published example 11010519491231002X passes, with X as its check digit."""
    assert check_digit(PUBLIC_EXAMPLE[:17]) == "X"
    result = validate_id_number(PUBLIC_EXAMPLE, today=TODAY)
    assert result.ok and result.code is None and result.normalized == PUBLIC_EXAMPLE


@pytest.mark.parametrize("seq", [0, 1, 57, 123, 998, 999])
def test_generated_ids_are_valid_and_a_changed_check_digit_is_caught(seq):
    """make_id_number gives a valid ID; any other last character is reported as id_checksum."""
    id_number = make_id_number("341122", date(1990, 1, 1), seq)
    assert len(id_number) == 18 and id_number[:14] == "34112219900101"
    assert validate_id_number(id_number, today=TODAY).ok
    wrong = validate_id_number(_with_other_check(id_number), today=TODAY)
    assert wrong.code == ID_CHECKSUM and not wrong.ok
    assert "校验" in wrong.message


def test_a_mistyped_middle_digit_fails_the_checksum():
    """Swapping one digit in the middle of a valid ID is caught by the check digit."""
    id_number = make_id_number("341122", date(1985, 6, 15), 42)
    typo = id_number[:15] + str((int(id_number[15]) + 1) % 10) + id_number[16:]
    assert validate_id_number(typo, today=TODAY).code == ID_CHECKSUM


@pytest.mark.parametrize(
    "raw",
    [
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and X
        "11010519491231002x",  # lowercase x
        " 110105 19491231 002X ",  # spaces
        "110105-19491231-002X",  # hyphens
        "110105\u300019491231\u3000002ｘ",  # ideographic spaces, full-width lowercase x
        "\ufeff11010519491231002X\u200b",  # BOM and zero-width space from copy-paste
    ],
)
def test_normalisation_accepts_full_width_spaced_and_lowercase_input(raw):
    """IDs typed in full-width, with spaces/hyphens or a lowercase x normalise to the plain ID."""
    assert normalize_id_number(raw) == PUBLIC_EXAMPLE
    assert validate_id_number(raw, today=TODAY).ok


def test_precision_lost_for_a_numeric_cell_even_when_the_checksum_passes():
    """An ID that came from a numeric cell is id_precision_lost although its digits pass the checksum."""
    # Find a real, checksum-valid ID whose last three characters are "000":
    # exactly what Excel's 15 significant digits leave behind.
    survivor = next(
        make_id_number("341122", date(1990, 1, 1), seq)
        for seq in range(0, 1000, 10)
        if make_id_number("341122", date(1990, 1, 1), seq).endswith("000")
    )
    assert validate_id_number(survivor, today=TODAY).ok  # as text it would pass
    as_number = validate_id_number(int(survivor), today=TODAY)
    assert as_number.code == ID_PRECISION_LOST and not as_number.ok
    flagged = validate_id_number(survivor, from_number=True, today=TODAY)
    assert flagged.code == ID_PRECISION_LOST
    assert "15位" in flagged.message and "文本" in flagged.message


@pytest.mark.parametrize(
    "raw",
    ["3.41122E+17", "3.41122e17", "3.41122199001011E+17", "341122199001010000.0", "３.４１１２２Ｅ＋１７", 3.41122199001011e17],
)
def test_precision_lost_for_scientific_or_decimal_text(raw):
    """Text Excel made from a long number (scientific notation, '.0' tail) is id_precision_lost."""
    result = validate_id_number(raw, today=TODAY)
    assert result.code == ID_PRECISION_LOST
    assert "Excel" in result.message


def test_legacy_15_digit_id_is_a_format_error_that_asks_for_18_digits():
    """A 15-digit old ID is id_format with a message asking for the 18-digit number."""
    result = validate_id_number("110105491231002", today=TODAY)
    assert result.code == ID_FORMAT
    assert "18位" in result.message and "15位" in result.message


def test_a_15_digit_numeric_cell_is_not_precision_loss():
    """A number short enough to survive Excel intact is judged on its format, not as precision loss."""
    assert validate_id_number(110105491231002, today=TODAY).code == ID_FORMAT


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "未填写"),
        (None, "未填写"),
        ("1101051949123100", "18位"),
        ("11010519491231002XX", "18位"),
        ("11010519491231002Y", "Y"),
        ("1101051949123100X2", "最后一位"),
        ("11010519491331002X", "19491331"),  # month 13
        ("11010518991231002X", "1900"),  # born before 1900
        ("11010520991231002X", "1900"),  # born in the future
    ],
)
def test_format_errors_explain_what_is_wrong(raw, fragment):
    """Malformed IDs are id_format with a Chinese message naming the problem."""
    result = validate_id_number(raw, today=TODAY)
    assert result.code == ID_FORMAT and not result.ok
    assert fragment in result.message


def test_birth_date_age_minor_and_gender():
    """Birth date, age (birthday counted on the day), minority and gender are read from the ID."""
    child = make_id_number("341122", date(2010, 5, 20), 124)  # even sequence → female
    assert birth_date(child) == date(2010, 5, 20)
    assert age_on(child, date(2028, 5, 19)) == 17
    assert age_on(child, date(2028, 5, 20)) == 18
    assert is_minor(child, date(2028, 5, 19)) and not is_minor(child, date(2028, 5, 20))
    assert gender(child) == "女"
    assert gender(PUBLIC_EXAMPLE) == "女"  # sequence 002
    assert gender(make_id_number("341122", date(1960, 2, 29), 7)) == "男"
    assert birth_date("110105491231002") == date(1949, 12, 31)  # legacy IDs still readable


def test_reading_facts_from_a_malformed_id_is_a_chinese_error():
    """Asking the birth date of garbage raises InvalidInput, not a bare ValueError."""
    with pytest.raises(InvalidInput) as caught:
        birth_date("12345")
    assert "格式" in caught.value.message


def test_make_id_number_rejects_a_bad_region():
    """The demo generator refuses a region code that is not 6 digits."""
    with pytest.raises(InvalidInput):
        make_id_number("3411", date(1990, 1, 1), 1)
