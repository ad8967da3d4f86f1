"""The 信息查阅点 kiosk: locked full-screen window, idle reset, masked public search, public wording, 核验码 (pytest-qt)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from sqlalchemy import select

from tests.conftest import run_cli
from zwgk_desktop.core.models import Disclosure, DisclosureItem, Household, Township
from zwgk_desktop.core.users import SYSTEM_ACTOR
from zwgk_desktop.ops.kiosk import (
    KIOSK_ACTOR, notice_view, open_kiosk_database, search_notices, set_exit_password,
)
from zwgk_desktop.ui.kiosk.window import (
    PAGE_EXIT, PAGE_NOTICE, PAGE_SEARCH, PAGE_START, PAGE_VERIFY, ExitGuard, KioskWindow,
)

PASSWORD = "kiosk-admin-2026"


@pytest.fixture
def kiosk_db(demo_config, demo_db):
    set_exit_password(demo_db, SYSTEM_ACTOR, PASSWORD)
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
    kiosk_db_ro = open_kiosk_database(config.db_path)
    found = search_notices(kiosk_db_ro, KIOSK_ACTOR)
    with db.session() as s:
        statuses = {s.get(Disclosure, n.id).status for n in found}
        draft = s.execute(select(Disclosure.id).where(Disclosure.status == "draft").limit(1)).scalar()
    with pytest.raises(Exception) as refused:
        notice_view(kiosk_db_ro, KIOSK_ACTOR, draft)
    kiosk_db_ro.dispose()
    assert refused.value.code == "not_found"
    assert statuses <= {"publishing", "expired", "archived"} and found


def test_kiosk_cannot_write(kiosk_db):
    """The kiosk's database connection is read-only: a write attempt fails and changes nothing."""
    import sqlalchemy

    config, _db = kiosk_db
    kiosk_db_ro = open_kiosk_database(config.db_path)
    with kiosk_db_ro.engine.connect() as conn, pytest.raises(sqlalchemy.exc.OperationalError):
        conn.execute(sqlalchemy.text("DELETE FROM disclosure"))
    with pytest.raises(Exception):  # nor through the ORM, whoever asks
        set_exit_password(kiosk_db_ro, SYSTEM_ACTOR, "another-password")
    kiosk_db_ro.dispose()


def test_touch_sized_controls(kiosk):
    """Every button is at least 64 px high and the text is at least 20 pt."""
    for button in kiosk.findChildren(QPushButton):
        assert button.sizeHint().height() >= 64 or button.minimumHeight() >= 64, button.text()
    assert kiosk.font().pointSize() >= 20


# --- what the public reads: status words, the 公示期, how to object ------------------------


def notice_with(db, status: str, category: str = "dibao") -> Disclosure:
    with db.session() as s:
        return s.execute(select(Disclosure).where(
            Disclosure.status == status, Disclosure.category == category, Disclosure.period_start.is_not(None)
        ).order_by(Disclosure.created_at).limit(1)).scalar_one()


def test_notice_page_says_how_to_object_and_the_supervision_phones(kiosk, kiosk_db):
    """A running 公示 shows 公示中, its period in the poster's words, how to object and both 监督举报电话."""
    _config, db = kiosk_db
    running = notice_with(db, "publishing")
    with db.session() as s:
        township = s.execute(select(Township)).scalar_one()
    assert kiosk.open_notice(running.id)
    meta = kiosk.notice_meta.text()
    assert "公示中" in meta
    period = re.search(r"公示期：(\d{4})年(\d+)月(\d+)日至(?:(\d{4})年)?(\d+)月(\d+)日（(\d+)天）", meta)
    assert period, meta
    year, m1, d1, year2, m2, d2, days = period.groups()
    first = date(int(year), int(m1), int(d1))
    end = date(int(year2 or year), int(m2), int(d2))
    assert (end - first).days + 1 == int(days) == 7  # the days printed equal the dates printed
    assert first == running.period_start + timedelta(days=1) and end == running.period_end
    assert kiosk.supervision.isVisibleTo(kiosk)
    objection = kiosk.objection_label.text()
    assert "有异议" in objection and f"{end.month}月{end.day}日前" in objection and "青山镇人民政府" in objection
    phones = kiosk.phones_label.text()
    assert township.supervise_phone and township.supervise_phone in phones
    assert township.county_supervise_phone and township.county_supervise_phone in phones


