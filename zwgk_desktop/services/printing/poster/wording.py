"""The poster's words: title, wording values for the template, intro, 公示期 line, watermark, and the table as text.

Everything a poster says comes from `resources/templates/poster/poster.json`
filled with `wording_values`; the 公示期 is written only through
`core.periods` (`poster_period_line`: "公示期：2026年12月4日至12月10日（7天）",
no nested brackets, the days printed are the dates printed). A correction's
title carries "（更正）"; a roster heading ("…花名册") never becomes a title.
The table lists the catalogue's public columns that hold a value in at least
one row (a column empty for every row is left out), with a 合计 row that
counts neither 停保 lines nor their money.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from zwgk_desktop.core.catalogue import Column
from zwgk_desktop.core.line_items import funding_part_of
from zwgk_desktop.core.periods import days_text, period_range_text, poster_period_line
from zwgk_desktop.core.verification import display_code
from zwgk_desktop.services.printing.poster.data import APPROVED_STATUSES, PosterData, short_hash_of

SEQ_KEY = "_seq"
ROSTER_SUFFIXES = ("发放花名册", "花名册", "名册")


def default_template_path() -> Path:
    from zwgk_desktop.config import bundle_root

    return bundle_root() / "resources" / "templates" / "poster" / "poster.json"


@lru_cache(maxsize=4)
def load_template(path: str | None = None) -> dict:
    return json.loads(Path(path or default_template_path()).read_text(encoding="utf-8"))


class _Blank(dict):
    def __missing__(self, key):
        return ""


def fill(pattern: str, values: dict) -> str:
    return pattern.format_map(_Blank(values))


def format_fen(fen: int | None) -> str:
    """12345 fen → "123.45" with thousands separators; money is integer fen everywhere."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def long_date(value: date | None) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "____年__月__日"


def short_date(value: date | None) -> str:
    return value.strftime("%Y.%m.%d") if value else "____.__.__"


def poster_title(data: PosterData, template: dict) -> str:
    """The notice's own title with the township in front, or the template's title; "（更正）" on a
    correction; "（村名）" after a village's part."""
    return _notice_title(data, template) + correction_suffix(data) + village_suffix(data)


def _notice_title(data: PosterData, template: dict) -> str:
    first, _end = data.period_dates()
    year = data.year or (first or data.issue_date or date.today()).year
    title = (data.title or "").strip()
    for suffix in ROSTER_SUFFIXES:  # a roster's heading is not a notice title
        if title.endswith(suffix):
            title = title[: -len(suffix)].rstrip("（(") + ("公告" if data.entry.code == "fupin_project" else "公示")
            break
    if not title:
        key = "title_generic" if data.entry.code == "generic" else "title"
        return fill(template[key], {"township": data.township, "year": year, "category_name": data.entry.name})
    if data.township and not title.startswith(data.township):
        title = data.township + title
    return title


def correction_suffix(data: PosterData) -> str:
    """"（更正）" after a correction's title (unless the title already says 更正)."""
    return "（更正）" if data.is_correction and "更正" not in (data.title or "") else ""


def village_suffix(data: PosterData) -> str:
    """"（石桥村）" after the title of one village's part of a notice, else ""."""
    return f"（{data.village}）" if data.village else ""


def _title_subject(data: PosterData, title: str) -> str:
    subject = title[len(data.township):] if title.startswith(data.township) else title
    for suffix in ("的公示", "公示", "的公告", "公告"):
        if subject.endswith(suffix) and len(subject) > len(suffix):
            return subject[: -len(suffix)]
    return subject


def period_values(data: PosterData) -> dict:
    """The 公示期 wording values: one formatter (`core.periods`) for every place the poster names it."""
    first, end = data.period_dates()
    if data.period is not None:
        line, range_text, days = poster_period_line(data.period), period_range_text(data.period), days_text(data.period)
    else:
        range_text = f"{long_date(first)}至{long_date(end)}"
        line, days = f"公示期：{range_text}", ""
    return {
        "start": long_date(first), "end": long_date(end), "start_short": short_date(first), "end_short": short_date(end),
        "period_line": line, "period_range": range_text, "period_days": days,
    }


