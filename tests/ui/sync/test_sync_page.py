"""The 同步 page and background sync against a real county server on 127.0.0.1 (and against a dead port)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from tests.county.kit import CountyProcess, copy_township, free_port, township_template
from tests.ui.conftest import make_window
from zwgk_desktop.core.models import OutboxEntry
from zwgk_desktop.county.service import issue_enroll_code
from zwgk_desktop.county.store import open_store
from zwgk_desktop.services.sync.client import save_token
from zwgk_desktop.services.sync.state import DEVICE_KEY, set_setting
from zwgk_desktop.ui.sync import backoff_delay, install

SYNC_TIMEOUT_MS = 60_000


@pytest.fixture(scope="session")
def sync_template(tmp_path_factory):
    return township_template(tmp_path_factory.mktemp("sync-township") / "data")


@pytest.fixture
def township(tmp_path, sync_template):
    cfg, database = copy_township(sync_template, tmp_path / "data")
    yield cfg, database
    database.dispose()


@pytest.fixture
def county(tmp_path):
    server = CountyProcess(tmp_path / "county").start()
    yield server
    server.stop()


@pytest.fixture
def sync_window(qtbot, township, tasks):
    config, database = township
    window = make_window(qtbot, config, database, tasks)
    page = install(window, start=False)
    controller = window.sync_controller
    controller.after_enroll_delay_s = 3600  # the tests press 立即同步 themselves
    with qtbot.waitSignal(controller.overview_changed, timeout=10_000):
        controller.refresh_overview()
    return window, page, controller


def enroll_code(county: CountyProcess, township: str = "青山镇") -> str:
    store = open_store(county.data_dir)
    try:
        return issue_enroll_code(store, township)["code"]
    finally:
        store.dispose()


def enroll_through_page(qtbot, page, controller, county) -> None:
    page.server_edit.setText(county.url)
    page.code_edit.setText(enroll_code(county))
    with qtbot.waitSignal(page.enrolled, timeout=20_000):
        qtbot.mouseClick(page.enroll_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.overview is not None and page.overview.enrolled, timeout=10_000)


def sync_and_wait(qtbot, page, controller):
    with qtbot.waitSignal(controller.finished, timeout=SYNC_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.progress.isVisible(), timeout=5_000)
    return blocker.args[0]


def test_enroll_then_sync_now_updates_the_counts_and_label(qtbot, sync_window, county):
    """Enrolling through the page shows 已注册 with the device id; 立即同步 sends everything and the label says 已同步."""
    window, page, controller = sync_window
    assert page.enrolled_pill.text() == "未注册" and not page.sync_button.isEnabled()
    assert window.sync_label.text() == "● 未连接县级平台"
    enroll_through_page(qtbot, page, controller, county)
    assert page.enrolled_pill.text() == "已注册"
    assert page.overview.device_id and page.overview.device_id in page.device_label.text()
    assert page.overview.pending > 0
    assert window.sync_label.text().startswith("● 待上传")

    outcome = sync_and_wait(qtbot, page, controller)
    assert outcome.ok, outcome.error_message
    qtbot.waitUntil(lambda: page.figures["pending"].value.text() == "0", timeout=5_000)
    assert int(page.figures["pushed"].value.text().replace(",", "")) == outcome.report.pushed > 0
    assert page.figures["blobs"].value.text() == "3"
    assert page.figures["last_sync"].value.text() != "从未"
    assert "同步完成" in page.result_box.text()
    assert window.sync_label.text().startswith("● 已同步 ")
    assert controller.seconds_until_next() == pytest.approx(controller.interval_s, abs=5)


def test_a_quarantined_record_shows_its_reason_and_retry_requeues_it(qtbot, sync_window, county):
    """A record the county refuses is listed with 县级拒收 and its reason; 重试所选 puts it back in the queue."""
    window, page, controller = sync_window
    database = window.database
    enroll_through_page(qtbot, page, controller, county)
    with database.session() as s:
        s.add(OutboxEntry(entity="bogus_table", entity_id="x1", payload={}))
    sync_and_wait(qtbot, page, controller)
    qtbot.waitUntil(lambda: page.quarantine_table.rowCount() == 1, timeout=5_000)
    reason = page.quarantine_table.item(0, 2).text()
    assert reason.startswith("县级拒收：") and "bogus_table" in reason
    assert page.figures["errors"].value.text() == "1"

    page.quarantine_table.selectRow(0)
    assert page.retry_button.isEnabled()
    with qtbot.waitSignal(page.retried, timeout=10_000) as retried:
        qtbot.mouseClick(page.retry_button, Qt.MouseButton.LeftButton)
    assert retried.args == [1]
    with database.session() as s:
        entry = s.execute(select(OutboxEntry).where(OutboxEntry.entity == "bogus_table")).scalar_one()
        assert (entry.state, entry.error) == ("pending", "")
    qtbot.waitUntil(lambda: page.quarantine_table.rowCount() == 0, timeout=5_000)
    assert page.figures["pending"].value.text() == "1"
    assert window.sync_label.text() == "● 待上传 1 条"


def test_backoff_grows_while_the_county_is_unreachable(qtbot, sync_window):
    """With nothing listening, each failed sync waits twice as long (1, 2 minutes …) and the label says when."""
    window, page, controller = sync_window
    config, database = window.config, window.database
    url = f"http://127.0.0.1:{free_port()}"
    save_token(config, "token-for-a-dead-server")
    config.settings.county_url = url
    with database.session() as s:
        set_setting(s, DEVICE_KEY, {"server": url, "device_id": "dev-1", "township": "青山镇"})

    waits = []
    for expected_minutes in (1, 2, 4):
        with qtbot.waitSignal(controller.finished, timeout=SYNC_TIMEOUT_MS) as blocker:
            assert controller.sync_now(manual=False)
            assert not controller.sync_now(manual=False)  # never two at once
        assert blocker.args[0].error_code == "sync_unreachable"
        waits.append(controller.seconds_until_next())
        assert window.sync_label.text() == f"● 县级平台暂不可达，{expected_minutes} 分钟后重试"
    assert waits[0] == pytest.approx(60, abs=3) and waits[1] == pytest.approx(120, abs=3)
    assert waits[2] == pytest.approx(240, abs=3)
    assert "无法连接县级服务器" in page.result_box.text()
    assert backoff_delay(10) == 30 * 60  # capped at 30 minutes
