"""What a notice's line item carries beyond name and money: people, the change type, funding parts.

One definition of each fact, for the importer, the draft editor, the totals,
the 台账 export and whoever prints or counts line items:

- **People.** `family_size` (家庭人口) and `covered_people` (保障人数) are
  distinct typed fields of `DisclosureItem`; `people`, the number a notice
  counts, is `counted_people(family_size, covered_people)`: the people covered
  where the roster says, else the household size.
- **Change type** (变动类型): `ChangeType` new/adjust/continue/stop/reduce
  (新增/调整/续保/停保/减保), read from its own column (`change_type_of`, with
  the county synonyms) or from 备注 text (`change_type_in_remark`). The typed
  column holds the code; `extra["change_type"]` keeps the roster's own wording,
  which is what notices print. A 停保 line is listed on the 公示 but does not
  count: `counts_in_totals` / `COUNTED` (SQL) / `counted_amount` (SQL) are the
  one rule for totals, statistics and 明白卡.
- **Funding parts** (资金来源): `FUNDING_PARTS` central/province/city/county/self
  (中央/省级/市级/县级/自筹) stored per line item in fen as the `funding` JSON
  (all five keys; a part the roster lacks is 0); `funding_total` is their sum.
- `TYPED_FIELDS`: catalogue column key → `DisclosureItem` attribute, and
  `values_by_key(item)` the one way to read a line item by catalogue key
  (typed fields, then `extra`).

Pure data and tiny SQL expressions; no Qt, no session.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Any, Iterable, Mapping


class ChangeType(StrEnum):
    """How a line changes the list (低保 and the other 动态管理 rosters)."""

    NEW = "new"
    ADJUST = "adjust"
    CONTINUE = "continue"
    STOP = "stop"
    REDUCE = "reduce"

    @property
    def label(self) -> str:
        return CHANGE_TYPE_LABELS[self]


CHANGE_TYPE_LABELS = {
    ChangeType.NEW: "新增", ChangeType.ADJUST: "调整", ChangeType.CONTINUE: "续保",
    ChangeType.STOP: "停保", ChangeType.REDUCE: "减保",
}
# What counties write in a 变动情况/类型 column (exact cell texts, after removing spaces).
CHANGE_TYPE_SYNONYMS: dict[ChangeType, tuple[str, ...]] = {
    ChangeType.NEW: ("新增", "新纳入", "纳入", "新申请", "新批", "新增保障", "新增对象", "首次纳入", "新"),
    ChangeType.ADJUST: ("调整", "调标", "提标", "调档", "变更", "调增", "增保", "增加", "提档", "升档", "调整保障金"),
    ChangeType.CONTINUE: ("续保", "继续", "延续", "保持", "维持", "不变", "正常", "续", "原保", "继续保障", "复核续保"),
    ChangeType.STOP: ("停保", "停发", "取消", "退出", "终止", "注销", "停止", "停", "取消保障", "退保", "清退"),
    ChangeType.REDUCE: ("减保", "降档", "降标", "减少", "调减", "减发", "减"),
}
# Words that mark a change type inside free 备注 text, strongest first (a 停保 note may also say 增加).
REMARK_MARKERS: tuple[tuple[ChangeType, tuple[str, ...]], ...] = (
    (ChangeType.STOP, ("停保", "停发", "取消保障", "取消低保", "取消资格", "退出低保", "退出保障", "终止保障", "注销")),
    (ChangeType.REDUCE, ("减保", "降档", "降标", "调减")),
    (ChangeType.NEW, ("新增", "新纳入", "首次纳入")),
    (ChangeType.ADJUST, ("调整", "提标", "调标", "调档", "提档", "增保")),
    (ChangeType.CONTINUE, ("续保", "继续保障")),
)
_SPACES = re.compile(r"[\s\u3000\u00a0]+")
_EXACT = {word: kind for kind, words in CHANGE_TYPE_SYNONYMS.items() for word in words}


def change_type_of(text: Any) -> ChangeType | None:
    """The change type a 类型/变动情况 cell names (its code, label or a county synonym), else None."""
    if text is None:
        return None
    cleaned = unicodedata.normalize("NFKC", _SPACES.sub("", str(text))).strip("()（）[]【】")
    if not cleaned:
        return None
    if cleaned in _EXACT:
        return _EXACT[cleaned]
    try:
        return ChangeType(cleaned.lower())
    except ValueError:
        pass
    return change_type_in_remark(cleaned)


def change_type_in_remark(text: Any) -> ChangeType | None:
    """A change type written inside 备注 text ("本月新增", "因收入增加停保"), else None."""
    if not text:
        return None
    cleaned = _SPACES.sub("", str(text))
    for kind, markers in REMARK_MARKERS:
        if any(marker in cleaned for marker in markers):
            return kind
    return None


def change_type_label(code: str | None) -> str:
    """新增/调整/续保/停保/减保 for a stored code ('' for none or an unknown code)."""
    try:
        return ChangeType(code).label if code else ""
    except ValueError:
        return ""


def counts_in_totals(change_type: str | None) -> bool:
    """A 停保 line is listed on the 公示 but counts in no total (amount, people, statistics, 明白卡)."""
    return change_type != ChangeType.STOP


def counted_people(family_size: int | None, covered_people: int | None) -> int | None:
    """The people a line counts on its notice: 保障人数 where known, else 家庭人口."""
    return covered_people if covered_people is not None else family_size


# --- funding parts ---------------------------------------------------------------------------

FUNDING_PARTS = ("central", "province", "city", "county", "self")
FUNDING_LABELS = {"central": "中央", "province": "省级", "city": "市级", "county": "县级", "self": "自筹"}
# Sub-column texts under a merged 补助资金（元） header (after removing spaces and a trailing (元)).
FUNDING_SYNONYMS: dict[str, tuple[str, ...]] = {
    "central": ("中央", "中央资金", "中央补助", "中央财政", "中央补助资金", "中央财政资金", "中央衔接资金", "中央级"),
    "province": ("省级", "省", "省级资金", "省级补助", "省财政", "省级财政", "省级财政资金", "省级衔接资金", "省级补助资金"),
    "city": ("市级", "市", "市州", "市(州)", "市(州)级", "市级资金", "市级补助", "市财政", "市级财政", "市级补助资金"),
    "county": ("县级", "县", "县区", "县(区)", "县(市、区)", "县(市、区)级", "县级资金", "县级补助", "县财政", "县级财政",
               "县级配套", "县级补助资金", "区级", "县(市)级"),
    "self": ("自筹", "农户自筹", "群众自筹", "自筹资金", "个人自筹", "村集体自筹", "自筹及其他"),
}
FUNDING_TOTAL_WORDS = ("合计", "小计", "总计", "合计金额", "补助合计", "资金合计", "总额", "金额合计", "补助资金合计")
FUNDING_KEY_PREFIX = "funding."


def funding_key(part: str) -> str:
    """The roster-mapping key of a funding part column ('funding.central' …)."""
    return FUNDING_KEY_PREFIX + part


FUNDING_KEYS = tuple(funding_key(p) for p in FUNDING_PARTS)


def funding_columns(entry) -> tuple:
    """One money column per funding part the category publishes (中央(元) …), for the 台账, the blank
    roster and the poster alike."""
    from zwgk_desktop.core.catalogue import Column

    return tuple(Column(key=funding_key(part), label=f"{FUNDING_LABELS[part]}(元)", type="money")
                 for part in entry.funding_parts if part in FUNDING_LABELS)


def funding_part_of(key: str) -> str | None:
    return key[len(FUNDING_KEY_PREFIX):] if key.startswith(FUNDING_KEY_PREFIX) else None


def funding_record(parts: Mapping[str, int | None]) -> dict[str, int] | None:
    """The stored `funding` JSON: all five parts in fen (missing ones 0), or None when no part is given."""
    if not any(parts.get(p) is not None for p in FUNDING_PARTS):
        return None
    return {p: int(parts.get(p) or 0) for p in FUNDING_PARTS}


def funding_total(funding: Mapping[str, int] | None) -> int | None:
    return None if not funding else sum(int(funding.get(p) or 0) for p in FUNDING_PARTS)


# --- reading a line item by catalogue key -------------------------------------------------------

# Catalogue column key → DisclosureItem attribute (everything else lives in `extra`).
TYPED_FIELDS = {
    "name": "name", "village": "village_name", "group": "group_name", "id_number": "id_number",
    "people": "people", "amount": "amount_fen", "family_size": "family_size", "covered_people": "covered_people",
}
# Typed attributes a line item carries beyond the common ones (copied with the item, sent to the county).
ITEM_FACT_FIELDS = ("family_size", "covered_people", "change_type", "funding")


def add_item_facts(values: dict[str, Any], change_type: str | None, funding: dict | None) -> dict[str, Any]:
    """Put a line item's change type and funding parts into its {catalogue key: value} dict: the change type
    as the roster's own wording when `extra` kept it, else its label; each funding part as `funding.central` …"""
    if change_type and not values.get("change_type"):
        values["change_type"] = change_type_label(change_type)
    if funding:
        for part in FUNDING_PARTS:
            values[funding_key(part)] = funding.get(part, 0)
    return values


