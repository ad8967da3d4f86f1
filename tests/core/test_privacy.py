"""De-identification: one mask per kind of number, audiences, general 事由 and the privacy scan."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from zwgk_desktop.core.catalogue import Column, get_entry
from zwgk_desktop.core.idnumber import make_id_number
from zwgk_desktop.core.privacy import (
    PUBLIC_HIDDEN,
    Audience,
    PrivacyLeak,
    assert_publishable,
    generalize_reason,
    mask_bank_account,
    mask_id_number,
    mask_name,
    mask_phone,
    name_characters,
    present_value,
    public_row,
    redact_numbers,
    scan_blocks,
    scan_text,
)
from zwgk_desktop.errors import InvalidInput, ZwgkError

ID = make_id_number("341122", date(1990, 1, 1), 123)
ID_X = "11010519491231002X"
MOBILE = "13812345678"
CARD = "6222021234567890123"


# --- masks -----------------------------------------------------------------


def test_id_mask_keeps_first_six_and_last_four():
    """An ID on a semi-public output shows first 6 + last 4 with '*' between."""
    assert mask_id_number(ID) == ID[:6] + "********" + ID[-4:]
    assert mask_id_number("11010519491231002x") == "110105********002X"
    assert mask_id_number("１１０１０５１９４９１２３１００２Ｘ") == "110105********002X"


def test_id_mask_hides_short_values_completely():
    """A value too short to mask as 6+4 is hidden entirely rather than shown."""
    assert mask_id_number("1234567890") == "**********"
    assert mask_id_number("") == ""


def test_phone_mask():
    """Mobiles show as 138****5678, also when written with spaces, hyphens or +86."""
    assert mask_phone(MOBILE) == "138****5678"
    assert mask_phone("138 1234 5678") == "138****5678"
    assert mask_phone("+86-138-1234-5678") == "138****5678"
    assert mask_phone("0551-62345678") == "********5678"


def test_bank_account_mask_shows_only_last_four_and_hides_length():
    """Bank accounts show '**** 1234' whatever their length."""
    assert mask_bank_account(CARD) == "**** 0123"
    assert mask_bank_account("6222 0212 3456 7890") == "**** 7890"
    assert mask_bank_account("12") == "****"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张*丰"),
        ("王李小明", "王**明"),
        ("欧阳娜娜", "欧阳*娜"),  # compound surname kept whole
        ("欧阳娜", "欧阳*"),
        ("诸葛亮", "诸葛*"),
        ("司马相如", "司马*如"),
        ("张　三", "张*"),  # roster padding with an ideographic space
        ("㛃", "㛃"),  # one character: nothing to hide
        ("𠮷", "𠮷"),
        ("𠮷野家", "𠮷*家"),  # Extension B surname is one character
        ("李𡒄", "李*"),
        ("李𡒄𠮷", "李*𠮷"),  # rare last character kept exactly
        ("王㛃丽", "王*丽"),
        ("阿依古丽·买买提", "阿***·**提"),
    ],
)
def test_surname_last_masking(name, masked):
    """姓*末字 masking counts characters by code point and keeps rare characters exactly."""
    assert mask_name(name, "surname_last") == masked


def test_full_name_policy_keeps_the_name():
    """The 'full' policy publishes the name unchanged, rare characters included."""
    assert mask_name(" 李𡒄𠮷 ", "full") == "李𡒄𠮷"


def test_name_with_variation_selector_stays_one_character():
    """An ideographic variation sequence counts as one character and is kept intact."""
    ivs_name = "葛\U000E0100二"
    assert name_characters(ivs_name) == ["葛\U000E0100", "二"]
    assert mask_name("张" + "葛\U000E0100" + "丰", "surname_last") == "张*丰"
    assert mask_name("葛\U000E0100二", "surname_last") == "葛\U000E0100*"


def test_unknown_name_policy_is_a_chinese_error():
    """A misconfigured name policy is refused with a Chinese message."""
    with pytest.raises(InvalidInput) as caught:
        mask_name("张三", "initials")
    assert "姓名公开方式" in caught.value.message


# --- audiences -------------------------------------------------------------


def _dibao_values() -> dict:
    return {
        "village": "幸福村3组",
        "group": "3组",
        "name": "欧阳娜娜",
        "id_number": ID,
        "people": 3,
        "level": "A类",
        "amount": 124000,
        "change_type": "新增",
        "remark": f"联系电话{MOBILE}",
        "phone": MOBILE,
        "bank_account": CARD,
        "household_id": "abc",  # not a catalogue column
    }


def test_public_row_drops_private_columns_and_numbers_inside_text():
    """A poster row has no ID, phone, bank or non-public column, and no number hidden in a remark."""
    row = public_row(get_entry("dibao"), _dibao_values(), Audience.PUBLIC)
    assert set(row) == {"village", "name", "people", "level", "amount", "change_type", "remark"}
    assert row["name"] == "欧阳娜娜"  # dibao publishes the full name by default
    assert row["amount"] == 124000
    assert MOBILE not in row["remark"] and PUBLIC_HIDDEN in row["remark"]
    assert "5678" not in str(row)


def test_public_row_applies_the_name_policy():
    """A county choosing 姓*末字 gets masked names on every public row."""
    row = public_row(get_entry("dibao"), _dibao_values(), "public", name_policy="surname_last")
    assert row["name"] == "欧阳*娜"


def test_semi_public_row_masks_numbers_with_the_one_scheme():
    """明白卡/exports keep every column but show IDs, phones and accounts masked."""
    row = public_row(get_entry("dibao"), _dibao_values(), Audience.SEMI_PUBLIC)
    assert row["id_number"] == mask_id_number(ID)
    assert row["phone"] == "138****5678"
    assert row["bank_account"] == "**** 0123"
    assert row["group"] == "3组"
    assert row["remark"] == "联系电话138****5678"
    assert "household_id" not in row


def test_internal_row_is_unchanged():
    """Clerk screens see the full data."""
    values = _dibao_values()
    assert public_row(get_entry("dibao"), values, Audience.INTERNAL) == values


def test_secret_kinds_never_reach_the_public_even_if_marked_public():
    """A catalogue mistake marking an ID column public still shows nothing on a poster."""
    column = Column(key="id_number", label="身份证号码", public=True, kind="id_number")
    assert present_value(column, ID, Audience.PUBLIC) is None


def test_public_row_omits_a_secret_column_even_if_marked_public():
    """A poster row built from a mistaken catalogue still has no ID column at all."""
    entry = get_entry("dibao")
    careless = dataclasses.replace(
        entry, columns=tuple(dataclasses.replace(c, public=True) for c in entry.columns)
    )
    row = public_row(careless, _dibao_values(), Audience.PUBLIC)
    assert not {"id_number", "phone", "bank_account"} & set(row)
    assert row["group"] == "3组"


def test_supervision_hotline_column_is_shown_everywhere():
    """The 监督举报电话 column is public data, shown unmasked on posters."""
    column = get_entry("fupin_project").column("supervise_phone")
    assert present_value(column, "0551-62345678", Audience.PUBLIC) == "0551-62345678"
    assert present_value(column, "0551-62345678", Audience.SEMI_PUBLIC) == "0551-62345678"


def test_project_name_is_not_masked_as_a_person():
    """姓*末字 applies to people, never to a project name."""
    column = get_entry("fupin_project").column("name")
    assert present_value(column, "幸福村道路硬化项目", Audience.PUBLIC, "surname_last") == "幸福村道路硬化项目"


def test_reason_column_is_generalised_for_public_and_kept_internally():
    """临时救助 事由 reads "突发重大疾病" on a poster but the clerk sees the original."""
    column = get_entry("linshi").column("reason")
    assert present_value(column, "患肺癌住院化疗", Audience.PUBLIC) == "突发重大疾病"
    assert present_value(column, "患肺癌住院化疗", Audience.SEMI_PUBLIC) == "突发重大疾病"
    assert present_value(column, "患肺癌住院化疗", Audience.INTERNAL) == "患肺癌住院化疗"


# --- 事由 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "general"),
    [
        ("患肺癌住院化疗", "突发重大疾病"),
        ("急性白血病", "突发重大疾病"),
        ("尿毒症长期透析", "突发重大疾病"),
        ("突发脑梗", "突发重大疾病"),
        ("患糖尿病多年", "因病致困"),
        ("精神分裂症", "因病致困"),
        ("二级肢体残疾", "因病致困"),
        ("HIV感染", "因病致困"),
        ("长期住院医疗费用高", "因病致困"),
        ("房屋失火烧毁", "突发灾害"),
        ("洪涝灾害房屋受损", "突发灾害"),
        ("遭遇车祸", "遭遇意外事件"),
        ("子女考上大学学费困难", "教育支出较大"),
        ("丈夫病故", "家庭遭遇变故"),
        ("突发重大疾病", "突发重大疾病"),
    ],
)
def test_reason_is_generalised_never_a_diagnosis(raw, general):
    """Disease, disability, disaster, accident and school-cost reasons become fixed general phrases."""
    assert generalize_reason(raw) == general
    assert scan_text(generalize_reason(raw)) == []


def test_other_reasons_are_kept_short_without_numbers():
    """An unmapped reason keeps its first short clause with phone/ID/account numbers removed."""
    result = generalize_reason(f"丈夫外出务工失联，联系人电话{MOBILE}，身份证{ID}")
    assert result == "丈夫外出务工失联"
    assert generalize_reason(f"{MOBILE}") == "生活困难"
    assert len(generalize_reason("家中主要劳动力外出务工多年一直没有任何音讯导致生活困难")) <= 16
    assert generalize_reason("") == ""


# --- scan: true positives ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"户主张三，身份证号{ID}。", "id_number"),
        (f"身份证{ID_X}", "id_number"),
        ("身份证 11010519491231002x", "id_number"),
        ("身份证 110105 19491231 002X", "id_number"),
        ("身份证 １１０１０５１９４９１２３１００２Ｘ", "id_number"),
        ("旧证号110105491231002", "id_number"),
        ("身份证3.41122E+17", "id_number"),
        (f"联系电话{MOBILE}", "phone"),
        ("手机 138 1234 5678", "phone"),
        ("手机：138-1234-5678", "phone"),
        ("电话+8613812345678", "phone"),
        (f"卡号{CARD}", "bank_account"),
        ("卡号 6222 0212 3456 7890 123", "bank_account"),
        ("账号6228480012345678", "bank_account"),
        ("家住幸福路12号", "address"),
        ("住3栋201室", "address"),
        ("3栋2单元301", "address"),
        ("幸福村三组15号", "address"),
        ("门牌号：东街8号", "address"),
        ("户主患肺癌", "health"),
        ("二级肢体残疾", "health"),
        ("视力残疾", "health"),
        ("残疾等级三级", "health"),
        ("尿毒症", "health"),
        ("HIV阳性", "health"),
        ("精神分裂症", "health"),
        ("中风偏瘫", "health"),
        ("户主患糖尿病，日常需注射", "health"),
    ],
)
def test_scan_finds_private_data(text, kind):
    """IDs, mobiles, bank accounts, door plates and disease/disability words are found."""
    findings = scan_text(text, "第1页 第1行")
    assert [f.kind for f in findings][:1] == [kind], findings
    assert findings[0].location == "第1页 第1行"
    assert findings[0].message_zh


def test_scan_excerpts_use_the_one_masking_scheme():
    """A finding's excerpt never repeats the full number: IDs 6+4, phones 3+4, accounts last 4."""
    findings = scan_text(f"{ID} {MOBILE} 卡{CARD}")
    assert [f.text_excerpt_masked for f in findings] == [mask_id_number(ID), "138****5678", "**** 0123"]
    assert all(ID not in f.message_zh and MOBILE not in f.message_zh for f in findings)


