"""A household's policies for the 明白卡, gathered from published notices; the service-item catalogue."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from zwgk_desktop.core.group_order import group_number
from zwgk_desktop.core.household_policies import (
    gather_policies, household_policies, resolve_village, select_households,
)
from zwgk_desktop.core.models import Disclosure, DisclosureItem, Household, Township, Village
from zwgk_desktop.core.service_items import (
    COUNTY_SETTING, hide_service_item, load_service_items, reset_service_item, save_service_item,
)
from zwgk_desktop.core.users import set_setting
from zwgk_desktop.errors import InvalidInput

YEAR = 2031  # no demo notice falls in this year, so only the notices added here count


def _household(session, village_name="青山村", group="三组", name="测试户", account="6217000011112222333"):
    village = session.execute(select(Village).where(Village.name == village_name)).scalar_one()
    household = Household(
        village_id=village.id, group_name=group, head_name=name, id_number="341122195001011234",
        member_count=3, phone="13912345678", bank_account=account, helper_name="帮扶人", helper_phone="13800001111",
    )
    session.add(household)
    session.flush()
    return household, village


def _notice(session, household, village, category, status, month, amount, year=YEAR, extra=None, replaces=None, version=1):
    township = session.execute(select(Township)).scalars().first()
    notice = Disclosure(
        township_id=township.id, category=category, title=f"{category}{month}", status=status, year=year,
        period_start=date(year, month, 5), replaces_id=replaces, version=version,
    )
    session.add(notice)
    session.flush()
    session.add(DisclosureItem(
        disclosure_id=notice.id, seq=1, household_id=household.id, name=household.head_name, village_id=village.id,
        village_name=village.name, group_name=household.group_name, people=household.member_count,
        amount_fen=amount, extra=extra or {},
    ))
    session.flush()
    return notice


def test_dibao_amount_runs_from_approval_to_stop_at_the_latest_amount(demo_db):
    """低保 on the card: from the month approved (新增) to the 停保 month, each month at the latest published
    amount, counting only 公示中/期满/已归档 notices of the year; shown as 月保障金, never as a 标准."""
    with demo_db.session() as s:
        h, v = _household(s)
        _notice(s, h, v, "dibao", "archived", 3, 50_000, extra={"level": "A类", "change_type": "新增"})
        _notice(s, h, v, "dibao", "expired", 4, 50_000, extra={"change_type": "续保"})
        _notice(s, h, v, "dibao", "publishing", 5, 60_000, extra={"change_type": "调整"})
        _notice(s, h, v, "dibao", "draft", 6, 90_000)
        _notice(s, h, v, "dibao", "withdrawn", 7, 90_000)
        _notice(s, h, v, "dibao", "approved", 8, 90_000)
        _notice(s, h, v, "dibao", "archived", 10, 50_000, extra={"change_type": "停保"})
        card = household_policies(s, h.id, YEAR)
    [line] = card.lines
    assert line.category == "dibao"
    assert line.months == (3, 4, 5, 6, 7, 8, 9)  # 停保 in October: not paid from then on
    assert line.amount_fen == 2 * 50_000 + 5 * 60_000
    assert line.months_text == "3—9月（共7个月）"
    assert line.standard_label == "月保障金" and "500.00—600.00元/月" in line.standard
    assert line.responsible.startswith("青山镇民政办")  # the township's own office, not "乡镇民政办"


def test_a_household_on_dibao_all_year_gets_twelve_months(demo_db):
    """Listed once (续保 in November) or carried over from last year's published list: January to December."""
    with demo_db.session() as s:
        h, v = _household(s)
        _notice(s, h, v, "dibao", "publishing", 11, 68_000, extra={"change_type": "续保"})
        carried, cv = _household(s, name="去年户")
        _notice(s, carried, cv, "dibao", "archived", 6, 40_000, year=YEAR - 1, extra={"change_type": "新增"})
        _notice(s, carried, cv, "dibao", "archived", 5, 45_000, extra={"change_type": "调整"})
        listed, last_year = household_policies(s, h.id, YEAR), household_policies(s, carried.id, YEAR)
    assert listed.lines[0].months == tuple(range(1, 13)) and listed.lines[0].amount_fen == 12 * 68_000
    assert listed.lines[0].months_text == "1—12月（共12个月）"
    assert last_year.lines[0].months == tuple(range(1, 13))
    assert last_year.lines[0].amount_fen == 4 * 40_000 + 8 * 45_000


def test_a_stopped_household_gets_no_card_line_for_the_stop(demo_db):
    """停保 never gives a line: stopped in January after last year's list, the card says nothing of 低保."""
    with demo_db.session() as s:
        h, v = _household(s)
        _notice(s, h, v, "dibao", "archived", 1, 50_000, extra={"change_type": "停保"})
        card = household_policies(s, h.id, YEAR)
    assert card.lines == []


def test_a_published_correction_replaces_the_notice_it_corrects(demo_db):
    """When a corrected notice is published, the card uses the correction's amount, not both."""
    with demo_db.session() as s:
        h, v = _household(s)
        old = _notice(s, h, v, "dibao", "archived", 9, 50_000, extra={"change_type": "新增"})
        _notice(s, h, v, "dibao", "publishing", 9, 70_000, replaces=old.id, version=2, extra={"change_type": "新增"})
        card = household_policies(s, h.id, YEAR)
    assert [(line.months, line.amount_fen) for line in card.lines] == [((9, 10, 11, 12), 4 * 70_000)]


