"""The import screen previews a messy roster with its problems, lets the clerk re-map a column, and imports only the good rows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from tests.services.rosters import fixtures as fx
from zwgk_desktop.core.models import Disclosure, DisclosureItem
from zwgk_desktop.core.townships import init_township
from zwgk_desktop.ui.import_dialog import ROW_ROLE, ImportDialog
from zwgk_desktop.ui.tasks import TaskManager


def make_dialog(qtbot, database):
    tasks = TaskManager()
    dialog = ImportDialog(database, tasks, user="clerk")
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
