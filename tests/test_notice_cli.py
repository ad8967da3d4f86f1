"""The `notice` commands as a script or an acceptance check drives them: same JSON as `disclosure`, one ID prefix
everywhere, the evidence gate with exit 1 and `evidence_missing`, the 情况说明, the planned period."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from tests.conftest import run_cli
from tests.core.test_lifecycle import make_notice
from zwgk_desktop.config import Config
from zwgk_desktop.core.schema import open_database

TODAY = date.today()


@pytest.fixture
def town(tmp_path):
    """A township with two villages, an admin and a reviewer account, and one approved 低保 notice (3 lines)."""
    data = tmp_path / "town"
    code, _out, err = run_cli("township", "init", "--name", "青山镇", "--villages", "青山村,桃园村", "--json", data_dir=data)
    assert code == 0, err
    for user, role, name in (("admin", "admin", "王站长"), ("lijun", "reviewer", "李军")):
        code, _out, err = run_cli("user", "add", user, "--role", role, "--name", name, "--password", "pass-word-2026",
                                  "--json", data_dir=data)
        assert code == 0, err
    from tests.core.test_lifecycle import make_world

    db = open_database(Config.load(data))
    try:
        nid = make_notice(db, make_world(db), n=3, author="wangfang")
    finally:
        db.dispose()
    for step in (("submit",), ("approve", "--as", "lijun")):
        code, out, err = run_cli("notice", step[0], nid[:8], *step[1:], "--json", data_dir=data)
        assert code == 0, err
    return data, nid


def status_of(data, nid) -> str:
    with sqlite3.connect(data / "zwgk.sqlite3") as conn:
        return conn.execute("SELECT status FROM disclosure WHERE id = ?", (nid,)).fetchone()[0]


def test_notice_and_disclosure_print_the_same_json(town):
    """`notice list/show` are `disclosure list/show` under the code's one name: identical JSON, the prefix accepted."""
    data, nid = town
    assert run_cli("notice", "list", "--json", data_dir=data)[1] == run_cli("disclosure", "list", "--json", data_dir=data)[1]
    by_prefix = run_cli("notice", "show", nid[:8], "--items", "2", "--json", data_dir=data)
    by_id = run_cli("disclosure", "show", nid, "--items", "2", "--json", data_dir=data)
    assert by_prefix[0] == 0 and by_prefix[1] == by_id[1]
    assert by_id[1]["id"] == nid and len(by_id[1]["items_preview"]) == 2
    assert by_id[1]["period"]["planned"] is True  # approved, not posted: the planned period


def test_every_command_taking_a_notice_id_accepts_the_same_prefix(town):
    """review, plan, postings, history, objection list and post all take the same ≥ 6-character prefix;
    a shorter one is refused with a Chinese message."""
    data, nid = town
    for args in (("notice", "review", nid[:6]), ("notice", "plan", nid[:7]), ("notice", "postings", nid[:8]),
                 ("notice", "history", nid[:9]), ("objection", "list", nid[:10])):
        code, out, err = run_cli(*args, "--json", data_dir=data)
        assert code == 0, (args, err)
    code, out, _ = run_cli("notice", "post", nid[:6], "--date", TODAY.isoformat(), "--json", data_dir=data)
    assert code == 0 and out["disclosure_id"] == nid
    code, out, _ = run_cli("notice", "postings", nid[:5], "--json", data_dir=data)
    assert code == 1 and out["error"]["code"] == "not_found" and "至少前 6 位" in out["error"]["message"]


def test_archive_without_photos_is_refused_until_a_reviewer_explains(town):
    """`notice archive` of a notice whose postings have no photos exits 1 with `evidence_missing`, naming the boards
    and photos, and changes nothing; a 情况说明 under 10 characters is refused; a reviewer's proper one lets
    办结 and 归档 through, and `notice history` shows it."""
    data, nid = town
    posted = (TODAY - timedelta(days=10)).isoformat()
    code, out, err = run_cli("notice", "post", nid[:8], "--date", posted, "--board", "青山镇", "--board", "青山村",
                             "--json", data_dir=data)
    assert code == 0, err
    code, out, _ = run_cli("notice", "archive", nid[:8], "--json", data_dir=data)
    assert code == 1 and out["error"]["code"] == "evidence_missing"
    message = out["error"]["message"]
    assert "青山镇政务公开栏缺张贴照、缺期满照" in message and "青山村村务公开栏缺张贴照、缺期满照" in message
    code, out, _ = run_cli("notice", "conclude", nid[:8], "--json", data_dir=data)
    assert code == 1 and out["error"]["code"] == "evidence_missing"
    assert status_of(data, nid) == "publishing"

    code, out, _ = run_cli("notice", "explain", nid[:8], "--text", "照片丢了", "--as", "lijun", "--json", data_dir=data)
    assert code == 1 and out["error"]["code"] == "explanation_too_short"
    text = "张贴时手机故障未拍照，期满照因公开栏维修无法补拍，已由包村干部现场核实。"
    code, out, _ = run_cli("notice", "explain", nid[:8], "--text", text, "--json", data_dir=data)  # cli is an admin
    assert code == 0 and out["text"] == text and out["recorded_by_name"] == "命令行"
    code, out, err = run_cli("notice", "conclude", nid[:8], "--json", data_dir=data)
    assert code == 0, err
    code, out, err = run_cli("notice", "archive", nid[:8], "--json", data_dir=data)
    assert code == 0 and out["to_status"] == "archived", err
    code, out, _ = run_cli("notice", "history", nid[:8], "--json", data_dir=data)
    assert [e["text"] for e in out["exceptions"]] == [text] and out["status"] == "archived"
    assert len(out["evidence_gaps"]) == 4 and all(g["excused"] for g in out["evidence_gaps"])


def test_the_planned_posting_day_is_recorded_and_shown_until_posting(town):
    """`notice plan --day D --record` stores the day printed on the poster; review and show give that period."""
    data, nid = town
    day = TODAY + timedelta(days=3)
    code, out, err = run_cli("notice", "plan", nid[:8], "--day", day.isoformat(), "--record", "--json", data_dir=data)
    assert code == 0, err
    period = out["period"]
    assert period["posted_on"] == day.isoformat() and period["planned"] and period["counted_days"] == 7
    review = run_cli("notice", "review", nid[:8], "--json", data_dir=data)[1]
    shown = run_cli("notice", "show", nid[:8], "--json", data_dir=data)[1]
    assert review["period"]["screen_text"] == shown["period"]["screen_text"] == period["screen_text"]
    assert shown["period_text"] == f"计划 {period['screen_text']}"
    code, out, _ = run_cli("notice", "plan", nid[:8], "--day", (TODAY - timedelta(days=1)).isoformat(), "--record",
                           "--json", data_dir=data)
    assert code == 1 and out["error"]["code"] == "date_in_past"