def test_one_off_payments_each_get_a_line_with_their_month(demo_db):
    """临时救助, 危房改造 and 惠民资金 are one line per payment; a notice under review is left out."""
    with demo_db.session() as s:
        h, v = _household(s)
        _notice(s, h, v, "linshi", "expired", 6, 300_000,
                extra={"aid_type": "急难型", "reason": "患白血病住院", "approved_on": f"{YEAR}-05-28"})
        _notice(s, h, v, "linshi", "pending_review", 7, 100_000, extra={"aid_type": "支出型"})
        _notice(s, h, v, "fupin_fund", "archived", 4, 67_200,
                extra={"subsidy_name": "耕地地力保护补贴", "standard": "112元/亩", "paid_on": f"{YEAR}-04-20"})
        _notice(s, h, v, "weifang", "publishing", 8, 2_000_000, extra={"danger_level": "D级", "method": "拆除重建"})
        card = household_policies(s, h.id, YEAR)
    by_category = {line.category: line for line in card.lines}
    assert set(by_category) == {"linshi", "fupin_fund", "weifang"}
    assert by_category["linshi"].months == (5,)
    assert "白血病" not in by_category["linshi"].standard  # a diagnosis never reaches the card
    assert by_category["fupin_fund"].item == "耕地地力保护补贴"
    assert by_category["weifang"].amount_fen == 2_000_000
    assert card.total_fen == 300_000 + 67_200 + 2_000_000


def test_card_data_is_masked_for_a_semi_public_card(demo_db):
    """The card DTO carries the bank account's last 4 digits only, and no ID number or household phone."""
    with demo_db.session() as s:
        h, _ = _household(s)
        card = household_policies(s, h.id, YEAR)
    dumped = str(card.as_json())
    assert card.bank_account_masked == "**** 2333" and "6217000011112222333" not in dumped
    assert "341122195001011234" not in dumped and "13912345678" not in dumped
    assert card.helper_phone == "13800001111"  # the 帮扶责任人's work phone is printed on purpose


def test_households_are_ordered_by_group_number_then_name(demo_db):
    """A village batch runs 一组, 二组 … 十组 in order, names sorted within a group."""
    with demo_db.session() as s:
        for group, name in (("十组", "甲"), ("二组", "乙"), ("二组", "丙"), ("一组", "丁")):
            _household(s, village_name="新河社区", group=group, name=name)
        rows = select_households(s, "新河社区")
    groups = [group_number(h.group_name) for h in rows]
    assert groups == sorted(groups)
    second = [h.head_name for h in rows if h.group_name == "二组"]
    assert second == sorted(second)


def test_unknown_village_suggests_the_closest_name(demo_db):
    """A mistyped village name is refused with a Chinese message naming the closest village."""
    with demo_db.session() as s:
        assert resolve_village(s, "桃园").name == "桃园村"
        with pytest.raises(InvalidInput) as caught:
            resolve_village(s, "桃花村")
    assert caught.value.code == "unknown_village"
    assert "桃园村" in caught.value.message


def test_batch_covers_every_household_of_the_village(demo_db):
    """A village's batch has one entry per household of that village, in the same order."""
    with demo_db.session() as s:
        village = s.execute(select(Village).where(Village.name == "柳河村")).scalar_one()
        expected = s.execute(select(Household.id).where(Household.village_id == village.id)).scalars().all()
        rows = select_households(s, "柳河村")
        cards = gather_policies(s, rows, date.today().year)
    assert sorted(h.id for h in rows) == sorted(expected)
    assert [c.household_id for c in cards] == [h.id for h in rows]
    assert any(c.lines for c in cards)


def test_service_items_merge_shipped_county_and_local_edits(demo_db):
    """The county's copy overrides the shipped items, the township's edits override both, hidden items vanish."""
    with demo_db.session() as s:
        shipped = load_service_items(s)
        assert len(shipped) >= 8 and {"dibao_apply", "birth_registration"} <= {i.code for i in shipped}
        set_setting(s, COUNTY_SETTING, {"items": [
            {"code": "dibao_apply", "name": "最低生活保障申请", "subject": "县民政局", "time_limit": "县定20个工作日"},
            {"code": "county_new", "name": "县新增事项", "subject": "县政务服务中心"},
        ]})
        save_service_item(s, {"code": "dibao_apply", "name": "低保申请（本镇）", "subject": "青山镇民政办",
                              "procedure": "申请\n调查\n公示"})
        hide_service_item(s, "birth_registration")
        items = {i.code: i for i in load_service_items(s)}
        assert items["dibao_apply"].name == "低保申请（本镇）"
        assert items["dibao_apply"].procedure == ("申请", "调查", "公示")
        assert items["county_new"].source == "county"
        assert "birth_registration" not in items
        reset_service_item(s, "dibao_apply")
        assert {i.code: i for i in load_service_items(s)}["dibao_apply"].time_limit == "县定20个工作日"


def test_service_item_without_a_name_is_refused_in_chinese(demo_db):
    """Saving a service item with no 事项名称 fails with a message saying what is missing."""
    with demo_db.session() as s:
        with pytest.raises(InvalidInput) as caught:
            save_service_item(s, {"code": "x", "name": "", "subject": "乡镇"})
    assert "事项名称" in caught.value.message