@pytest.mark.parametrize(
    "text",
    [
        "监督举报电话：0551-62345678",
        "监督电话 0557-1234567",
        "县纪委监督电话(0551) 6234 5678",
        "政务服务便民热线12345",
        "扶贫监督举报电话12317",
        "民政服务热线 400-123-4567",
        "月保障金额1,240.00元",
        "合计12345.00元",
        "资金规模 1,234,567.89 元",
        "公示期2026-11-23至2026-11-30",
        "2026年11月23日 08:30:00",
        "20261123",
        "镇政〔2026〕12号",
        "幸福村3组",
        "新建厂房2栋，面积300平方米",
        "困难残疾人生活补贴、重度残疾人护理补贴",
        "中风险地区",
        "开展适龄妇女两癌筛查",
        "高血压、糖尿病患者健康管理服务",
        "艾滋病防治宣传",
        "实施单位：913411221234567804",  # a valid 统一社会信用代码 (organisation, public)
        "保障人数3人，A类，新增",
    ],
)
def test_scan_does_not_flag_public_numbers(text):
    """Hotlines, 12345, amounts, dates, times, document numbers, policy and public-health names are not leaks."""
    assert scan_text(text) == []


def test_allowed_numbers_let_a_deliberate_hotline_through():
    """A supervision mobile registered in settings is not reported; other mobiles still are."""
    text = f"监督举报电话：{MOBILE}；户主电话13912345678"
    findings = scan_text(text, allowed_numbers=["138-1234-5678"])
    assert [f.text_excerpt_masked for f in findings] == ["139****5678"]


