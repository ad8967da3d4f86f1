"""The order of village groups (村民小组): 一组, 二组 … 十组, 3组 by their number, not as text.

`group_number` reads the leading number (Arabic or Chinese), `group_sort_key`
orders groups (a registered order first), and `compare_groups` is the same
order as an SQLite collation (`GROUP_COLLATION`, registered on every
connection by `core.db`) so paged queries can `ORDER BY group_name COLLATE
group_order` instead of text order (一组, 三组, 二组 …).
"""

from __future__ import annotations

import re
import unicodedata

GROUP_COLLATION = "group_order"

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def group_number(name: str) -> int | None:
    """一组 → 1, 十二组 → 12, 3组 → 3; None when the name has no leading number."""
    text = unicodedata.normalize("NFKC", name or "").strip()
    digits = re.match(r"\d+", text)
    if digits:
        return int(digits.group())
    match = re.match(r"[零〇一二两三四五六七八九十百]+", text)
    if not match:
        return None
    value, current = 0, 0
    for ch in match.group():
        if ch == "百":
            value += (current or 1) * 100
            current = 0
        elif ch == "十":
            value += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[ch]
    return value + current


def group_sort_key(name: str, explicit: dict[str, int] | None = None) -> tuple:
    """Groups in their registered order, else by their number (二组 before 十组), else by name."""
    if explicit and name in explicit:
        return (0, explicit[name], name)
    number = group_number(name)
    return (1, number if number is not None else 10**6, name)


def compare_groups(a: str, b: str) -> int:
    """-1/0/1 in group order (the SQLite collation)."""
    key_a, key_b = group_sort_key(a), group_sort_key(b)
    return (key_a > key_b) - (key_a < key_b)
