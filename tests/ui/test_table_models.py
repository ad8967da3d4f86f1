"""Table models over DTOs, tested without any window (as Vorta tests its archive table model)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from zwgk_desktop.core.disclosures import DisclosureRow, ItemRow
from zwgk_desktop.core.households import HouseholdRow
from zwgk_desktop.ui.table_models import (
    DisclosureTableModel, HouseholdTableModel, IdRole, ItemTableModel, SortRole, StatusRole, status_colors,
)

DISPLAY = Qt.ItemDataRole.DisplayRole
ID_NUMBER = "34112219560312001X"


def notice(**overrides) -> DisclosureRow:
    values = dict(
        id="d-1", title="青山镇2026年11月城乡最低生活保障对象审核确认情况公示", category="dibao", category_name="低保",
        status="publishing", status_label="公示中", version=1, items=1234, total_amount_fen=12345678,
        period_start="2026-11-10", period_end="2026-11-17", posted_boards=3,
        period={"first_day": "2026-11-11", "end": "2026-11-17", "explanation": "发布日 2026-11-10（周二），自次日起算7天"},
        period_text="2026-11-11 至 2026-11-17（7天）",
    )
    values.update(overrides)
    return DisclosureRow(**values)


def item(seq: int) -> ItemRow:
    return ItemRow(seq=seq, name=f"王{seq}", village_name="青山村", group_name="一组", id_number=ID_NUMBER,
                   people=2, amount_fen=123456, extra={"level": "A类", "change_type": "新增", "phone": "13812345678"})


def test_disclosure_model_headers_are_the_chinese_columns(qapp):
    """The notice list shows 标题, 类别, 状态, 条目数, 金额(元), 公示期, 公示栏数."""
    model = DisclosureTableModel()
    headers = [model.headerData(c, Qt.Orientation.Horizontal, DISPLAY) for c in range(model.columnCount())]
    assert headers == ["标题", "类别", "状态", "条目数", "金额(元)", "公示期", "公示栏数"]


def test_disclosure_model_shows_money_in_yuan_and_the_period(qapp):
    """A row shows the amount in yuan with separators, the status label and the 公示期."""
    model = DisclosureTableModel()
    model.set_rows([notice(), notice(id="d-2", status="draft", status_label="草稿", posted_boards=0, period_start=None, period_end=None,
                               period=None, period_text="", version=2)])
    assert model.rowCount() == 2
    assert model.index(0, model.AMOUNT).data(DISPLAY) == "123,456.78"
    assert model.index(0, model.ITEMS).data(DISPLAY) == "1,234"
    assert model.index(0, model.STATUS).data(DISPLAY) == "公示中"
    assert model.index(0, model.PERIOD).data(DISPLAY) == "2026-11-11 至 2026-11-17（7天）"  # the counted days, not the posting day
    assert "自次日起算" in model.index(0, model.PERIOD).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(1, model.BOARDS).data(DISPLAY) == "—"
    assert model.index(1, model.PERIOD).data(DISPLAY) == ""
    assert "第2版" in model.index(1, model.TITLE).data(DISPLAY)


def test_disclosure_model_roles_give_id_status_and_sort_values(qapp):
    """Custom roles give the notice id, its status code (for the coloured pill) and numeric sort keys."""
    model = DisclosureTableModel()
    model.set_rows([notice()])
    index = model.index(0, model.AMOUNT)
    assert index.data(IdRole) == "d-1"
    assert index.data(StatusRole) == "publishing"
    assert index.data(SortRole) == 12345678
    assert model.index(0, model.STATUS).data(Qt.ItemDataRole.ForegroundRole) == status_colors("publishing")[0]
    assert model.row_of_id("d-1") == 0 and model.row_of_id("nope") == -1


def test_item_model_masks_id_numbers_and_formats_amounts(qapp):
    """Line items show a masked ID (first 6 + last 4) and the amount in yuan; the category's columns come from the catalogue."""
    model = ItemTableModel()
    model.set_category("dibao")
    model.reset(1, lambda offset, limit: [], [item(1)])
    headers = [model.headerData(c, Qt.Orientation.Horizontal, DISPLAY) for c in range(model.columnCount())]
    assert headers[0] == "序号" and "户主/申请人" in headers and "月保障金额(元)" in headers
    row = {headers[c]: model.index(0, c).data(DISPLAY) for c in range(model.columnCount())}
    assert row["身份证号码"] == "341122********001X"
    assert ID_NUMBER not in row.values()
    assert row["月保障金额(元)"] == "1,234.56"
    assert row["保障类别/档次"] == "A类"
    assert row["联系电话"] == "138****5678"


def test_item_model_fetches_pages_lazily(qapp):
    """A long notice is fetched a page at a time as the view asks for more, never all at once."""
    requests: list[tuple[int, int]] = []

    def loader(offset: int, limit: int) -> list[ItemRow]:
        requests.append((offset, limit))
        return [item(seq) for seq in range(offset + 1, offset + limit + 1)]

    model = ItemTableModel(page_size=100)
    model.reset(250, loader, loader(0, 100))
    assert model.rowCount() == 100 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 200
    model.fetchMore()
    assert model.rowCount() == 250 and not model.canFetchMore()
    assert requests == [(0, 100), (100, 100), (200, 50)]
    assert model.index(249, 0).data(DISPLAY) == "250"


def test_item_model_stops_when_the_source_shrinks(qapp):
    """If fewer rows come back than announced, the model stops asking instead of looping."""
    model = ItemTableModel(page_size=10)
    model.reset(30, lambda offset, limit: [], [item(1)])
    model.fetchMore()
    assert model.rowCount() == 1 and not model.canFetchMore()


def test_household_model_masks_numbers(qapp):
    """The household register masks ID and phone numbers and shows the notice count."""
    model = HouseholdTableModel()
    row = HouseholdRow(id="h-1", head_name="李𠮷祥", village_id="v", village_name="桃园村", group_name="二组",
                       id_number=ID_NUMBER, member_count=4, phone="13912345678", helper_name="张三", disclosure_items=2)
    model.reset(1, None, [row])
    assert model.index(0, model.HEAD).data(DISPLAY) == "李𠮷祥"
    assert model.index(0, model.ID_NUMBER).data(DISPLAY) == "341122********001X"
    assert model.index(0, model.PHONE).data(DISPLAY) == "139****5678"
    assert model.index(0, model.NOTICES).data(DISPLAY) == "2 条"
    assert model.index(0, 0).data(IdRole) == "h-1"
    assert model.headerData(model.ID_NUMBER, Qt.Orientation.Horizontal, DISPLAY) == "身份证号码"
    assert not model.canFetchMore()
