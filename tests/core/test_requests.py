"""依申请公开 register and clock: statutory deadlines on the 调休 calendar, refusals that change nothing, privacy."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from zwgk_desktop.core.calendar import default_calendar
from zwgk_desktop.core.models import InfoRequest, InfoRequestPrivate, OutboxEntry
from zwgk_desktop.core.requests import (
    OUTCOME_CODES,
    ClockFacts,
    ConsultationFacts,
    NewRequest,
    compute_clock,
    parse_outcome,
)
from zwgk_desktop.core.users import SYSTEM_ACTOR, Actor
from zwgk_desktop.errors import InvalidInput, NotAllowed
from zwgk_desktop.ops import requests as ops

CAL = default_calendar()
MID_AUTUMN = date(2026, 9, 24)  # a Thursday: 中秋 25–27 Sep, 国庆 1–7 Oct, 调休上班 20 Sep and 10 Oct
TODAY = date(2026, 10, 1)


def clock(**facts):
    return compute_clock(ClockFacts(received_on=MID_AUTUMN, **facts), CAL)


# --- the clock (pure) ----------------------------------------------------------------------------


def test_twenty_working_days_across_mid_autumn_and_national_day():
    """Received 2026-09-24: 中秋 and 国庆 are skipped, the 10-10 调休 Saturday counts, the deadline is 2026-10-29."""
    result = clock()
    assert result.due == date(2026, 10, 29)
    assert result.calendar_complete and result.warnings == ()
    assert result.explanation.startswith("自2026-09-24收到起20个工作日，跳过")
    assert "9月25日–9月27日 中秋节" in result.explanation
    assert "10月1日–10月7日 国庆节" in result.explanation
    assert "计入10月10日（周六）国庆节调休上班" in result.explanation
    assert "9月20日" not in result.explanation  # the 9-20 调休 Sunday lies before the request: not counted
    assert result.correction_notice_due == date(2026, 10, 12)  # 7 working days for a 补正 notice


def test_a_correction_stops_the_clock_and_restarts_it_from_the_day_it_arrives():
    """补正 sent: no deadline runs; 补正 received 2026-10-09: 20 working days from then → 2026-11-05."""
    waiting = clock(correction_sent_on=date(2026, 9, 29))
    assert waiting.waiting_correction and waiting.due is None
    assert "等待申请人补正" in waiting.explanation
    restarted = clock(correction_sent_on=date(2026, 9, 29), correction_received_on=date(2026, 10, 9))
    assert restarted.restarted and restarted.start == date(2026, 10, 9)
    assert restarted.due == date(2026, 11, 5)
    assert "自2026-10-09收到补正起20个工作日" in restarted.explanation


def test_one_extension_adds_its_working_days():
    """A 20-working-day extension moves 2026-10-29 to 2026-11-26, explained as 20 + 20."""
    result = clock(extension_days=20)
    assert result.due == date(2026, 11, 26) and result.base_due == date(2026, 10, 29)
    assert "延长20个工作日，共40个工作日" in result.explanation


def test_third_party_consultation_time_is_not_counted():
    """Consulted 10-12, answered 10-16: those 4 working days don't count (→ 11-04); unanswered: its 15 days (→ 11-19)."""
    answered = clock(consultations=(ConsultationFacts(date(2026, 10, 12), date(2026, 10, 16)),))
    assert answered.due == date(2026, 11, 4)
    assert len(answered.paused) == 4
    assert "征求第三方意见10月13日–10月16日共4个工作日不计入" in answered.explanation
    pending = clock(consultations=(ConsultationFacts(date(2026, 10, 12)),))
    assert pending.due == date(2026, 11, 19)
    assert len(pending.paused) == 15 and "第三方尚未回复" in pending.explanation


def test_a_deadline_in_a_year_without_holiday_data_is_flagged():
    """Received 2026-12-04: the count runs into 2027 (no data yet) → computed, explained, calendar_complete=False."""
    result = compute_clock(ClockFacts(received_on=date(2026, 12, 4)), CAL)
    assert result.due == date(2027, 1, 4)
    assert result.explanation.startswith("自2026-12-04收到起20个工作日，跳过")
    assert "元旦" in result.explanation
    assert not result.calendar_complete and result.missing_years == (2027,)
    assert "2027年" in result.warnings[0]


