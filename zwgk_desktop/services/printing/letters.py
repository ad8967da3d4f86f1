"""依申请公开 letters as PDF: 受理回执, 补正告知书, 延期答复告知书, 第三方意见征询书, and the 答复书 per outcome.

Owns the wording of each letter (`letter_doc`: a request's own page + its letter
register entry + the organ's names → `LetterDoc`, pure) and drawing it
(`render_letter`, pure, no database: run it on a worker thread). Letters use the
poster engine's text machinery — the bundled font fallback chain
(`services.fonts`) and `services.printing.textrun` for measuring, Chinese line
breaking and drawing, so a rare character (生僻字) in a name prints, and a
character no bundled font has becomes a visible boxed "?" reported in
`missing_glyphs` — and the same deterministic, atomically written PDF
(`services.printing.pdfmeta`).

Privacy: a letter to the requester names them (it is their own document) but
prints no ID number, and contact numbers only as `core.privacy` masks them;
the 第三方意见征询书 never names the requester. Layout follows 党政机关公文格式
(GB/T 9704) loosely: A4, 文号 under the title, body indented two characters,
the organ and date at the bottom right.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from zwgk_desktop.core.requests import (
    LAW,
    LETTER_KINDS,
    OUTCOME_BASIS,
    RequestDetail,
    parse_outcome,
)
from zwgk_desktop.errors import InvalidInput

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 28 * MM, 26 * MM, 30 * MM, 28 * MM
TITLE_SIZE, NUMBER_SIZE, BODY_SIZE, SMALL_SIZE = 20, 14, 14, 10.5
LINE = BODY_SIZE * 1.8
INDENT = "\u3000\u3000"

DECISIONS = {
    "public": "您申请获取的政府信息属于公开范围，本机关决定予以公开，现随本答复书向您提供。",
    "refused:secret": "您申请获取的政府信息属于依法确定的国家秘密，本机关决定不予公开。",
    "refused:law": "您申请获取的政府信息属于法律、行政法规禁止公开的政府信息，本机关决定不予公开。",
    "refused:stability": "您申请获取的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定，本机关决定不予公开。",
    "refused:third_party": "您申请获取的政府信息涉及第三方的商业秘密、个人隐私等，公开会对第三方合法权益造成损害，本机关决定不予公开。",
    "refused:internal": "您申请获取的政府信息属于本机关的内部事务信息（人事管理、后勤管理、内部工作流程等），本机关决定不予公开。",
    "refused:process": "您申请获取的政府信息属于本机关在履行行政管理职能过程中形成的过程性信息（讨论记录、过程稿、磋商信函、请示报告等），本机关决定不予公开。",
    "refused:enforcement": "您申请获取的政府信息属于行政执法案卷信息，本机关决定不予公开。",
    "refused:inquiry": "您申请获取的信息属于行政查询事项，有关法律、行政法规对该信息的获取有特别规定，请您依照有关法律、行政法规的规定办理。",
    "unable:not_held": "经检索，本机关没有制作或者获取您申请公开的政府信息，该政府信息不存在。",
    "unable:needs_creation": "本机关没有您所申请的现成信息，需要对现有政府信息进行加工、分析才能形成，本机关不予提供。",
    "unable:unclear": "您补正后的申请内容仍不明确，本机关无法确定您所需要的政府信息，无法向您提供。",
    "not_processed:petition": "您以政府信息公开申请的形式进行信访、投诉、举报等活动，本机关不作为政府信息公开申请处理，您可以通过相应渠道提出。",
    "not_processed:repeat": "本机关已就您提出的政府信息公开申请作出答复，您重复申请公开相同政府信息，本机关不予重复处理。",
    "not_processed:publication": "您申请获取的是政府公报、报刊、书籍等公开出版物，请通过公开发行渠道获取。",
    "not_processed:excessive": "您申请公开政府信息的数量、频次明显超过合理范围，所说明的理由不合理，本机关不予处理。",
    "not_processed:confirm": "您要求本机关确认或者重新出具已获取的信息，不属于政府信息公开申请，本机关不作为政府信息公开申请处理。",
    "other:no_correction": "本机关已告知您补正申请，您无正当理由逾期未补正，视为放弃申请，本机关不再处理该政府信息公开申请。",
    "other:no_fee": "您未在规定期限内按收费通知要求缴纳信息处理费，本机关不再处理该政府信息公开申请。",
}
WITHHELD = {
    "secret": "属于国家秘密", "law": "属于法律、行政法规禁止公开的信息", "stability": "公开后可能危及“三安全一稳定”",
    "third_party": "涉及第三方合法权益", "internal": "属于内部事务信息", "process": "属于过程性信息",
    "enforcement": "属于行政执法案卷信息", "inquiry": "属于行政查询事项",
}


def date_cn(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "——"


@dataclass(frozen=True)
class LetterDoc:
    """Everything one letter prints (no ORM object; safe to render on any thread)."""

    request_id: str
    kind: str
    title: str
    organ: str
    doc_number: str
    issued_on: date
    addressee: str
    paragraphs: tuple[str, ...]
    footer: tuple[str, ...]
    register_number: str

    def as_json(self) -> dict:
        return {"kind": self.kind, "title": self.title, "doc_number": self.doc_number,
                "issued_on": self.issued_on.isoformat(), "addressee": self.addressee,
                "paragraphs": list(self.paragraphs)}


def _quote(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "……"


def reply_paragraphs(detail: RequestDetail, opening: str) -> list[str]:
    """The 答复书's body: what was asked, the procedure, the decision with its legal basis, the remedies."""
    outcome = parse_outcome(detail.row.outcome or "")
    paragraphs = [opening]
    if detail.correction_received_on is not None:
        paragraphs.append(f"本机关于{date_cn(detail.correction_sent_on)}告知您补正申请，"
                          f"于{date_cn(detail.correction_received_on)}收到您的补正。")
    if detail.extension_days:
        paragraphs.append(f"本机关于{date_cn(detail.extension_notified_on)}告知您延长答复期限"
                          f"{detail.extension_days}个工作日。")
    if outcome.kind == "partial":
        withheld = WITHHELD.get(outcome.reason, "")
        decision = ("您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理，本机关向您提供可以公开的部分"
                    + (f"；其中不予公开的部分{withheld}，不予公开。" if withheld else "；不予公开部分的理由见下文说明。"))
    elif outcome.code == "other:other":
        decision = detail.outcome_note
    else:
        decision = DECISIONS[outcome.code]
    basis = outcome.basis
    if outcome.code == "other:no_fee":
        basis = f"{OUTCOME_BASIS['other:no_fee']}及《政府信息公开信息处理费管理办法》"
    paragraphs.append("经审查，现答复如下：" + decision + (f"依据：{LAW}{basis}。" if basis else ""))
    if detail.outcome_note and outcome.code != "other:other":
        paragraphs.append(f"说明：{detail.outcome_note}")
    return paragraphs


