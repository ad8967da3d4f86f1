"""Resident ID numbers (GB 11643-1999): normalisation, validation and the facts they encode.

Owns the rules every import and form uses to judge an ID number: the
18-character format, the plausible birth date, the MOD 11-2 check digit, the
15-digit legacy number (rejected with advice) and the classic Excel
corruption, an ID stored as a number, which keeps only 15 significant digits
and cannot be repaired (`id_precision_lost`). Also birth date, age, minority
and gender read from a number, and `make_id_number` for demo data.

Pure Python; no database, no Qt. Masking lives in `core/privacy.py`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from operator import mul

from zwgk_desktop.errors import InvalidInput

ID_LENGTH = 18
LEGACY_ID_LENGTH = 15
EXCEL_SIGNIFICANT_DIGITS = 15
EARLIEST_BIRTH = date(1900, 1, 1)
ADULT_AGE = 18

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)

# Characters dropped by normalisation: spaces of every width, hyphen-like
# dashes, zero-width characters and the BOM that copy-paste drags along.
_DROPPED_CHARS = re.compile(r"[\s\u00a0\u3000\u200b-\u200d\u2060\ufeff\-\u2010-\u2015\u2212_]")
_EXCEL_TEXT_PREFIX = "'`"

_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
# Already clean: 18 ASCII characters, digits with an optional final X (the common case, no normalising needed).
_CLEAN_ID = re.compile(r"[0-9]{17}[0-9X]")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d*)?E[+-]?\d+$")
_DECIMAL_TAIL = re.compile(r"^\d{%d,}\.\d*$" % (EXCEL_SIGNIFICANT_DIGITS + 1))

ID_FORMAT = "id_format"
ID_CHECKSUM = "id_checksum"
ID_PRECISION_LOST = "id_precision_lost"


@dataclass(frozen=True)
class IdCheck:
    """The verdict on one ID number: `ok`, or an error `code` with a Chinese `message`."""

    normalized: str
    ok: bool
    code: str | None = None
    message: str = ""


EXCEL_GENERAL_DIGITS = 11  # Excel's General format shows a whole number of up to 11 digits in full


def as_excel_shows(number: float | int) -> str:
    """How Excel's General format shows a long number: 341525196005172014 → "3.41525E+17".

    What the clerk sees in the cell, and all an error message may repeat of a number that was an ID or
    a bank account: the six digits it keeps are no more than a masked number shows."""
    if abs(number) < 10 ** EXCEL_GENERAL_DIGITS and float(number).is_integer():
        return str(int(number))
    mantissa, exponent = f"{number:.5E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}E{exponent[0]}{exponent[1:].lstrip('0').zfill(2)}"


def normalize_id_number(raw: object) -> str:
    """The ID as plain ASCII: full-width folded, spaces/hyphens removed, `x` → `X`."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 10 ** EXCEL_SIGNIFICANT_DIGITS:
        text = str(int(raw))  # a short number cell: its digits (the length check explains it), not "12345.0"
    elif isinstance(raw, float):
        text = repr(raw)
    else:
        text = str(raw)
    text = unicodedata.normalize("NFKC", text)
    text = _DROPPED_CHARS.sub("", text)
    text = text.lstrip(_EXCEL_TEXT_PREFIX)
    return text.upper()


def check_digit(first17: str) -> str:
    """The GB 11643 MOD 11-2 check character ('0'–'9' or 'X') for the first 17 digits."""
    if len(first17) != ID_LENGTH - 1 or not first17.isascii() or not first17.isdigit():
        raise InvalidInput(
            f"计算校验位需要17位数字，收到“{first17}”。", code=ID_FORMAT, detail={"value": first17}
        )
    return _check_char(first17)


_WEIGHTED_ZEROS = ord("0") * sum(_WEIGHTS)


def _check_char(first17: str) -> str:
    """MOD 11-2 check character of 17 ASCII digits (already checked by the caller).

    Weighs the ASCII codes and takes off the weighted '0's: same sum, no int() per digit.
    """
    return _CHECK_CHARS[(sum(map(mul, first17.encode("ascii"), _WEIGHTS)) - _WEIGHTED_ZEROS) % 11]


def is_clean_valid_id(text: str, today: date) -> bool:
    """True when `text` is already a plain 18-character ID (no normalising needed) that passes every check.

    The fast path for the usual roster cell; False means "ask `validate_id_number`", not "invalid".
    """
    if not _CLEAN_ID.fullmatch(text):
        return False
    born = _parse_birth(text[6:14])
    return born is not None and EARLIEST_BIRTH <= born <= today and _check_char(text[:17]) == text[17]


def _came_from_number(raw: object, from_number: bool) -> bool:
    return from_number or (
        isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool)
    )


def _digit_count(normalized: str) -> int:
    return sum(ch.isdigit() for ch in normalized)


def _looks_like_mangled_number(normalized: str) -> bool:
    """Scientific notation or a '.0' tail: the text Excel shows for a long number."""
    return bool(_SCIENTIFIC.match(normalized) or _DECIMAL_TAIL.match(normalized))


def _precision_lost(normalized: str, raw: object) -> IdCheck:
    shown = as_excel_shows(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) else raw
    return IdCheck(
        normalized=normalized,
        ok=False,
        code=ID_PRECISION_LOST,
        message=(
            f"身份证号码被Excel存成了数字（显示为“{shown}”）。Excel只保留15位有效数字，"
            "后几位已经丢失且无法恢复，即使剩下的数字碰巧能通过校验也不可信。"
            "请把该列设置为“文本”格式，再对照原件重新录入完整号码。"
        ),
    )


