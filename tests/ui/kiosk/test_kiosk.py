"""The 信息查阅点 kiosk: locked full-screen window, idle reset, masked public search (pytest-qt, offscreen)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from zwgk_desktop.core.models import Disclosure, DisclosureItem, Household, Setting
from zwgk_desktop.ui.kiosk.lookup import (
    ExitGuard, SETTING_KIOSK_PASSWORD, kiosk_password_hash, notice_view, open_readonly, search_notices,
)
from zwgk_desktop.ui.kiosk.window import PAGE_EXIT, PAGE_NOTICE, PAGE_SEARCH, PAGE_START, KioskWindow

PASSWORD = "kiosk-admin-2026"


@pytest.fixture
def kiosk_db(demo_config, demo_db):
    with demo_db.session() as s:
        s.add(Setting(key=SETTING_KIOSK_PASSWORD, value=kiosk_password_hash(PASSWORD)))
    return demo_config, demo_db


@pytest.fixture
def kiosk(qtbot, kiosk_db):
    config, _db = kiosk_db
    window = KioskWindow(config.db_path, idle_seconds=120)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    yield window
    window._unlocked = True
    window.close()


@pytest.fixture
def published_person(kiosk_db):
    """A person on a published notice: (name, id number, phone, bank account)."""
    _config, db = kiosk_db
    with db.session() as s:
        row = s.execute(
            select(DisclosureItem.name, Household.id_number, Household.phone, Household.bank_account, Disclosure.id)
            .join(Disclosure, Disclosure.id == DisclosureItem.disclosure_id)
            .join(Household, Household.id == DisclosureItem.household_id)
            .where(Disclosure.status == "publishing", Disclosure.category == "dibao")
            .limit(1)
        ).one()
    return row


def test_kiosk_is_frameless_on_top(kiosk):
    """The kiosk window has no frame and stays on top of everything."""
    flags = kiosk.windowFlags()
    assert flags & Qt.WindowType.FramelessWindowHint
    assert flags & Qt.WindowType.WindowStaysOnTopHint
    assert kiosk.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu


def test_cannot_close_without_password(qtbot, kiosk):
    """Close requests (Alt+F4, window manager) and Escape leave the kiosk open."""
    assert kiosk.close() is False
    assert kiosk.isVisible()
    qtbot.keyClick(kiosk, Qt.Key.Key_Escape)
    qtbot.keyClick(kiosk, Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier)
    assert kiosk.isVisible()


def test_wrong_password_keeps_it_open_right_password_closes(qtbot, kiosk):
    """A wrong admin password is refused with a message; the right one closes the kiosk."""
    qtbot.mouseClick(kiosk.admin_button, Qt.MouseButton.LeftButton)
    assert kiosk.current_page() == PAGE_EXIT
    qtbot.keyClicks(kiosk.password_edit, "wrong-password")
    qtbot.mouseClick(kiosk.confirm_exit_button, Qt.MouseButton.LeftButton)
    assert kiosk.isVisible() and "不正确" in kiosk.exit_message.text()
    qtbot.keyClicks(kiosk.password_edit, PASSWORD)
    qtbot.mouseClick(kiosk.confirm_exit_button, Qt.MouseButton.LeftButton)
    assert not kiosk.isVisible()


def test_repeated_wrong_passwords_pause_exit():
    """Five wrong exit passwords lock exit for a minute, even for the right password."""
    now = [0.0]
    guard = ExitGuard(lambda p: p == "right", clock=lambda: now[0])
    for _ in range(5):
        assert not guard.try_password("bad")
    assert guard.seconds_paused() == 60
    assert not guard.try_password("right")
    now[0] = 61
    assert guard.try_password("right")


def test_idle_timeout_returns_to_start(qtbot, kiosk_db):
    """After the idle timeout the kiosk shows the start page again with the search cleared."""
    config, _db = kiosk_db
    window = KioskWindow(config.db_path, idle_seconds=0.3)
    qtbot.addWidget(window)
    window.show()
    qtbot.mouseClick(window.start_search_button, Qt.MouseButton.LeftButton)
    window.name_edit.setText("王")  # QTest cannot type CJK; typing Latin text also counts as activity
    qtbot.keyClicks(window.name_edit, "x")
    assert window.current_page() == PAGE_SEARCH
    with qtbot.waitSignal(window.returned_to_start, timeout=3000):
        pass
    assert window.current_page() == PAGE_START
    assert window.name_edit.text() == ""
    window._unlocked = True
    window.close()


def test_search_by_name_shows_masked_public_version(qtbot, kiosk, published_person):
    """Searching a person's name finds the notice; the screen shows the name but no ID number, phone or account."""
    name, id_number, phone, account, notice_id = published_person
    qtbot.mouseClick(kiosk.start_search_button, Qt.MouseButton.LeftButton)
    kiosk.name_edit.setText(name)
    qtbot.mouseClick(kiosk.search_button, Qt.MouseButton.LeftButton)
    ids = [kiosk.results.item(i).data(Qt.ItemDataRole.UserRole) for i in range(kiosk.results.count())]
    assert notice_id in ids
    kiosk.open_notice(notice_id)
    assert kiosk.current_page() == PAGE_NOTICE
    text = kiosk.visible_text()
    assert name in text
    digits = re.sub(r"\D", "", text)
    for secret in (id_number, phone, account, id_number[-4:] + "", id_number[:6] + "*"):
        assert secret not in text
    assert id_number[:14] not in digits and phone[-8:] not in digits
    headers = [kiosk.table.horizontalHeaderItem(c).text() for c in range(kiosk.table.columnCount())]
    assert "身份证号码" not in headers and "联系电话" not in headers and "银行账号" not in headers


def test_only_published_notices_are_searchable(kiosk_db):
    """Drafts, notices under review and withdrawn notices never appear at the kiosk."""
    config, db = kiosk_db
    engine = open_readonly(config.db_path)
    from sqlalchemy.orm import Session

    with Session(engine) as s:
        found = search_notices(s)
        statuses = {s.get(Disclosure, n.id).status for n in found}
        with db.session() as w:
            draft = w.execute(select(Disclosure.id).where(Disclosure.status == "draft").limit(1)).scalar()
        with pytest.raises(Exception):
            notice_view(s, draft)
    engine.dispose()
    assert statuses <= {"publishing", "expired", "archived"} and found


def test_kiosk_cannot_write(kiosk_db):
    """The kiosk's database connection is read-only: a write attempt fails and changes nothing."""
    import sqlalchemy

    config, _db = kiosk_db
    engine = open_readonly(config.db_path)
    with engine.connect() as conn, pytest.raises(sqlalchemy.exc.OperationalError):
        conn.execute(sqlalchemy.text("DELETE FROM disclosure"))
    engine.dispose()


def test_touch_sized_controls(kiosk):
    """Every button is at least 64 px high and the text is at least 20 pt."""
    for button in kiosk.findChildren(QPushButton):
        assert button.sizeHint().height() >= 64 or button.minimumHeight() >= 64, button.text()
    assert kiosk.font().pointSize() >= 20
