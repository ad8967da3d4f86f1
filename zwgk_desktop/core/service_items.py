"""The 为民服务事项 catalogue printed on 为民服务事项明白卡: load, merge and save.

Three layers, merged item by item on `code` (later wins):
1. the shipped default, `resources/service_items.json`;
2. the county's copy, stored by the sync work under the Setting
   `county_service_items` (read if present, never written here);
3. the township's own edits from 设置, under the Setting `service_items`
   (`save_service_item`, `hide_service_item`, `reset_service_item`).

A Setting value may be a list of items or an object with an `items` list.
An item with `"hidden": true` in a later layer removes it from the cards.
No Qt; no database access beyond the `Setting` table.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from zwgk_desktop.errors import InvalidInput, NotFound

LOCAL_SETTING = "service_items"
COUNTY_SETTING = "county_service_items"
TEXT_FIELDS = ("name", "subject", "basis", "conditions", "materials", "time_limit", "fees", "supervision")
REQUIRED_FIELDS = {"code": "事项代码", "name": "事项名称", "subject": "办理主体"}
MAX_FIELD_CHARS = 2000


@dataclass(frozen=True)
class ServiceItem:
    """One 为民服务事项 as a card shows it; `procedure` is the list of steps."""

    code: str
    name: str
    subject: str = ""
    basis: str = ""
    conditions: str = ""
    procedure: tuple[str, ...] = ()
    time_limit: str = ""
    fees: str = ""
    supervision: str = ""
    materials: str = ""
    hidden: bool = False
    source: str = "shipped"  # shipped | county | local

    def as_json(self) -> dict:
        data = asdict(self)
        data["procedure"] = list(self.procedure)
        return data


def service_item_from_dict(raw: dict[str, Any], source: str = "local") -> ServiceItem:
    """Validate one item (from JSON, a Setting or the 设置 dialog); Chinese error on bad input."""
    if not isinstance(raw, dict):
        raise InvalidInput("服务事项数据格式不正确（应为对象）。", code="bad_service_item")
    code = str(raw.get("code") or "").strip()
    hidden = bool(raw.get("hidden", False))
    required = ("code",) if hidden else tuple(REQUIRED_FIELDS)
    for key in required:
        if not str(raw.get(key) or "").strip():
            raise InvalidInput(
                f"服务事项“{raw.get('name') or code or '（未命名）'}”缺少“{REQUIRED_FIELDS[key]}”，请补充后再保存。",
                code="bad_service_item",
                detail={"field": key, "code": code},
            )
    values = {key: _clean_text(raw.get(key), key, code) for key in TEXT_FIELDS}
    return ServiceItem(
        code=code,
        procedure=_steps(raw.get("procedure"), code),
        hidden=hidden,
        source=source,
        **values,
    )


def _clean_text(value: Any, key: str, code: str) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > MAX_FIELD_CHARS:
        raise InvalidInput(
            f"服务事项“{code}”的内容过长（超过{MAX_FIELD_CHARS}字），请精简后再保存。",
            code="bad_service_item",
            detail={"field": key, "code": code},
        )
    return text


def _steps(value: Any, code: str) -> tuple[str, ...]:
    """Procedure as a list of steps; a string is split on new lines."""
    if value is None:
        return ()
    if isinstance(value, str):
        parts = value.splitlines()
    elif isinstance(value, (list, tuple)):
        parts = [str(v) for v in value]
    else:
        raise InvalidInput(f"服务事项“{code}”的办理程序格式不正确。", code="bad_service_item")
    return tuple(p.strip() for p in parts if p and p.strip())


# --- the layers ---------------------------------------------------------------------


def shipped_path(config=None) -> Path:
    if config is not None:
        return Path(config.resources_dir) / "service_items.json"
    from zwgk_desktop.config import bundle_root

    return bundle_root() / "resources" / "service_items.json"


def shipped_service_items(config=None) -> list[ServiceItem]:
    raw = json.loads(shipped_path(config).read_text(encoding="utf-8"))
    return [service_item_from_dict(item, "shipped") for item in _item_list(raw)]


def _item_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, dict):
        value = value.get("items", [])
    return list(value) if isinstance(value, (list, tuple)) else []


def _setting_items(session: Session, key: str, source: str) -> list[ServiceItem]:
    from zwgk_desktop.core.users import get_setting

    items = []
    for raw in _item_list(get_setting(session, key)):
        try:
            items.append(service_item_from_dict(raw, source))
        except InvalidInput:
            continue  # a malformed county/local entry must not stop printing the others
    return items


def merge_layers(*layers: list[ServiceItem]) -> list[ServiceItem]:
    """Items merged by code (later layers win), in first-seen order; hidden ones dropped."""
    merged: dict[str, ServiceItem] = {}
    for layer in layers:
        for item in layer:
            merged[item.code] = item
    return [item for item in merged.values() if not item.hidden]


def load_service_items(session: Session, config=None, include_hidden: bool = False) -> list[ServiceItem]:
    """The catalogue the township prints: shipped ← county copy ← local edits."""
    layers = (
        shipped_service_items(config),
        _setting_items(session, COUNTY_SETTING, "county"),
        _setting_items(session, LOCAL_SETTING, "local"),
    )
    if include_hidden:
        merged: dict[str, ServiceItem] = {}
        for layer in layers:
            for item in layer:
                merged[item.code] = item
        return list(merged.values())
    return merge_layers(*layers)


def get_service_item(session: Session, code: str, config=None) -> ServiceItem:
    for item in load_service_items(session, config):
        if item.code == code:
            return item
    raise NotFound(f"找不到服务事项“{code}”，请在“设置—为民服务事项”中查看现有事项。", detail={"code": code})


# --- local edits (设置) ----------------------------------------------------------------


def _local_raw(session: Session) -> list[dict]:
    from zwgk_desktop.core.users import get_setting

    return [dict(raw) for raw in _item_list(get_setting(session, LOCAL_SETTING)) if isinstance(raw, dict)]


def _store_local(session: Session, items: list[dict]) -> None:
    from zwgk_desktop.core.users import set_setting

    set_setting(session, LOCAL_SETTING, {"items": items})


def save_service_item(session: Session, raw: dict[str, Any]) -> ServiceItem:
    """Add or replace the township's own version of one item (validated; audited)."""
    item = service_item_from_dict(raw, "local")
    stored = item.as_json()
    stored.pop("source")
    local = [r for r in _local_raw(session) if r.get("code") != item.code]
    local.append(stored)
    _store_local(session, local)
    return item