def letter_doc(detail: RequestDetail, letter, names: dict, original_due: date | None = None) -> LetterDoc:
    """The words of one letter (`letter`: its register entry with 文号; `names`: `core.requests.organ_names`)."""
    number = detail.row.number
    requester = detail.name or "申请人"
    received = date_cn(detail.row.received)
    asked = f"本机关于{received}收到您提交的政府信息公开申请（登记号：{number}），申请获取：“{_quote(detail.row.content)}”。"
    remedy = (f"如对本答复不服，可以自收到本答复之日起六十日内向{names['review_body']}申请行政复议，"
              f"或者自收到本答复之日起六个月内向{names['court']}提起行政诉讼。")
    contact = [part for part in (f"联系机构：{names['office']}" if names["office"] else "",
                                 f"联系电话：{names['office_phone']}" if names["office_phone"] else "",
                                 f"地址：{names['office_address']}" if names["office_address"] else "") if part]
    addressee = f"{requester}："
    kind = letter.kind
    if kind == "receipt":
        due = original_due or detail.clock.due
        paragraphs = [
            (f"本机关于{received}收到您通过{detail.row.channel_label}提交的政府信息公开申请（登记号：{number}），"
            f"申请获取：“{_quote(detail.row.content)}”。"),
            f"{detail.receipt_rule}。依照{LAW}第三十三条的规定，本机关将自收到申请之日起20个工作日内"
            + (f"（即{date_cn(due)}前）" if due else "") + "作出答复；确需延长答复期限的，将经本机关政府信息公开"
            "工作机构负责人同意后告知您，延长的期限最长不超过20个工作日。",
            "申请内容需要补正的，本机关将自收到申请之日起7个工作日内一次性告知。",
        ]
    elif kind == "correction":
        items = detail.correction_items or "申请公开的政府信息的名称、文号或者其他特征性描述不明确，请予以明确"
        deadline = (f"于{date_cn(detail.correction_deadline)}前" if detail.correction_deadline
                    else "在收到本告知书之日起15个工作日内")
        paragraphs = [
            asked,
            f"经审查，您的申请需要补正以下事项：{items.rstrip('。')}。",
            (f"依照{LAW}第三十条的规定，请您{deadline}向本机关提交补正。答复期限自本机关收到补正的申请之日起计算。"
            "您无正当理由逾期不补正的，视为放弃申请，本机关将不再处理该政府信息公开申请。"),
        ]
    elif kind == "extension":
        paragraphs = [
            asked,
            (f"因{detail.extension_reason.rstrip('。')}，本机关无法在法定期限内作出答复。依照{LAW}第三十三条第二款的规定，"
            f"经本机关政府信息公开工作机构负责人同意，答复期限延长{detail.extension_days}个工作日，"
            f"本机关将于{date_cn(detail.clock.due)}前作出答复。"),
        ]
    elif kind == "consultation":
        consultation = next((c for c in detail.consultations if c.id == letter.ref_id), None)
        party = (consultation.third_party if consultation else "") or "第三方"
        addressee = f"{party}："
        lapse = date_cn(consultation.lapse) if consultation else "——"
        paragraphs = [
            f"本机关于{received}收到一份政府信息公开申请（登记号：{number}），申请公开的政府信息为：“{_quote(detail.row.content)}”。",
            ("经审查，该信息可能涉及您（单位）的商业秘密、个人隐私等合法权益，公开可能对您（单位）的合法权益造成损害。"
            f"依照{LAW}第三十二条的规定，现书面征求您（单位）的意见。"),
            (f"请您（单位）自收到本意见书之日起15个工作日内（即{lapse}前）书面提出是否同意公开的意见；不同意公开的，请说明理由。"
            "逾期未提出意见的，由本机关依照条例的规定决定是否公开。"),
        ]
    elif kind == "reply":
        paragraphs = reply_paragraphs(detail, asked) + [remedy]
    else:  # pragma: no cover - core.requests.letter_event refuses unknown kinds first
        raise InvalidInput(f"未知文书类型 {kind}")
    return LetterDoc(
        request_id=detail.id, kind=kind, title=LETTER_KINDS[kind], organ=names["organ"] or names["township"],
        doc_number=letter.doc_number, issued_on=letter.issued_on, addressee=addressee, paragraphs=tuple(paragraphs),
        footer=tuple(contact), register_number=number,
    )


