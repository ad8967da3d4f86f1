"""依申请公开 letters: each kind with its 文号 and legal basis, rare characters printed, private data kept out."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from zwgk_desktop.core.requests import OUTCOME_BASIS, OUTCOME_CODES, NewRequest
from zwgk_desktop.core.users import SYSTEM_ACTOR
from zwgk_desktop.ops import requests as ops
from zwgk_desktop.services.printing.letters import render_letter

from .conftest import RARE_B, pdffonts, pdftotext

A = SYSTEM_ACTOR
TODAY = date(2026, 12, 1)


def flat(text: str) -> str:
    return "".join(text.split())


def add(database, *, name="张三丰", content="申请公开2026年低保审批材料，联系电话13812345678", requester_type="person",
        received=date(2026, 9, 24)):
    new = NewRequest(received_on=received, channel="mail", requester_type=requester_type, content=content, name=name,
                     phone="13812345678", id_number="340102199001011234")
    return ops.add_request(database, A, new, today=TODAY).number


@pytest.fixture
def township(database):
    """A township in 云溪县 (its 复议机关 and court default from the county's name)."""
    from zwgk_desktop.core.townships import current_township, init_township

    with database.session() as s:
        init_township(s, "青山镇", ["石桥村"])
        current_township(s).county_name = "云溪县"
    return database


@pytest.mark.parametrize("code", OUTCOME_CODES)
def test_every_answer_names_its_outcome_and_legal_basis(township, code):
    """The 答复书 of each outcome states the decision, cites its article(s) and the remedies (复议 60日 / 诉讼 6个月)."""
    number = add(township)
    if code in ("other:no_correction", "unable:unclear"):
        received = date(2026, 10, 9) if code == "unable:unclear" else None
        ops.correct_request(township, A, number, date(2026, 9, 29), received, deadline=date(2026, 10, 20))
    ops.reply_request(township, A, number, date(2026, 10, 28), code, note="申请人撤回申请" if code == "other:other" else "")
    doc = ops.issue_letter(township, A, number, "reply", today=TODAY)
    words = "".join(doc.paragraphs)
    assert doc.title == "政府信息公开申请答复书" and doc.addressee == "张三丰："
    basis = OUTCOME_BASIS[code]
    if basis:
        assert f"《中华人民共和国政府信息公开条例》{basis}" in words
    else:
        assert "申请人撤回申请" in words
    assert "六十日内向云溪县人民政府申请行政复议" in words and "六个月内向云溪县人民法院提起行政诉讼" in words
    assert "13812345678" not in words and "340102199001011234" not in words


def test_each_letter_prints_with_its_title_and_number(township, tmp_path):
    """受理回执, 补正告知书, 延期答复告知书, 意见征询书, 答复书: one PDF each, numbered in issuing order."""
    number = add(township)
    ops.save_request_settings(township, A, {"letter_prefix": "青政信", "office": "青山镇党政办公室",
                                            "office_phone": "0551-6123456"})
    ops.correct_request(township, A, number, date(2026, 9, 29), date(2026, 10, 9), items="请写明村名和年度",
                        deadline=date(2026, 10, 16))
    ops.extend_request(township, A, number, 10, "需要调取村级档案", notified_on=date(2026, 11, 2))
    ops.consult_third_party(township, A, number, date(2026, 10, 20), third_party="青山建材有限公司")
    ops.reply_request(township, A, number, date(2026, 11, 30), "partial:third_party")
    expected = {
        "receipt": ("政府信息公开申请受理回执", "依照条例第三十一条第（二）项"),
        "correction": ("政府信息公开申请补正告知书", "请写明村名和年度"),
        "extension": ("政府信息公开申请延期答复告知书", "答复期限延长10个工作日"),
        "consultation": ("政府信息公开第三方意见征询书", "15个工作日内"),
        "reply": ("政府信息公开申请答复书", "第三十七条、第十五条"),
    }
    for seq, (kind, (title, phrase)) in enumerate(expected.items(), start=1):
        out = tmp_path / f"{kind}.pdf"
        result = ops.print_letter(township, A, number, kind, out, today=TODAY)
        words = flat(pdftotext(out))
        assert result.doc_number == f"青政信〔2026〕{seq}号" and result.pages == 1
        assert title in words and result.doc_number in words and phrase in words
        assert "青山镇人民政府" in words and "联系电话：0551-6123456" in words
        assert "13812345678" not in words and "340102199001011234" not in words
    third = flat(pdftotext(tmp_path / "consultation.pdf"))
    assert third.startswith("青山镇人民政府") and "青山建材有限公司：" in third
    assert "张三丰" not in third  # the third party is never told who asked


def test_rare_characters_print_and_undrawable_ones_are_reported(township, tmp_path):
    """A name with 𠮷 prints in a fallback font; a character no font has becomes a boxed ? listed as missing."""
    number = add(township, name=f"王{RARE_B}")
    result = ops.print_letter(township, A, number, "receipt", tmp_path / "rare.pdf", today=TODAY)
    assert result.missing_glyphs == ()
    assert f"王{RARE_B}：" in pdftotext(tmp_path / "rare.pdf")
    assert any("HanaMin" in font[0] for font in pdffonts(tmp_path / "rare.pdf"))  # a fallback font drew it
    ext_g = "\U0003106c"
    other = add(township, name=f"李{ext_g}")
    missing = ops.print_letter(township, A, other, "receipt", tmp_path / "missing.pdf", today=TODAY)
    assert missing.missing_glyphs == (ext_g,)
    assert "李?" in pdftotext(tmp_path / "missing.pdf")


def test_a_long_request_flows_onto_a_second_page_and_output_is_deterministic(township, tmp_path):
    """A long request text wraps and continues on page 2 with the signature; the same letter gives the same bytes."""
    number = add(township, content="申请公开以下材料：" + "村集体经济项目资金使用明细及验收资料，" * 60)
    doc = ops.issue_letter(township, A, number, "receipt", today=TODAY)
    first = render_letter(doc, tmp_path / "a.pdf")
    second = render_letter(doc, tmp_path / "b.pdf")
    assert first.pages == 2 and first.sha256 == second.sha256
    assert first.sha256 == hashlib.sha256((tmp_path / "a.pdf").read_bytes()).hexdigest()
    page_two = flat(pdftotext(tmp_path / "a.pdf", "-f", "2", "-l", "2"))
    assert "2026年9月24日" in page_two


def test_a_letter_for_an_event_that_did_not_happen_is_refused(township, tmp_path):
    """No 补正 recorded → no 补正告知书; nothing is numbered or written."""
    from zwgk_desktop.errors import NotAllowed

    number = add(township)
    with pytest.raises(NotAllowed):
        ops.print_letter(township, A, number, "correction", tmp_path / "x.pdf", today=TODAY)
    assert not (tmp_path / "x.pdf").exists()
    assert ops.show_request(township, A, number, today=TODAY).letters == ()