def save_service_items(session: Session, items: list[dict[str, Any]]) -> list[ServiceItem]:
    """Replace all local edits at once (the 设置 table's 保存); all items validated first."""
    parsed = [service_item_from_dict(raw, "local") for raw in items]
    codes = [item.code for item in parsed]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise InvalidInput(f"服务事项代码重复：{'、'.join(duplicates)}，请修改后再保存。", code="bad_service_item")
    stored = []
    for item in parsed:
        data = item.as_json()
        data.pop("source")
        stored.append(data)
    _store_local(session, stored)
    return parsed


def hide_service_item(session: Session, code: str) -> None:
    """Stop printing an item (shipped or county) without deleting anyone's data."""
    local = [r for r in _local_raw(session) if r.get("code") != code]
    local.append({"code": code, "hidden": True})
    _store_local(session, local)


def reset_service_item(session: Session, code: str) -> None:
    """Drop the township's edit of one item: the county or shipped version shows again."""
    _store_local(session, [r for r in _local_raw(session) if r.get("code") != code])



@dataclass(frozen=True)
class CatalogueRow:
    """One row of the 为民服务事项目录 editor: the item as printed (or, if stopped, as it was) and whether it is stopped."""

    item: ServiceItem
    hidden: bool
    has_base: bool  # a shipped or county version exists (恢复默认 brings it back)


def catalogue_rows(session: Session, config=None) -> list[CatalogueRow]:
    """Every item the township has seen, stopped ones with the wording they had before."""
    county = _setting_items(session, COUNTY_SETTING, "county")  # malformed entries skipped, as the cards do
    base = {item.code: item for item in merge_layers(shipped_service_items(config), county)}
    rows = []
    for item in load_service_items(session, config, include_hidden=True):
        if item.hidden:
            rows.append(CatalogueRow(base.get(item.code, item), True, item.code in base))
        else:
            rows.append(CatalogueRow(item, False, item.code in base))
    return rows

