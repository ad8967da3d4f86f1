"""The disclosure catalogue (基层政务公开标准目录): categories, their columns and 公示 rules.

The shipped default lives in `resources/catalogue.json`; the county may send
an updated copy. The sync pull keeps it in the database (Setting
`county_catalogue`, CatalogItem rows) and writes it to
`<data dir>/county/catalogue.json`; whoever opens a township data dir calls
`use_data_dir_catalogue(data_dir)` once, and from then on `load_catalogue()`
and `get_entry(code)` (still without arguments) answer with the county's
entries laid over the shipped ones. A county copy that is missing or
unreadable falls back to the shipped catalogue (logged), never to nothing.
This module parses the data into plain dataclasses; it is data, not code.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from zwgk_desktop.errors import UnknownCategory

CATEGORY_CODES = ("dibao", "tekun", "linshi", "weifang", "fupin_project", "fupin_fund", "generic")
# What one line of a category's list counts as (合计 "共35户", 更正说明 "删除1户"); 户 when not listed.
COUNT_UNITS = {"tekun": "人", "fupin_project": "个项目", "generic": "项"}


def count_unit(category: str) -> str:
    return COUNT_UNITS.get(category, "户")
COUNTY_CATALOGUE_FILE = ("county", "catalogue.json")  # under the township's data dir

log = logging.getLogger(__name__)
_override: Path | None = None  # the county copy load_catalogue() prefers, if it exists


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
    field: str = ""  # the typed line-item field a count column fills: family_size | covered_people
    aliases: tuple[tuple[str, str], ...] = ()  # (short or older wording, the option it means), e.g. 分散 → 分散供养

    def option(self, text: str) -> str | None:
        """The catalogue option `text` names: itself, the option it is a known short or older form of, or None."""
        if text in self.enum:
            return text
        return next((option for alias, option in self.aliases if alias == text), None)


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
    # a correction that only fixes a typo may keep the remaining 公示期 (else every correction re-公示s in full)
    typo_correction_keeps_period: bool = False
    title_template: str = ""  # default notice title: {township} {year} {month} {quarter}
    funding_parts: tuple[str, ...] = ()  # funding sources this category publishes (core.line_items.FUNDING_PARTS)

    @property
    def public_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.public)

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


def parse_rule(raw: dict) -> PeriodRule:
    """A 公示期 rule from catalogue JSON; a nonsensical one is a ValueError, not a wrong end date later."""
    rule = PeriodRule(**raw)
    if rule.unit not in ("calendar", "working"):
        raise ValueError(f"unknown rule unit {rule.unit!r}")
    if not isinstance(rule.duration, int) or isinstance(rule.duration, bool) or not 1 <= rule.duration <= 365:
        raise ValueError(f"bad rule duration {rule.duration!r}")
    return rule


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
                field=c.get("field") or _default_field(c["key"], c["label"]),
                aliases=_aliases(c),
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
            rule=parse_rule(item["rule"]),
            name_mask=item.get("name_mask", "full"),
            cadence=item.get("cadence"),
            columns=columns,
            summary_labels=item.get("summary_labels", {}),
            republish_on_objection=item.get("republish_on_objection", False),
            typo_correction_keeps_period=item.get("typo_correction_keeps_period", False),
            title_template=item.get("title_template", ""),
            funding_parts=tuple(item.get("funding_parts", ())),
        )
    return entries


def _default_field(key: str, label: str) -> str:
    """A count column of an older (county) catalogue without `field`: 家庭人口 or 保障人数 by its label."""
    if key in ("family_size", "covered_people"):
        return key
    if key == "people":
        return "family_size" if ("家庭" in label or "人口" in label) else "covered_people"
    return ""


DEFAULT_TITLE = "{township}{year}年{month}月{category}公示"


def default_title(entry: CatalogEntry, township: str, on: date) -> str:
    """The notice title a new draft gets: the category's template ("青山镇2026年12月城乡最低生活保障对象审核确认情况公示")."""
    template = entry.title_template or DEFAULT_TITLE
    values = {"township": township, "year": on.year, "month": on.month, "quarter": (on.month - 1) // 3 + 1,
              "category": entry.name}
    try:
        return template.format(**values)[:300]
    except (KeyError, IndexError, ValueError):  # a county template with a placeholder we don't know
        return DEFAULT_TITLE.format(**values)[:300]