def _format_error(normalized: str, message: str) -> IdCheck:
    return IdCheck(normalized=normalized, ok=False, code=ID_FORMAT, message=message)


@lru_cache(maxsize=65536)
def _parse_birth(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[0:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None


def _shape_problem(normalized: str) -> str | None:
    """A Chinese explanation of why the text is not 18 digits (last may be X), or None."""
    if not normalized:
        return "未填写身份证号码。"
    if len(normalized) == LEGACY_ID_LENGTH and normalized.isdigit():
        return "这是15位的旧身份证号码，请改填18位居民身份证号码（可在户口簿或新身份证上查到）。"
    bad = next((ch for ch in normalized if not (ch.isascii() and (ch.isdigit() or ch == "X"))), None)
    if bad is not None:
        return f"身份证号码只能由数字和末位的X组成，其中出现了“{bad}”。"
    if len(normalized) != ID_LENGTH:
        return f"身份证号码应为18位，实为{len(normalized)}位。"
    if not _ID_SHAPE.match(normalized):
        return "身份证号码中的X只能出现在最后一位。"
    return None


def _birth_problem(normalized: str, today: date) -> str | None:
    digits = normalized[6:14]
    born = _parse_birth(digits)
    if born is None:
        return f"身份证号码第7至14位的出生日期“{digits}”不是有效日期。"
    if not EARLIEST_BIRTH <= born <= today:
        return f"身份证号码中的出生日期{born.isoformat()}不在1900年至今的范围内。"
    return None


def validate_id_number(raw: object, *, from_number: bool = False, today: date | None = None) -> IdCheck:
    """Judge one ID number; `from_number` says the value came from a numeric spreadsheet cell.

    A value that was ever a number (or text Excel made from one, such as
    "3.41122E+17" or "341122199001010000.0") is `id_precision_lost` whenever it
    is long enough to have lost digits, whatever its checksum says.
    """
    today = today or date.today()
    if not from_number and type(raw) is str and _CLEAN_ID.fullmatch(raw):
        # Fast path: nothing to normalise, not a mangled number, shape already right.
        normalized = raw
        problem = _birth_problem(normalized, today)
    else:
        normalized = normalize_id_number(raw)
        if _looks_like_mangled_number(normalized):
            return _precision_lost(normalized, raw)
        if _came_from_number(raw, from_number) and _digit_count(normalized) > EXCEL_SIGNIFICANT_DIGITS:
            return _precision_lost(normalized, raw)
        problem = _shape_problem(normalized) or _birth_problem(normalized, today)
    if problem:
        return _format_error(normalized, problem)
    if _check_char(normalized[:17]) != normalized[17]:
        return IdCheck(
            normalized=normalized,
            ok=False,
            code=ID_CHECKSUM,
            message="身份证号码校验位不符，号码中至少有一位录入错误，请对照身份证原件逐位核对。",
        )
    return IdCheck(normalized=normalized, ok=True)


def _require_shape(id_number: str) -> str:
    normalized = normalize_id_number(id_number)
    if len(normalized) == ID_LENGTH and _ID_SHAPE.match(normalized):
        return normalized
    if len(normalized) == LEGACY_ID_LENGTH and normalized.isdigit():
        return normalized
    raise InvalidInput(
        "无法从该身份证号码读取出生日期或性别：号码格式不正确。", code=ID_FORMAT
    )


def birth_date(id_number: str) -> date:
    """The birth date encoded in an 18-digit (or legacy 15-digit, 19YY) ID number."""
    normalized = _require_shape(id_number)
    digits = normalized[6:14] if len(normalized) == ID_LENGTH else "19" + normalized[6:12]
    born = _parse_birth(digits)
    if born is None:
        raise InvalidInput(f"身份证号码中的出生日期“{digits}”不是有效日期。", code=ID_FORMAT)
    return born


def age_on(id_number: str, on_date: date) -> int:
    """Full years of age on `on_date` (a birthday counts on the day itself)."""
    born = birth_date(id_number)
    had_birthday = (on_date.month, on_date.day) >= (born.month, born.day)
    return on_date.year - born.year - (0 if had_birthday else 1)


def is_minor(id_number: str, on_date: date) -> bool:
    """True when the person is under 18 on `on_date` (their name must not be published)."""
    return age_on(id_number, on_date) < ADULT_AGE


def gender(id_number: str) -> str:
    """'男' or '女', from the parity of the sequence code (17th digit, or 15th of a legacy ID)."""
    normalized = _require_shape(id_number)
    sequence_digit = int(normalized[16] if len(normalized) == ID_LENGTH else normalized[14])
    return "男" if sequence_digit % 2 else "女"


def make_id_number(region6: str, birth: date, seq3: int | str) -> str:
    """A well-formed 18-digit ID (correct check digit) for demo and test data."""
    region = str(region6)
    if len(region) != 6 or not region.isdigit():
        raise InvalidInput(f"行政区划代码应为6位数字，收到“{region6}”。", code=ID_FORMAT)
    sequence = f"{int(seq3):03d}"
    if len(sequence) != 3 or int(seq3) < 0:
        raise InvalidInput(f"顺序码应为0–999，收到“{seq3}”。", code=ID_FORMAT)
    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    return first17 + check_digit(first17)
