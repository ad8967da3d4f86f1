"""County-side administration behind `zwgk county ...`: publishing reference data from files and arguments.

Each function validates what it publishes (a holiday year in the
`resources/calendar` format, a catalogue in the `resources/catalogue.json`
format, a subsidy standard in fen) and appends it to the reference feed the
townships pull; the newest entry for a kind + key wins on the township.
"""

from __future__ import annotations

import json
from pathlib import Path

from zwgk_desktop.county.service import CountyError, publish_reference
from zwgk_desktop.county.store import CountyStore


def _read_json(path: str | Path) -> object:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CountyError(f"无法读取 JSON 文件 {path}：{exc}", code="invalid_input") from exc


def publish_calendar(store: CountyStore, path: str | Path) -> dict:
    """Publish one year's holiday arrangement (`{"year", "holidays", "workdays", "source"}`)."""
    from zwgk_desktop.core.calendar import parse_year_data, year_data_json

    arrangement = parse_year_data(_read_json(path), Path(path).name)
    published = publish_reference(store, "calendar", str(arrangement.year), year_data_json(arrangement))
    return {**published, "year": arrangement.year, "holidays": len(arrangement.holidays),
            "workdays": len(arrangement.workdays)}


def publish_catalogue(store: CountyStore, path: str | Path) -> dict:
    from zwgk_desktop.core.catalogue import parse_catalogue

    raw = _read_json(path)
    try:
        entries = parse_catalogue(raw)
    except KeyError as exc:
        raise CountyError(f"目录文件格式不对（缺少字段 {exc}）。", code="invalid_input") from exc
    except (TypeError, ValueError) as exc:
        raise CountyError(f"目录文件格式不对（{exc}）。", code="invalid_input") from exc
    published = publish_reference(store, "catalogue", "catalogue", raw)
    return {**published, "entries": len(entries)}


def publish_standard(store: CountyStore, name: str, year: int, amount_fen: int, unit: str = "元/人·月",
                     note: str = "") -> dict:
    """A subsidy standard, e.g. 城乡低保 monthly standard for a year, in integer fen."""
    if amount_fen < 0:
        raise CountyError("标准金额不能为负数。", code="invalid_input")
    data = {"name": name, "year": year, "amount_fen": amount_fen, "unit": unit, "note": note}
    return publish_reference(store, "standard", f"{name}:{year}", data)


def publish_announcement(store: CountyStore, title: str, body: str) -> dict:
    from datetime import date

    key = f"{date.today().isoformat()}:{title}"[:100]
    return publish_reference(store, "announcement", key, {"title": title, "body": body,
                                                         "date": date.today().isoformat()})


def publish_template(store: CountyStore, key: str, path: str | Path) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CountyError(f"无法读取模板文件 {path}：{exc}", code="invalid_input") from exc
    return publish_reference(store, "template", key, {"text": text})