@dataclass(frozen=True)
class RenderResult:
    path: Path
    pages: int
    sha256: str
    missing_glyphs: tuple[str, ...]


def render_letter(doc: LetterDoc, out_path: str | Path, fonts_dir=None) -> RenderResult:
    """Draw `doc` as an A4 PDF at `out_path` (temp file + rename; same input → same bytes)."""
    from zwgk_desktop.services.fonts import get_chain
    from zwgk_desktop.services.printing.pdfmeta import (
        atomic_output,
        deterministic_canvas,
    )
    from zwgk_desktop.services.printing.textrun import PageText, TextKit

    out = Path(out_path).expanduser()
    if out.suffix.lower() != ".pdf":
        raise InvalidInput(f"输出文件“{out.name}”应以 .pdf 结尾。", code="bad_path")
    kit = TextKit(get_chain(fonts_dir))
    width = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT
    missing: dict[str, None] = {}
    pages = 0
    with atomic_output(out) as tmp:
        canvas = deterministic_canvas(str(tmp), (PAGE_W, PAGE_H), initial_font=kit.primary, title=doc.title,
                                      subject=doc.doc_number, author=doc.organ)
        text = PageText(canvas, kit)
        y = PAGE_H - MARGIN_TOP

        def new_page() -> float:
            nonlocal text, pages
            text.flush()
            missing.update(text.missing)
            pages += 1
            canvas.showPage()
            text = PageText(canvas, kit)
            return PAGE_H - MARGIN_TOP

        def lines(content: str, size: float, leading: float, align: str = "left") -> None:
            nonlocal y
            for line in kit.wrap(content, size, width):
                if y - leading < MARGIN_BOTTOM:
                    y = new_page()
                y -= leading
                text.show(MARGIN_LEFT, y, line, size, align=align, width=width)

        lines(doc.organ, TITLE_SIZE, TITLE_SIZE * 1.5, "center")
        lines(doc.title, TITLE_SIZE, TITLE_SIZE * 1.6, "center")
        y -= NUMBER_SIZE * 0.4
        lines(doc.doc_number, NUMBER_SIZE, NUMBER_SIZE * 1.8, "center")
        canvas.setLineWidth(0.8)
        canvas.line(MARGIN_LEFT, y - 8, PAGE_W - MARGIN_RIGHT, y - 8)
        y -= 14
        lines(doc.addressee, BODY_SIZE, LINE)
        for paragraph in doc.paragraphs:
            lines(INDENT + paragraph, BODY_SIZE, LINE)
        y -= LINE * 1.5
        if y - 2 * LINE < MARGIN_BOTTOM:
            y = new_page()
        lines(doc.organ, BODY_SIZE, LINE, "right")
        lines(date_cn(doc.issued_on), BODY_SIZE, LINE, "right")
        if doc.footer:
            y -= LINE * 0.8
            for item in doc.footer:
                lines(item, SMALL_SIZE, SMALL_SIZE * 1.6)
        text.flush()
        missing.update(text.missing)
        pages += 1
        canvas.save()
        kit.release(canvas._doc)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    return RenderResult(out.resolve(), pages, digest, tuple(missing))