def test_an_archived_notice_reads_as_period_ended_never_archived(kiosk, kiosk_db):
    """Expired and archived notices say 公示期满 (internal words like 已归档 or 期满待办 never show) and still give the phones."""
    _config, db = kiosk_db
    for status in ("archived", "expired"):
        notice = notice_with(db, status, category=_category_with(db, status))
        assert kiosk.open_notice(notice.id)
        text = kiosk.visible_text()
        assert "公示期满" in kiosk.notice_meta.text()
        assert "已归档" not in text and "期满待办" not in text
        assert "公示期已满" in kiosk.objection_label.text() and "监督举报电话" in kiosk.phones_label.text()
    kiosk.go_home()
    found = search_notices(kiosk.db, KIOSK_ACTOR)
    assert {n.status_label for n in found} == {"公示中", "公示期满"}


def _category_with(db, status: str) -> str:
    with db.session() as s:
        return s.execute(select(Disclosure.category).where(
            Disclosure.status == status, Disclosure.period_start.is_not(None)).limit(1)).scalar_one()


# --- 核验码 ---------------------------------------------------------------------------------


def type_on_keypad(qtbot, kiosk, code: str) -> None:
    for char in code:
        qtbot.mouseClick(kiosk.keypad_buttons[char], Qt.MouseButton.LeftButton)


def verify(qtbot, kiosk):
    with qtbot.waitSignal(kiosk.verified, timeout=5000) as shown:
        qtbot.mouseClick(kiosk.verify_button, Qt.MouseButton.LeftButton)
    return shown.args[0]


def test_a_posters_code_says_genuine_then_corrected_by_version_2(qtbot, kiosk, kiosk_db):
    """The code under a poster's QR, typed on the keypad, says 此公示为真实有效版本; after a correction 已被第2版更正."""
    from zwgk_desktop.core.lifecycle import correct
    from zwgk_desktop.core.objections import open_objection_count
    from zwgk_desktop.core.verification import display_code, record_code

    _config, db = kiosk_db
    with db.session() as s:
        notice = next(d for d in s.execute(select(Disclosure).where(
            Disclosure.status.in_(("publishing", "expired")), Disclosure.version == 1)).scalars()
            if not open_objection_count(s, d.id))
        code = record_code(s, notice.township_id, notice.id, notice.version)
        title = notice.title
    qtbot.mouseClick(kiosk.start_verify_button, Qt.MouseButton.LeftButton)
    type_on_keypad(qtbot, kiosk, code)
    assert kiosk.code_edit.text() == display_code(code)  # typed as printed: ABCD-EFGH
    result = verify(qtbot, kiosk)
    assert result.genuine and kiosk.verify_state.text() == "✔ 此公示为真实有效版本"
    assert title in kiosk.verify_detail.text() and "第1版" in kiosk.verify_detail.text()
    assert kiosk.verify_open_button.isVisibleTo(kiosk) and not kiosk.verify_current_button.isVisibleTo(kiosk)
    qtbot.mouseClick(kiosk.verify_open_button, Qt.MouseButton.LeftButton)
    assert kiosk.current_page() == PAGE_NOTICE and kiosk.notice_title.text() == title
    qtbot.mouseClick(kiosk.back_button, Qt.MouseButton.LeftButton)
    assert kiosk.current_page() == PAGE_VERIFY and kiosk.last_verification is result

    with db.session(user="tester") as s:
        v2 = correct(s, SYSTEM_ACTOR, notice.id, "经复查，删除1户，现重新公示")
        v2.status, v2.period_start, v2.period_end = "publishing", notice.period_start, notice.period_end
    kiosk.code_edit.setText("zwgk:" + code.lower())  # what a QR scanner types
    result = verify(qtbot, kiosk)
    assert result.state == "superseded" and kiosk.verify_state.text() == "⚠ 此版本已被第2版更正"
    assert kiosk.verify_current_button.isVisibleTo(kiosk) and "第2版" in kiosk.verify_current_button.text()
    assert not kiosk.verify_open_button.isVisibleTo(kiosk)
    qtbot.mouseClick(kiosk.verify_current_button, Qt.MouseButton.LeftButton)
    assert kiosk.current_page() == PAGE_NOTICE and "第2版（更正）" in kiosk.notice_meta.text()