def default_catalogue_path() -> Path:
    from zwgk_desktop.config import bundle_root

    return _shipped_catalogue(bundle_root())


@lru_cache(maxsize=8)
def _shipped_catalogue(root: Path) -> Path:
    return root / "resources" / "catalogue.json"


def county_catalogue_path(data_dir: str | os.PathLike) -> Path:
    """Where the sync pull keeps the county's catalogue in a township data dir."""
    return Path(data_dir).joinpath(*COUNTY_CATALOGUE_FILE)


def use_catalogue_override(path: str | os.PathLike | None) -> None:
    """Prefer the catalogue file at `path` (when it exists) in `load_catalogue()`; None = shipped only."""
    global _override
    _override = Path(path) if path else None


def use_data_dir_catalogue(data_dir: str | os.PathLike) -> Path:
    """Make the county copy in this township data dir (once pulled) the catalogue of this process."""
    path = county_catalogue_path(data_dir)
    use_catalogue_override(path)
    return path


def catalogue_override() -> Path | None:
    return _override


@lru_cache(maxsize=8)
def _parse_file(path: str, _stamp: tuple[int, int]) -> dict[str, CatalogEntry]:
    """Parsed catalogue file; `_stamp` (mtime, size) makes a rewritten file parse again."""
    return parse_catalogue(json.loads(Path(path).read_text(encoding="utf-8")))


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size


@lru_cache(maxsize=8)
def _overlay(default_key: tuple, county_key: tuple) -> dict[str, CatalogEntry]:
    """Shipped entries in their order, each replaced by the county's; new county codes appended.

    An unreadable county copy is logged once (per file version) and the shipped catalogue used.
    """
    default = _parse_file(*default_key)
    try:
        county = _parse_file(*county_key)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("county catalogue %s unreadable, using the shipped one: %s", county_key[0], exc)
        return default
    return {**default, **county}


@lru_cache(maxsize=8)
def _path_text(path: Path) -> str:
    return str(path)


def _load_file(path: Path) -> dict[str, CatalogEntry]:
    return _parse_file(str(path), _stamp(path))


def load_catalogue(path: str | None = None) -> dict[str, CatalogEntry]:
    """The catalogue at `path`, or the shipped one overlaid with the county copy in use (if any)."""
    if path:
        return _load_file(Path(path))
    default_key = (_path_text(default_catalogue_path()), (0, 0))  # shipped with the program: never changes while it runs
    county = _override
    if county is None:
        return _parse_file(*default_key)
    try:
        county_key = (str(county), _stamp(county))
    except OSError:  # not pulled yet
        return _parse_file(*default_key)
    return _overlay(default_key, county_key)


def _aliases(column: dict) -> tuple[tuple[str, str], ...]:
    """A column's `aliases` ({wording: option}); one naming no option of the column is dropped (a county copy
    may carry a typo: the wording then stays an unknown option with its warning, never a wrong option)."""
    enum = set(column.get("enum", ()))
    aliases = column.get("aliases") or {}
    if not isinstance(aliases, dict):
        return ()
    return tuple((str(alias), option) for alias, option in aliases.items() if option in enum)


def catalog_item_values(entry: CatalogEntry) -> dict:
    """The CatalogItem column values that mirror a catalogue entry (seeding and county updates)."""
    return {
        "code": entry.code, "name": entry.name, "legal_basis": entry.legal_basis, "responsible": entry.responsible,
        "rule_duration": entry.rule.duration, "rule_unit": entry.rule.unit,
        "rule_start_day_counts": entry.rule.start_day_counts, "rule_roll_forward": entry.rule.roll_forward,
        "name_mask": entry.name_mask, "public_fields": [c.key for c in entry.public_columns],
        "columns": [c.key for c in entry.columns], "cadence": entry.cadence,
    }


def get_entry(code: str) -> CatalogEntry:
    """The catalogue entry for a category code, or a Chinese `UnknownCategory` error."""
    entries = load_catalogue()
    if code not in entries:
        raise UnknownCategory(
            f"未知的公开类别“{code}”。可用类别：{'、'.join(entries)}。", detail={"category": code}
        )
    return entries[code]
