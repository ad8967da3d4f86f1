"""The import screen previews rosters (problems, funding parts, change types), re-maps a column, adds a missing village,
survives hostile files, and imports only the good rows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from tests.services.rosters import fixtures as fx
from zwgk_desktop.core.models import Disclosure, DisclosureItem, Village
from zwgk_desktop.core.townships import init_township
from zwgk_desktop.core.users import Actor
from zwgk_desktop.ui.import_dialog import ROW_ROLE, ImportDialog
from zwgk_desktop.ui.tasks import TaskManager

CLERK = Actor("clerk", "clerk", "王经办")


def make_dialog(qtbot, database):
    tasks = TaskManager()
    dialog = ImportDialog(database, tasks, user="clerk", actor=CLERK)
    qtbot.addWidget(dialog)
    return dialog, tasks


def test_preview_shows_good_and_bad_rows_then_imports_the_good_ones(qtbot, database, tmp_path):
    """Rows with errors are marked 有错误 with their messages; importing creates a draft with only the accepted rows."""
    with database.session() as s:
        init_township(s, "青山镇", fx.VILLAGES)
    roster = fx.messy_dibao_xlsx(tmp_path / "roster.xlsx")
    dialog, tasks = make_dialog(qtbot, database)
    dialog.load(str(roster), "dibao")
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20000)
    preview = dialog.preview
    assert preview.accepted > 0 and preview.rejected > 0
    statuses = [dialog.model.index(r, 1).data() for r in range(dialog.model.rowCount())]
    assert statuses.count("有错误") == preview.rejected
    bad = next(r for r in range(dialog.model.rowCount()) if not dialog.model.index(r, 0).data(ROW_ROLE).accepted)
    problems = dialog.model.index(bad, dialog.model.columnCount() - 1).data()
    assert problems  # the reason is spelled out in Chinese
    assert dialog.model.index(bad, 0).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert dialog.import_button.isEnabled() and str(preview.accepted) in dialog.import_button.text()
    good = next(r for r in range(dialog.model.rowCount()) if dialog.model.index(r, 0).data(ROW_ROLE).accepted)
    shown = [dialog.model.index(good, c).data() for c in range(2, dialog.model.columnCount() - 1)]
    assert "张三" in shown and "550.00" in shown  # parsed values are shown, money in yuan
    with qtbot.waitSignal(dialog.imported, timeout=20000) as signal:
        dialog.do_import()
    with database.session() as s:
        notice = s.get(Disclosure, signal.args[0])
        assert notice.status == "draft"
        assert s.execute(select(func.count(DisclosureItem.id)).where(DisclosureItem.disclosure_id == notice.id)).scalar() == preview.accepted
    tasks.shutdown()


def test_remapping_a_column_reloads_the_preview(qtbot, database, tmp_path):
    """Pointing 月保障金额 at another column re-reads the roster with the clerk's mapping."""
    with database.session() as s:
        init_township(s, "青山镇", fx.VILLAGES)
    roster = fx.messy_dibao_xlsx(tmp_path / "roster.xlsx")
    dialog, tasks = make_dialog(qtbot, database)
    dialog.load(str(roster), "dibao")
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20000)
    first = dialog.preview
    monthly = first.headers.index(next(h for h in first.headers if h.endswith("月保障金")))
    assert first.mapping["amount"] != monthly
    dialog.preview = None
    dialog.mapping_override = {**first.mapping, "amount": monthly}
    dialog.reload()
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20000)
    assert dialog.preview.mapping["amount"] == monthly
    assert dialog.preview.sum_fen != first.sum_fen
    tasks.shutdown()


