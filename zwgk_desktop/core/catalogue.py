"""The disclosure catalogue (基层政务公开标准目录): categories, their columns and 公示 rules.

The shipped default lives in `resources/catalogue.json`; the county may send
an updated copy (kept in the database as reference data by the sync work).
This module only parses it into plain dataclasses; it is data, not code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from zwgk_desktop.errors import UnknownCategory

CATEGORY_CODES = ("dibao", "tekun", "linshi", "weifang", "fupin_project", "fupin_fund", "generic")


@dataclass(frozen=True)
class PeriodRule:
    """A 公示期 rule: duration + unit + whether the start day counts + roll-forward of a rest-day end."""

    duration: int
    unit: str  # "calendar" | "working"
    start_day_counts: bool = False
    roll_forward: bool = False

    def describe(self) -> str:
        unit = "个工作日" if self.unit == "working" else "天（自然日）"
        start = "含发布当日" if self.start_day_counts else "发布次日起算"
        roll = "，期满日遇休息日顺延" if self.roll_forward else ""
        return f"{self.duration}{unit}，{start}{roll}"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    public: bool = True
    required: bool = False
    type: str = "text"  # text | int | money | date
    kind: str = ""  # id_number | phone | bank_account | reason | public_phone
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class CatalogEntry:
    code: str
    name: str
    short_name: str
    legal_basis: str
    responsible: str
    channels: tuple[str, ...]
    rule: PeriodRule
    name_mask: str  # "full" | "surname_last"
    cadence: str | None
    columns: tuple[Column, ...]
    summary_labels: dict = field(default_factory=dict)
    republish_on_objection: bool = False

    @property
    def public_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.public)

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


def parse_catalogue(raw: dict) -> dict[str, CatalogEntry]:
    entries = {}
    for item in raw["items"]:
        columns = tuple(
            Column(
                key=c["key"],
                label=c["label"],
                public=c.get("public", True),
                required=c.get("required", False),
                type=c.get("type", "text"),
                kind=c.get("kind", ""),
                enum=tuple(c.get("enum", ())),
            )
            for c in item["columns"]
        )
        entries[item["code"]] = CatalogEntry(
            code=item["code"],
            name=item["name"],
            short_name=item.get("short_name", item["name"]),
            legal_basis=item.get("legal_basis", ""),
            responsible=item.get("responsible", ""),
            channels=tuple(item.get("channels", ())),
            rule=PeriodRule(**item["rule"]),
            name_mask=item.get("name_mask", "full"),
            cadence=item.get("cadence"),
            columns=columns,
            summary_labels=item.get("summary_labels", {}),
            republish_on_objection=item.get("republish_on_objection", False),
        )
    return entries


def default_catalogue_path() -> Path:
    from zwgk_desktop.config import bundle_root

    return bundle_root() / "resources" / "catalogue.json"


@lru_cache(maxsize=4)
def load_catalogue(path: str | None = None) -> dict[str, CatalogEntry]:
    source = Path(path) if path else default_catalogue_path()
    return parse_catalogue(json.loads(source.read_text(encoding="utf-8")))


def get_entry(code: str) -> CatalogEntry:
    """The catalogue entry for a category code, or a Chinese `UnknownCategory` error."""
    entries = load_catalogue()
    if code not in entries:
        raise UnknownCategory(
            f"未知的公开类别“{code}”。可用类别：{'、'.join(entries)}。", detail={"category": code}
        )
    return entries[code]