def test_every_outcome_code_of_the_contract_parses_in_the_format_order():
    """The CLI outcome codes map onto the national format's rows, in its order; reasons are required."""
    assert OUTCOME_CODES[:4] == ("public", "partial", "refused:secret", "refused:law")
    assert OUTCOME_CODES[-3:] == ("other:no_correction", "other:no_fee", "other:other")
    assert len(OUTCOME_CODES) == 2 + 8 + 3 + 5 + 3
    for code in OUTCOME_CODES:
        assert parse_outcome(code).code == code
    assert parse_outcome("partial:third_party").code == "partial"  # 部分公开 counts once, whatever its reason
    for bad in ("refused", "unable", "not_processed", "other", "refused:nonsense", "public:secret", "maybe"):
        with pytest.raises(InvalidInput):
            parse_outcome(bad)


# --- the register (ops on a real database) -----------------------------------------------------


def add(database, received=MID_AUTUMN, **kw):
    new = NewRequest(received_on=received, channel=kw.pop("channel", "mail"),
                     requester_type=kw.pop("requester_type", "person"),
                     content=kw.pop("content", "申请公开本村2026年低保名单及审批材料"), **kw)
    return ops.add_request(database, SYSTEM_ACTOR, new, today=TODAY)


def snapshot(database, number: str = "2026-001") -> dict:
    """Every stored column of a request (to prove a refusal changed nothing)."""
    with database.session() as s:
        row = s.execute(select(InfoRequest).where(InfoRequest.seq == int(number[-3:]))).scalar_one()
        return {c.key: getattr(row, c.key) for c in InfoRequest.__table__.columns}


def test_registering_numbers_the_year_and_stores_the_deadline(database):
    """Requests get 2026-001, 2026-002…; the stored due date is the clock's; the 收到 rule is explained."""
    first = add(database, name="张三丰", phone="13812345678")
    second = add(database, received=date(2026, 12, 4), channel="online")
    assert (first.number, second.number) == ("2026-001", "2026-002")
    assert first.due == date(2026, 10, 29) and first.calendar_complete
    assert "签收之日" in first.extra["receipt_rule"]
    assert second.due == date(2027, 1, 4) and not second.calendar_complete
    assert snapshot(database)["due_on"] == date(2026, 10, 29)


@pytest.mark.parametrize("bad, code", [
    ({"channel": "telegram"}, "bad_channel"),
    ({"requester_type": "robot"}, "bad_requester_type"),
    ({"content": "   "}, "missing_required"),
    ({"received": date(2018, 3, 1)}, "bad_date"),
])
def test_bad_registrations_are_refused_and_nothing_is_saved(database, bad, code):
    """An unknown channel or requester type, no content, a date before the 2019 条例 → Chinese refusal, no row."""
    with pytest.raises(InvalidInput) as err:
        add(database, **bad)
    assert err.value.code == code and err.value.message
    with database.session() as s:
        assert s.execute(select(func.count(InfoRequest.id))).scalar() == 0


def test_correction_notice_must_go_out_within_seven_working_days_and_only_once(database):
    """A 补正 notice after 10-12 is refused; a second notice is refused; the arrival restarts the clock."""
    add(database)
    before = snapshot(database)
    with pytest.raises(InvalidInput) as late:
        ops.correct_request(database, SYSTEM_ACTOR, "2026-001", date(2026, 10, 13))
    assert late.value.code == "correction_late" and "2026-10-12" in late.value.message
    assert snapshot(database) == before
    sent = ops.correct_request(database, SYSTEM_ACTOR, "2026-001", date(2026, 9, 29), today=TODAY)
    assert sent.due is None and sent.status == "correcting"
    with pytest.raises(InvalidInput) as twice:
        ops.correct_request(database, SYSTEM_ACTOR, "2026-001", date(2026, 9, 30))
    assert twice.value.code == "correction_twice"
    back = ops.correct_request(database, SYSTEM_ACTOR, "2026-001", date(2026, 9, 29), date(2026, 10, 9), today=TODAY)
    assert back.due == date(2026, 11, 5)


def test_extension_only_once_and_only_before_the_deadline(database):
    """Extending after 10-29 or a second time is refused with nothing changed; 20 days told on 10-20 → 11-26."""
    add(database)
    before = snapshot(database)
    with pytest.raises(InvalidInput) as late:
        ops.extend_request(database, SYSTEM_ACTOR, "2026-001", 20, "需调取档案", notified_on=date(2026, 10, 30))
    assert late.value.code == "extension_late"
    with pytest.raises(InvalidInput) as too_long:
        ops.extend_request(database, SYSTEM_ACTOR, "2026-001", 21, "需调取档案", notified_on=date(2026, 10, 20))
    assert too_long.value.code == "bad_extension"
    assert snapshot(database) == before
    done = ops.extend_request(database, SYSTEM_ACTOR, "2026-001", 20, "需调取档案", approver="李主任",
                              notified_on=date(2026, 10, 20), today=TODAY)
    assert done.due == date(2026, 11, 26)
    after = snapshot(database)
    with pytest.raises(InvalidInput) as twice:
        ops.extend_request(database, SYSTEM_ACTOR, "2026-001", 5, "再延", notified_on=date(2026, 11, 2))
    assert twice.value.code == "extension_twice"
    assert snapshot(database) == after