def wording_values(data: PosterData, title: str, digest: str | None = None) -> dict:
    """Values for the template's wording; `digest` is `data.content_digest()` when already known."""
    people_label = data.entry.summary_labels.get("amount", "金额")
    bare_title = title.removesuffix(village_suffix(data)).removesuffix(correction_suffix(data))
    return {
        "township": data.township,
        "county": data.county,
        "legal_basis": (data.entry.legal_basis or "有关政策").replace("；", "、"),
        "title_subject": _title_subject(data, bare_title),
        "category_name": data.entry.name,
        "households": f"{data.total_households:,}",
        "people": f"{data.total_people:,}",
        "amount": format_fen(data.total_amount_fen),
        "amount_label": people_label,
        "stopped_note": f"（另停保{data.stopped_households:,}户）" if data.stopped_households else "",
        **period_values(data),
        "rule": data.rule_text or data.entry.rule.describe(),
        "issuer": data.issuer or (f"{data.township}人民政府" if data.township else ""),
        "issue_date": long_date(data.issue_date),
        "township_phone": data.township_phone or "（未登记）",
        "county_phone": data.county_phone or "（未登记）",
        "notice_short": (data.notice_id or "")[:8].upper(),
        "version": data.version,
        "short_hash": short_hash_of(digest or data.content_digest()),
        "code": display_code(data.verification_code) if data.verification_code else "",
    }


def intro_text(data: PosterData, template: dict, values: dict) -> str:
    if data.body.strip():
        return data.body.strip()
    intros = template["intro"]
    if data.entry.code == "generic" and not data.items:
        return ""
    return fill(intros.get(data.entry.code, intros["default"]), values)


def watermark_text(status: str, template: dict) -> str:
    if status in APPROVED_STATUSES:
        return ""
    marks = template["watermark"]
    return marks.get(status, marks["other"])


# --- the table -----------------------------------------------------------------------


@dataclass
class TableSpec:
    columns: list[Column]
    rows: list[list[str]]
    totals: list[str]


def cell_text(column: Column, value: Any) -> str:
    if value is None:
        return ""
    if column.type == "money" and isinstance(value, int):
        return format_fen(value)
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split()) if "\n" not in str(value) else str(value).strip()


def build_table(data: PosterData, template: dict, values: dict) -> TableSpec | None:
    """The public columns holding a value in some row (plus 序号) and every row as text; None for a
    text-only notice."""
    if not data.items:
        return None
    seq = Column(key=SEQ_KEY, label=template["seq_label"], type="int")
    public = list(data.entry.public_columns)
    cells = [(column, column.key, {}) for column in public]  # each distinct value formatted once
    filled = [False] * len(public)
    rows = []
    for index, item in enumerate(data.items, start=1):
        row = [str(index)]
        for column, key, memo in cells:
            value = item.get(key)
            try:
                text = memo[(type(value), value)]
            except KeyError:
                text = memo[(type(value), value)] = cell_text(column, value)
            except TypeError:  # unhashable (a list in `extra`)
                text = cell_text(column, value)
            row.append(text)
        rows.append(row)
    for i, (_column, _key, memo) in enumerate(cells):
        filled[i] = any(memo.values()) or any(row[i + 1] for row in rows)  # (unhashable values skip the memo)
    if not all(filled):  # a column empty in every row is left out
        keep = [0] + [i + 1 for i, f in enumerate(filled) if f]
        rows = [[row[i] for i in keep] for row in rows]
        public = [column for column, f in zip(public, filled) if f]
    columns = [seq, *public]
    return TableSpec(columns=columns, rows=rows, totals=_totals_row(data, template, values, columns))


def _totals_row(data: PosterData, template: dict, values: dict, columns: list[Column]) -> list[str]:
    has_people = any(c.key == "people" for c in columns)
    by_category = template.get("totals_by_category", {})
    pattern = template["totals_text"] if has_people else by_category.get(data.entry.code, template["totals_text_no_people"])
    summary = fill(pattern, values) + values.get("stopped_note", "")
    totals = [""] * len(columns)
    totals[0] = template["totals_label"]
    for i, column in enumerate(columns):
        if column.type == "money" and column.key == "amount":
            totals[i] = format_fen(data.total_amount_fen)
        elif (part := funding_part_of(column.key)) is not None:
            totals[i] = format_fen(data.funding_totals.get(part, 0))
        elif column.key == "people":
            totals[i] = f"{data.total_people:,}"
    free = next((i for i in range(1, len(columns)) if not totals[i]), None)
    if free is not None:
        totals[free] = summary
    return totals
