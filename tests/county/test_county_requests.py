"""依申请公开 at the county: the register and yearly counts travel by the outbox (masked) and the page flags problems."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.county.test_county_server import api, change, device, push, store  # noqa: F401 (fixtures)
from zwgk_desktop.core.models import OutboxEntry
from zwgk_desktop.core.requests import NewRequest
from zwgk_desktop.core.schema import open_database
from zwgk_desktop.core.townships import init_township
from zwgk_desktop.core.users import SYSTEM_ACTOR as A
from zwgk_desktop.county.compliance import county_requests
from zwgk_desktop.ops import requests as ops
from zwgk_desktop.services.sync.push import build_records


def township_with_requests(config, tmp_path):
    database = open_database(config)
    with database.session() as s:
        init_township(s, "青山镇", ["石桥村"])

    def add(received, name, phone=""):
        new = NewRequest(received_on=received, channel="mail", requester_type="person", content="低保审批材料",
                         name=name, phone=phone)
        return ops.add_request(database, A, new, today=received).number

    add(date(2025, 3, 3), "赵六")
    ops.reply_request(database, A, "2025-001", date(2025, 3, 20), "public")
    assert ops.export_annual_report(database, A, 2025, tmp_path / "2025.xlsx").ok
    add(date(2026, 9, 24), "张三丰", "13812345678")  # due 2026-10-29, never answered
    add(date(2026, 3, 2), "李四")  # due 2026-03-30, answered 2026-04-08: late
    ops.reply_request(database, A, "2026-002", date(2026, 4, 8), "refused:process")
    return database


def test_requests_and_yearly_counts_reach_the_county_masked_and_are_checked(api, store, config, tmp_path):  # noqa: F811
    """The outbox carries the register (no names or phones) and the 2025 table; the county page shows the overdue
    request, the late answer and the table with its cross-check result."""
    database = township_with_requests(config, tmp_path)
    with database.session() as s:
        entries = list(s.execute(select(OutboxEntry).where(OutboxEntry.state == "pending")).scalars())
        records = build_records(s, entries)
    database.dispose()
    entities = {r["entity"] for r in records}
    assert {"info_request", "annual_report"} <= entities and "info_request_private" not in entities
    auth = device(api, store, "青山镇")["Authorization"]
    assert set(push(api, auth, *records)) <= {"accepted", "duplicate"}  # several changes of one row: latest sent once
    check = next(c for c in county_requests(store) if c.name == "青山镇")
    assert check.total == 3 and check.open == 1
    assert [(f.number, f.kind) for f in check.findings] == [("2026-001", "overdue"), ("2026-002", "late")]
    assert [(a.year, a.ok) for a in check.annual] == [(2025, True)]
    page = api.get(f"/townships/{check.township_id}").text
    assert "依申请公开" in page and "逾期未答复" in page and "逾期答复" in page and "2026-001" in page
    assert "2025年度报告" in page and "核对通过" in page and "一、本年新收政府信息公开申请数量" in page
    assert "张三丰" not in page and "13812345678" not in page and "张*丰" not in page
    index = api.get("/").text
    assert "依申请公开" in index and "核对通过" in index


def test_the_county_rechecks_a_filed_table_that_does_not_add_up(api, store):  # noqa: F811
    """A yearly table whose columns don't balance is shown 核对不通过 with the column, whatever the township said."""
    auth = device(api, store, "桃园镇")["Authorization"]
    table3 = {
        "new": {"label": "一、本年新收政府信息公开申请数量", "person": 3, "company": 0, "research": 0, "ngo": 0,
                "legal": 0, "other": 0, "total": 3},
        "carried_in": {"label": "二、上年结转政府信息公开申请数量", "person": 0, "company": 0, "research": 0, "ngo": 0,
                       "legal": 0, "other": 0, "total": 0},
        "public": {"label": "（一）予以公开", "person": 2, "company": 0, "research": 0, "ngo": 0, "legal": 0,
                   "other": 0, "total": 2},
        "total": {"label": "（七）总计", "person": 2, "company": 0, "research": 0, "ngo": 0, "legal": 0, "other": 0,
                  "total": 2},
        "carried_out": {"label": "四、结转下年度继续办理", "person": 0, "company": 0, "research": 0, "ngo": 0,
                        "legal": 0, "other": 0, "total": 0},
    }
    assert push(api, auth, change("a1", "annual_report", "r1", year=2026, ok=True, exported=True, table3=table3,
                                  generated_at="2027-01-20T09:00:00")) == ["accepted"]
    check = next(c for c in county_requests(store) if c.name == "桃园镇")
    assert not check.annual[0].ok
    assert any("person" in p and "3" in p and "2" in p for p in check.annual[0].problems)
    page = api.get(f"/townships/{check.township_id}").text
    assert "核对不通过" in page and "本年新收+上年结转=3" in page