def test_consultation_pauses_the_stored_deadline(database):
    """Recording a consultation and its answer moves the stored due date by the working days it took."""
    add(database)
    opened = ops.consult_third_party(database, SYSTEM_ACTOR, "2026-001", date(2026, 10, 12), third_party="王五",
                                     today=TODAY)
    assert opened.due == date(2026, 11, 19)
    answered = ops.consult_third_party(database, SYSTEM_ACTOR, "2026-001", date(2026, 10, 12),
                                       replied_on=date(2026, 10, 16), opinion="disagree", today=TODAY)
    assert answered.due == date(2026, 11, 4) and snapshot(database)["due_on"] == date(2026, 11, 4)


def test_reply_refusals_change_nothing_and_a_reply_closes_the_request(database):
    """A reply dated before 收到 or without its reason is refused; a good one closes the request once."""
    add(database)
    before = snapshot(database)
    with pytest.raises(InvalidInput) as early:
        ops.reply_request(database, SYSTEM_ACTOR, "2026-001", date(2026, 9, 20), "public")
    assert early.value.code == "reply_before_received" and "2026-09-24" in early.value.message
    with pytest.raises(InvalidInput) as reasonless:
        ops.reply_request(database, SYSTEM_ACTOR, "2026-001", date(2026, 10, 20), "refused")
    assert reasonless.value.code == "outcome_reason_missing"
    with pytest.raises(InvalidInput):
        ops.reply_request(database, SYSTEM_ACTOR, "2026-001", date(2026, 10, 20), "other:other")  # needs a note
    assert snapshot(database) == before
    done = ops.reply_request(database, SYSTEM_ACTOR, "2026-001", date(2026, 10, 20), "refused:third_party",
                             today=TODAY)
    assert done.status == "replied" and done.extra["on_time"]
    assert "第十五条" in done.extra["basis"]
    with pytest.raises(NotAllowed):
        ops.reply_request(database, SYSTEM_ACTOR, "2026-001", date(2026, 10, 21), "public")


def test_late_reply_is_recorded_and_flagged(database):
    """A reply after the deadline is kept (it happened) and marked 逾期答复 with a warning."""
    add(database)
    late = ops.reply_request(database, SYSTEM_ACTOR, "2026-001", date(2026, 11, 2), "public", today=date(2026, 11, 2))
    assert not late.extra["on_time"] and late.status == "replied_late"
    assert any("逾期" in w for w in late.warnings)


def test_requester_is_masked_everywhere_but_their_own_page(database):
    """The list and the synced row show 张*丰 and masked numbers; only the request's own page has them in clear."""
    add(database, name="张三丰", phone="13812345678", content="请公开低保名单，联系13812345678")
    listed = ops.list_requests(database, SYSTEM_ACTOR, today=TODAY).rows[0]
    assert listed.requester == "张*丰" and "13812345678" not in listed.content
    own = ops.show_request(database, SYSTEM_ACTOR, "2026-001", today=TODAY)
    assert own.name == "张三丰" and own.phone == "13812345678"
    from zwgk_desktop.services.sync.push import build_records

    with database.session() as s:
        entries = list(s.execute(select(OutboxEntry).where(OutboxEntry.state == "pending")).scalars())
        wire = json.dumps(build_records(s, entries), ensure_ascii=False)
        assert not any(e.entity == InfoRequestPrivate.__tablename__ for e in entries)
    assert "info_request" in wire and "张*丰" in wire
    assert "张三丰" not in wire and "13812345678" not in wire


def test_village_users_cannot_see_the_register(database):
    """The register is the township office's: a 村级用户 is refused in Chinese."""
    add(database)
    village = Actor(username="cun", role="village", village_ids=("v1",))
    with pytest.raises(NotAllowed) as err:
        ops.list_requests(database, village, today=TODAY)
    assert "村" in err.value.message