def test_unreadable_file_shows_a_chinese_message(qtbot, database, tmp_path):
    """A file that isn't a spreadsheet shows the reason in the dialog and disables import."""
    with database.session() as s:
        init_township(s, "青山镇", fx.VILLAGES)
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a spreadsheet at all")
    dialog, tasks = make_dialog(qtbot, database)
    dialog.load(str(bad), "dibao")
    qtbot.waitUntil(lambda: "color:#b00020" in dialog.summary.text(), timeout=20000)
    assert not dialog.import_button.isEnabled()
    tasks.shutdown()


def test_a_hostile_file_shows_a_chinese_message_and_the_app_carries_on(qtbot, database, tmp_path):
    """A tiny xlsx with a cell at XFD200000: the preview says it is too wide; the dialog still works afterwards."""
    with database.session() as s:
        init_township(s, "青山镇", fx.VILLAGES)
    dialog, tasks = make_dialog(qtbot, database)
    dialog.load(str(fx.sparse_xlsx(tmp_path / "far.xlsx", "XFD200000")), "dibao")
    qtbot.waitUntil(lambda: "color:#b00020" in dialog.summary.text(), timeout=20000)
    assert "16,384" in dialog.summary.text() and "列" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()
    dialog.load(str(fx.messy_dibao_xlsx(tmp_path / "roster.xlsx")), "dibao")
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20000)
    assert dialog.preview.accepted > 0
    tasks.shutdown()


def test_preview_shows_funding_parts_change_types_and_the_total_without_stop(qtbot, database, tmp_path):
    """Funding part columns and the change type are shown; 停保 rows say they don't count; the summary counts types."""
    with database.session() as s:
        init_township(s, "青山镇", fx.VILLAGES)
    dialog, tasks = make_dialog(qtbot, database)
    dialog.load(str(fx.dibao_changes_xlsx(tmp_path / "低保.xlsx")), "dibao")
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20000)
    model = dialog.model
    stop = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == fx.DIBAO_STOP_ROW)
    assert "停保" in model.index(stop, 1).data()
    assert model.index(stop, model.column_index("change_type")).data() == "停保"
    assert model.index(stop, model.column_index("family_size")).data() == "3"
    assert model.index(stop, model.column_index("people")).data() == "1"
    text = dialog.summary.text()
    assert "停保 1 户" in text and "4,730.00" in text and "不含停保" in text
    dialog.load(str(fx.weifang_funding_xlsx(tmp_path / "危改.xlsx")), "weifang")
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.preview.category == "weifang", timeout=20000)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert {"中央(元)", "省级(元)", "县级(元)", "自筹(元)"} <= set(headers)
    assert model.index(0, headers.index("中央(元)")).data() == "12,000.00"
    assert "农村危房改造补助对象公示" in dialog.title_edit.placeholderText() and "花名册" not in dialog.title_edit.placeholderText()
    tasks.shutdown()


def test_adding_the_missing_village_from_the_preview_lets_its_rows_import(qtbot, database, tmp_path):
    """"桥石村" is unknown; 添加该村 adds it (as the clerk confirms) and the re-read preview accepts its row."""
    with database.session() as s:
        init_township(s, "青山镇", fx.VILLAGES)
    path = fx.xlsx_from_rows(tmp_path / "r.xlsx", [fx.SIMPLE_HEADER, [1, "桥石村二组", "张三", fx.person_id(1), 1, 300]])
    dialog, tasks = make_dialog(qtbot, database)
    dialog.load(str(path), "linshi")
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20000)
    assert dialog.preview.rejected == 1 and not dialog.village_button.isHidden()
    dialog.ask_village_name = lambda names: names[0]
    added: list[str] = []
    dialog.village_added.connect(added.append)
    with qtbot.waitSignals([dialog.village_added, dialog.previewed], order="strict", timeout=20000):
        dialog.add_missing_village()
    assert added == ["桥石村"]
    assert dialog.preview.accepted == 1 and dialog.village_button.isHidden()
    with database.session() as s:
        assert s.execute(select(func.count(Village.id)).where(Village.name == "桥石村")).scalar() == 1
    tasks.shutdown()
