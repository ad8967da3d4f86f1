"""Text typed or imported by people, normalised once before it is stored: NFC, no invisible characters, bounded length.

Spreadsheets and copy-paste carry characters nobody sees: zero-width spaces,
bidirectional overrides that make "张三‮" print reversed or as "?", control
characters, byte-order marks. `normalize_input(text)` returns the text in NFC
with those removed (and tells whether something was removed, so the caller
can warn naming the row). CJK compatibility ideographs (U+F900–U+FAFF,
U+2F800–U+2FA1F) are kept as they are: NFC would replace them with the
unified ideograph, and a registered name must keep its exact character.
Tabs and line breaks are whitespace, left to the caller (a leading tab is not
stripped into a formula: see `services.spreadsheet_out`).

`FIELD_LIMITS` are the longest texts each kind of field accepts (the columns
are VARCHAR); `limit_for(key)` answers for a catalogue column key.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and bidi controls (U+200B–U+200F, U+202A–U+202E, U+2060–U+2064, U+2066–U+2069), BOM,
# soft hyphen, and C0/C1 control characters other than tab, line feed and carriage return.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad"
                       "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_COMPAT_IDEOGRAPHS = re.compile("([\uf900-\ufaff\U0002f800-\U0002fa1f]+)")

NAME_LIMIT = 50
REMARK_LIMIT = 500
TEXT_LIMIT = 500
FIELD_LIMITS = {
    "name": NAME_LIMIT, "village": 100, "group": 50, "remark": REMARK_LIMIT, "reason": 200,
    "subsidy_name": 100, "standard": 100, "level": 50, "change_type": 50,
}


def limit_for(key: str) -> int:
    """The longest text a field with this catalogue key may hold."""
    return FIELD_LIMITS.get(key, TEXT_LIMIT)


def normalize_input(text: str) -> tuple[str, bool]:
    """(NFC text without invisible/control characters, whether any were removed)."""
    removed = False
    if not text.isascii() or INVISIBLE.search(text):
        cleaned = INVISIBLE.sub("", text)
        removed = cleaned != text
        text = _nfc(cleaned)
    return text, removed


def _nfc(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    if not _COMPAT_IDEOGRAPHS.search(text):
        return unicodedata.normalize("NFC", text)
    parts = _COMPAT_IDEOGRAPHS.split(text)  # odd indexes are the ideographs, kept as written
    return "".join(part if index % 2 else unicodedata.normalize("NFC", part) for index, part in enumerate(parts))


def too_long_message(label: str, length: int, limit: int) -> str:
    return (f"“{label}”有 {length:,} 个字，超过上限 {limit} 个字。"
            "请核对是否把多个单元格的内容粘贴到了一起，删减后重新导入。")