def test_redact_numbers_hides_or_masks_by_audience():
    """Free text keeps its words but loses numbers: hidden for the public, masked semi-publicly."""
    text = f"请联系{MOBILE}，监督电话0551-62345678"
    assert redact_numbers(text, Audience.PUBLIC) == f"请联系{PUBLIC_HIDDEN}，监督电话0551-62345678"
    assert redact_numbers(text, Audience.SEMI_PUBLIC) == "请联系138****5678，监督电话0551-62345678"
    assert redact_numbers(text, Audience.INTERNAL) == text


def test_scan_blocks_keeps_locations_in_order():
    """Each finding names the page/line it came from, in reading order."""
    blocks = [("第1页 第3行", "张三 A类 1,240.00"), ("第2页 第15行", f"李四 {MOBILE}"), ("第2页 第16行", "患白血病")]
    findings = scan_blocks(blocks)
    assert [(f.location, f.kind) for f in findings] == [("第2页 第15行", "phone"), ("第2页 第16行", "health")]


def test_assert_publishable_names_where_the_leaks_are():
    """A leak stops publication with a privacy_leak error naming each location in Chinese."""
    blocks = [
        ("第1页 第2行", "监督举报电话：0551-62345678，12345"),
        ("第2页 第15行", f"王五 身份证{ID}"),
    ]
    with pytest.raises(PrivacyLeak) as caught:
        assert_publishable(blocks)
    error = caught.value
    assert isinstance(error, ZwgkError) and error.code == "privacy_leak"
    assert "第2页 第15行" in error.message and "第1页 第2行" not in error.message
    assert ID not in error.message and mask_id_number(ID) in error.message
    assert error.as_json()["detail"]["findings"][0]["location"] == "第2页 第15行"


def test_clean_notice_is_publishable():
    """A de-identified notice passes the final check without error."""
    row = public_row(get_entry("linshi"), {"name": "张三", "reason": "患尿毒症", "amount": 300000}, "public")
    assert_publishable([("第1页 第1行", " ".join(str(v) for v in row.values())), ("落款", "监督举报电话：0551-62345678")])