def values_by_key(item: Any, keys: Iterable[str] | None = None) -> dict[str, Any]:
    """A line item (ORM row or DTO with the item attributes) as {catalogue key: value}.

    Typed fields win over `extra`; the change type shows the roster's own wording
    (kept in `extra`), else its label; funding parts appear as `funding.central` ….
    """
    values: dict[str, Any] = dict(getattr(item, "extra", None) or {})
    for key, attribute in TYPED_FIELDS.items():
        value = getattr(item, attribute, None)
        if value is not None:
            values[key] = value
    add_item_facts(values, getattr(item, "change_type", None), getattr(item, "funding", None))
    if keys is not None:
        wanted = set(keys)
        return {k: v for k, v in values.items() if k in wanted}
    return values


# --- SQL: the 停保 rule for totals --------------------------------------------------------------


def counted_condition():
    """SQL condition on `DisclosureItem`: the line counts in totals (not 停保)."""
    from sqlalchemy import or_

    from zwgk_desktop.core.models import DisclosureItem

    return or_(DisclosureItem.change_type.is_(None), DisclosureItem.change_type != ChangeType.STOP.value)


def counted_amount():
    """SQL expression: the line's amount in fen as totals count it (0 for a 停保 line or no amount)."""
    from sqlalchemy import case, func

    from zwgk_desktop.core.models import DisclosureItem

    return case((DisclosureItem.change_type == ChangeType.STOP.value, 0), else_=func.coalesce(DisclosureItem.amount_fen, 0))


def counted_people_sql():
    """SQL expression: the line's people as totals count them (0 for a 停保 line)."""
    from sqlalchemy import case, func

    from zwgk_desktop.core.models import DisclosureItem

    return case((DisclosureItem.change_type == ChangeType.STOP.value, 0), else_=func.coalesce(DisclosureItem.people, 0))
