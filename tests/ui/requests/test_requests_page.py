"""The 依申请公开 page: masked register, the request's own page, dialogs that refuse bad input, letters, yearly report."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QDialog

from zwgk_desktop.core.requests import NewRequest
from zwgk_desktop.core.users import Actor
from zwgk_desktop.ops import requests as ops

TODAY = date(2026, 11, 10)
ADMIN = Actor(username="tester", role="admin", display_name="测试管理员")


@pytest.fixture
def bound(tasks, database):
    tasks.bind(database=database, actor=ADMIN)
    return tasks


def add(database, received: date, name: str, requester_type: str = "person", phone: str = "") -> str:
    new = NewRequest(received_on=received, channel="mail", requester_type=requester_type,
                     content="申请公开本村2026年低保名单", name=name, phone=phone)
    return ops.add_request(database, ADMIN, new, today=TODAY).number


@pytest.fixture
def page(qtbot, bound, database):
    from zwgk_desktop.ui.requests.page import RequestsPage

    add(database, date(2026, 9, 24), "张三丰", phone="13812345678")  # due 10-29: overdue on 11-10
    add(database, date(2026, 11, 2), "青山某某建材有限公司", "company")  # due 11-30
    widget = RequestsPage(bound, today=lambda: TODAY, actor_label=lambda: "测试管理员")
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    with qtbot.waitSignal(widget.loaded, timeout=10000):
        widget.refresh()
    return widget


def select(qtbot, page, number: str):
    page._select_row(page.model.index_of(number))
    qtbot.waitUntil(lambda: page.detail is not None and page.detail.row.number == number, timeout=10000)
    return page.detail


def test_register_is_masked_and_overdue_rows_are_red(page):
    """The list shows 张*丰 and marks the request past its deadline in red; the summary counts it."""
    from PySide6.QtCore import Qt

    from zwgk_desktop.ui.requests.model import OVERDUE_COLOUR

    texts = {page.proxy.index(r, 3).data() for r in range(page.proxy.rowCount())}
    assert texts == {"张*丰", "青山某某建材有限公司"}
    row = page.model.index_of("2026-001")
    index = page.model.index(row, 5)
    assert index.data() == "已逾期"
    assert index.data(Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_COLOUR
    assert "逾期未答复 1 件" in page.summary.text()


def test_the_requests_own_page_shows_the_requester_and_the_explained_clock(qtbot, page):
    """Selecting a request shows its name and phone in clear, the deadline and why (中秋/国庆 skipped)."""
    detail = select(qtbot, page, "2026-001")
    text = page.detail_view.toPlainText()
    assert detail.name == "张三丰" and "张三丰" in text and "13812345678" in text
    assert "2026-10-29" in text and "国庆节" in text and "签收之日" in text
    assert page.actions["reply"].isEnabled() and not page.letter_actions["reply"].isEnabled()


def test_register_dialog_refuses_bad_input_and_saves_good_input(qtbot, page, database):
    """No content → red message, dialog open, nothing saved; filled in → saved, listed and selected."""
    dialog = page.make_dialog("add")
    qtbot.addWidget(dialog)
    dialog.name.setText("李四")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.error.isHidden(), timeout=10000)
    assert "请填写申请公开的政府信息内容" in dialog.error.text() and dialog.result() != QDialog.DialogCode.Accepted
    assert len(ops.list_requests(database, ADMIN, today=TODAY).rows) == 2
    dialog.content.setPlainText("2026年危房改造补助名单")
    dialog.channel.setCurrentIndex(dialog.channel.findData("online"))
    assert "双方确认之日" in dialog.rule.text()
    with qtbot.waitSignal(page.loaded, timeout=10000):
        dialog.submit()
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.result_value.number == "2026-003"
    assert page.model.index_of("2026-003") >= 0


def test_reply_dialog_needs_a_reason_then_the_answer_letter_prints(qtbot, page, tmp_path):
    """不予公开 without a reason is refused in the dialog; with one the request closes and its 答复书 prints."""
    select(qtbot, page, "2026-002")
    dialog = page.make_dialog("reply")
    qtbot.addWidget(dialog)
    dialog.set_outcome("refused")
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.error.isHidden(), timeout=10000)
    assert "必须写明理由" in dialog.error.text()
    dialog.set_outcome("refused", "third_party")
    dialog.submit()
    qtbot.waitUntil(lambda: page.detail.row.outcome == "refused:third_party", timeout=10000)
    assert "不予公开（保护第三方合法权益）" in page.detail_view.toPlainText()
    assert page.letter_actions["reply"].isEnabled()
    out = tmp_path / "答复书.pdf"
    with qtbot.waitSignal(page.letter_printed, timeout=15000) as printed:
        page.print_letter("reply", str(out))
    assert printed.args == [str(out.resolve())] and out.stat().st_size > 1000
    assert "〔2026〕1号" in page.message.text()


def test_extension_dialog_refuses_a_late_extension(qtbot, page):
    """Telling the requester after the deadline is refused inside the dialog; on time it is saved, and only once."""
    from PySide6.QtCore import QDate

    select(qtbot, page, "2026-001")
    dialog = page.make_dialog("extend")
    qtbot.addWidget(dialog)
    dialog.reason.setText("需调取档案")
    dialog.notified.setDate(QDate(2026, 11, 2))
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.error.isHidden(), timeout=10000)
    assert "2026-10-29 届满" in dialog.error.text() and page.detail.extension_days == 0
    dialog.notified.setDate(QDate(2026, 10, 28))
    dialog.submit()
    qtbot.waitUntil(lambda: page.detail.extension_days == 20, timeout=10000)
    assert dialog.result() == QDialog.DialogCode.Accepted and page.detail.clock.due == date(2026, 11, 26)
    assert not page.actions["extend"].isEnabled()


def test_annual_report_dialog_checks_carries_and_exports(qtbot, bound, database, tmp_path):
    """The dialog lists the open request to carry, carries it, then exports the workbook and its PDF twin."""
    from zwgk_desktop.ui.requests.annual import AnnualReportDialog

    add(database, date(2026, 3, 2), "王五")
    ops.reply_request(database, ADMIN, "2026-001", date(2026, 3, 10), "public")
    add(database, date(2026, 12, 21), "赵六")
    dialog = AnnualReportDialog(bound, year=2026)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10000)
    assert dialog.carry_button.isVisibleTo(dialog) and "2026-002" in dialog.result.text()
    with qtbot.waitSignal(dialog.checked, timeout=10000):
        dialog.carry_all()
    assert dialog.report.ok and not dialog.carry_button.isVisibleTo(dialog)
    dialog.inputs["licensing"].setValue(7)
    with qtbot.waitSignal(dialog.exported, timeout=15000) as done:
        dialog.export(str(tmp_path / "2026年报"))
    report = done.args[0]
    assert report.ok and (tmp_path / "2026年报.xlsx").exists() and (tmp_path / "2026年报.pdf").exists()
    assert report.table2["licensing"]["decisions"] == 7 and "已导出" in dialog.result.text()


def test_install_adds_the_page_the_settings_tab_and_todo_routing(qtbot, window, demo_db):
    """In the main window: a 依申请公开 entry before 统计报表, a 设置 tab, and 今日待办 items open the request."""
    from zwgk_desktop.core.dashboard import TodoItem
    from zwgk_desktop.ui import requests as requests_ui
    from zwgk_desktop.ui import settings as settings_ui
    from zwgk_desktop.ui.lifecycle import wiring

    wiring.install(window)
    settings_ui.install(window, start=False)
    page = requests_ui.install(window)
    keys = window.page_keys()
    assert keys.index("requests") == keys.index("reports") - 1
    tabs = window.page("settings").tabs
    assert "依申请公开" in [tabs.tabText(i) for i in range(tabs.count())]
    number = add(demo_db, date(2026, 9, 24), "张三丰")
    request_id = ops.show_request(demo_db, ADMIN, number, today=TODAY).id
    item = TodoItem(kind="request_overdue", kind_label="依申请公开逾期", title="t", detail="d", request_id=request_id)
    with qtbot.waitSignal(page.detail_shown, timeout=15000):
        window.page("today").open_requested.emit(item)
    assert window.current_page_key() == "requests" and page.detail.id == request_id


def test_settings_tab_sets_the_letter_number_prefix(qtbot, bound, database):
    """Saving the prefix and this year's first number in 设置 shows the resulting 文号."""
    from zwgk_desktop.ui.requests.settings_tab import RequestSettingsTab

    tab = RequestSettingsTab(bound, today=lambda: TODAY)
    qtbot.addWidget(tab)
    tab.fields["letter_prefix"].setText("青政信")
    tab.start.setValue(12)
    tab.save()
    qtbot.waitUntil(lambda: tab.message.text() == "已保存。", timeout=10000)
    assert "青政信〔2026〕1号" in tab.effective.text()
    assert ops.load_request_settings(database, ADMIN).values["letter_start"] == {"2026": 12}