def test_unknown_malformed_and_unapproved_codes_are_not_genuine(qtbot, kiosk, kiosk_db):
    """A code nobody printed is not found, a typo is explained, and a draft's code is a 样稿 — none shows ✔."""
    from zwgk_desktop.core.verification import record_code

    _config, db = kiosk_db
    kiosk.show_verify_page()
    type_on_keypad(qtbot, kiosk, "ABCD2345")
    result = verify(qtbot, kiosk)
    assert result.state == "foreign" and kiosk.verify_state.text() == "⚠ 未找到此核验码"
    assert "不是本乡镇发布" in kiosk.verify_hint.text()
    kiosk.code_edit.setText("12")
    assert verify(qtbot, kiosk).state == "invalid" and "8位" in kiosk.verify_hint.text()
    with db.session() as s:
        draft = s.execute(select(Disclosure).where(Disclosure.status == "draft").limit(1)).scalar_one()
        draft_code = record_code(s, draft.township_id, draft.id, draft.version)
    kiosk.code_edit.setText(draft_code)
    result = verify(qtbot, kiosk)
    assert result.state == "unapproved" and "样稿" in kiosk.verify_state.text()
    assert not kiosk.verify_open_button.isVisibleTo(kiosk)
    assert "✔" not in kiosk.visible_text()
    kiosk.go_home()
    assert kiosk.code_edit.text() == "" and kiosk.last_verification is None


def test_keypad_buttons_are_touch_sized_and_stop_at_eight_characters(qtbot, kiosk):
    """Every keypad key is a touch target; a ninth character is ignored."""
    kiosk.show_verify_page()
    for button in kiosk.keypad_buttons.values():
        assert button.sizeHint().height() >= 64 or button.minimumHeight() >= 64
    type_on_keypad(qtbot, kiosk, "0123456789")
    assert kiosk.code_edit.text() == "0123-4567"


# --- the command ------------------------------------------------------------------------------


def test_cli_sets_the_exit_password_and_refuses_to_start_without_one(tmp_path):
    """`kiosk` with no way out refuses to start; `--set-password` refuses a short one and stores only a hash."""
    from zwgk_desktop.config import Config
    from zwgk_desktop.core.models import AuditEvent
    from zwgk_desktop.core.schema import open_database
    from zwgk_desktop.ops.kiosk import check_exit_password

    data = tmp_path / "kiosk-data"
    code, payload, err = run_cli("kiosk", "--json", data_dir=data)
    assert code == 1 and payload["error"]["code"] == "no_exit_password" and "--set-password" in err
    code, payload, _err = run_cli("kiosk", "--set-password", "--json", data_dir=data, input="short\n")
    assert code == 1 and payload["error"]["code"] == "weak_password"
    code, payload, _err = run_cli("kiosk", "--set-password", "--json", data_dir=data, input="kiosk-exit-2026\n")
    assert code == 0 and payload == {"password_set": True}
    db = open_database(Config.load(data))
    try:
        assert check_exit_password(db, KIOSK_ACTOR, "kiosk-exit-2026")
        assert not check_exit_password(db, KIOSK_ACTOR, "kiosk-exit-2025")
        with db.session() as s:
            summaries = [str(e.summary) for e in s.execute(select(AuditEvent)).scalars()]
        assert any("kiosk_password_hash" in text for text in summaries)
        assert not any("$argon2" in text for text in summaries)  # the log says it changed, never the hash
    finally:
        db.dispose()