def test_today_list_shows_overdue_in_red_and_due_soon(database):
    """今日待办: an overdue request is urgent, one due within 5 working days is listed, a far one is not."""
    from zwgk_desktop.core.dashboard import todo_items

    add(database)  # due 10-29
    add(database, received=date(2026, 10, 20))  # due 11-17
    add(database, received=date(2026, 11, 2))  # due 11-30
    with database.session() as s:
        items = [i for i in todo_items(s, SYSTEM_ACTOR, today=date(2026, 11, 10)) if i.request_id]
    kinds = {i.title.split()[1][:8]: (i.kind, i.urgent) for i in items}
    assert kinds == {"2026-001": ("request_overdue", True), "2026-002": ("request_due", False)}
    with database.session() as s:
        village = Actor(username="cun", role="village", village_ids=("v1",))
        assert not [i for i in todo_items(s, village, today=date(2026, 11, 10)) if i.request_id]


def test_letters_take_the_next_number_of_their_year_from_the_configured_start(database):
    """文号: prefix and first number set in 设置; a reprint reuses its number; a new year starts again."""
    add(database)
    add(database, received=date(2027, 1, 6))
    ops.save_request_settings(database, SYSTEM_ACTOR, {"letter_prefix": "青政信", "letter_start": {"2026": 15}})
    first = ops.issue_letter(database, SYSTEM_ACTOR, "2026-001", "receipt", today=TODAY)
    again = ops.issue_letter(database, SYSTEM_ACTOR, "2026-001", "receipt", today=TODAY)
    other = ops.issue_letter(database, SYSTEM_ACTOR, "2027-001", "receipt", today=TODAY)
    assert first.doc_number == again.doc_number == "青政信〔2026〕15号"
    assert other.doc_number == "青政信〔2027〕1号"
    with pytest.raises(NotAllowed):
        ops.issue_letter(database, SYSTEM_ACTOR, "2026-001", "reply")  # not answered yet


def test_year_end_carry_over_is_confirmed_per_year(database):
    """An open request confirmed as 结转 for 2026 stays confirmed; a replied one cannot be carried."""
    add(database)
    add(database, received=date(2026, 12, 20))
    ops.reply_request(database, SYSTEM_ACTOR, "2026-001", date(2026, 10, 20), "public")
    with pytest.raises(InvalidInput):
        ops.carry_over(database, SYSTEM_ACTOR, 2026, ["2026-001"])
    result = ops.carry_over(database, SYSTEM_ACTOR, 2026)
    assert result.numbers == ("2026-002",)
    assert snapshot(database, "2026-002")["carried_over_year"] == 2026


def test_a_third_party_answer_needs_its_opinion(database):
    """Recording the third party's reply without saying what it answered is refused; nothing changes."""
    add(database)
    ops.consult_third_party(database, SYSTEM_ACTOR, "2026-001", date(2026, 10, 12), today=TODAY)
    before = snapshot(database)
    with pytest.raises(InvalidInput) as err:
        ops.consult_third_party(database, SYSTEM_ACTOR, "2026-001", date(2026, 10, 12), replied_on=date(2026, 10, 16))
    assert err.value.code == "bad_opinion"
    assert snapshot(database) == before


def test_correcting_the_requester_keeps_the_masked_copy_in_step(database):
    """Changing the name on the request's own page updates the masked name the register and the county see."""
    add(database, name="张三丰")
    ops.update_requester(database, SYSTEM_ACTOR, "2026-001", {"name": "欧阳娜娜", "phone": "13900001111"}, today=TODAY)
    assert ops.list_requests(database, SYSTEM_ACTOR, today=TODAY).rows[0].requester == "欧阳*娜"
    assert ops.show_request(database, SYSTEM_ACTOR, "2026-001", today=TODAY).phone == "13900001111"


def test_the_year_filter_lists_requests_received_answered_or_open_in_that_year(database):
    """2025's list: received or answered in 2025, or still open at its end; not one received in 2026."""
    add(database, received=date(2025, 12, 10))  # 2025-001, answered 2026-01-08
    add(database, received=date(2025, 3, 3))  # 2025-002, answered 2025-03-10
    add(database, received=date(2026, 2, 2))  # 2026-001
    ops.reply_request(database, SYSTEM_ACTOR, "2025-001", date(2026, 1, 8), "public")
    ops.reply_request(database, SYSTEM_ACTOR, "2025-002", date(2025, 3, 10), "public")
    numbers = lambda year: sorted(r.number for r in ops.list_requests(database, SYSTEM_ACTOR, year=year, today=TODAY).rows)
    assert numbers(2025) == ["2025-001", "2025-002"]
    assert numbers(2026) == ["2025-001", "2026-001"]
