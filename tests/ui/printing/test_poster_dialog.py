"""The poster print dialog: preview rendered off the UI thread, paper switching, save/print recorded, banners (pytest-qt)."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from sqlalchemy import func, select

from tests.ui.conftest import make_window
from tests.ui.printing.conftest import notice_id
from zwgk_desktop.core.models import DisclosureItem, PrintedVersion
from zwgk_desktop.core.users import Actor
from zwgk_desktop.ui.printing import PosterPrintDialog, install, open_poster_dialog

PRIVATE_USE_CHAR = "\ue000"  # no font may draw it: its glyph depends on the vendor
TIMEOUT = 30000


def page_count(path) -> int:
    document = pdfium.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def wait_for_preview(qtbot, dialog: PosterPrintDialog):
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: dialog.viewer.shown_image() is not None, timeout=TIMEOUT)
    return dialog.preview


def test_preview_shows_page_images(qtbot, demo_config, demo_db, tasks, published_dibao):
    """Opening the dialog renders the notice in the background and shows its first page as a picture."""
    dialog = PosterPrintDialog(demo_db, demo_config, tasks, published_dibao)
    qtbot.addWidget(dialog)
    dialog.show()
    preview = wait_for_preview(qtbot, dialog)
    assert preview.pages > 0
    assert dialog.viewer.page_count == preview.pages
    image = dialog.viewer.shown_image()
    assert image.width() > 100 and image.height() > image.width()  # A4 portrait
    assert dialog.print_button.isEnabled() and dialog.save_button.isEnabled()
    assert not dialog.draft_banner.isVisible()
    if preview.pages > 1:
        with qtbot.waitSignal(dialog.viewer.page_shown, timeout=TIMEOUT) as shown:
            dialog.viewer.next_page()
        assert shown.args == [1]
    dialog.viewer.set_zoom(2.0)
    qtbot.waitUntil(lambda: dialog.viewer.shown_image().width() > image.width(), timeout=TIMEOUT)


def test_switching_to_a3_landscape_rerenders(qtbot, demo_config, demo_db, tasks, published_dibao):
    """Choosing A3 and 横向 renders the poster again on A3 landscape paper."""
    dialog = PosterPrintDialog(demo_db, demo_config, tasks, published_dibao)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_for_preview(qtbot, dialog)
    dialog.a3_radio.setChecked(True)
    dialog.landscape_radio.setChecked(True)
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.preview.paper == "A3" and dialog.preview.landscape,
                    timeout=TIMEOUT)
    qtbot.waitUntil(lambda: dialog.viewer.page_count == dialog.preview.pages, timeout=TIMEOUT)
    size = dialog.viewer.sizes[0]
    assert size.width == pytest.approx(1190.55, abs=1) and size.height == pytest.approx(841.89, abs=1)


def test_save_as_pdf_writes_the_file_and_records_a_printed_version(qtbot, demo_config, demo_db, tasks, published_dibao, tmp_path):
    """另存为 PDF writes the poster, records a PrintedVersion with its hash, and shows the short SHA-256."""
    dialog = PosterPrintDialog(demo_db, demo_config, tasks, published_dibao)
    qtbot.addWidget(dialog)
    wait_for_preview(qtbot, dialog)
    out = tmp_path / "公示.pdf"
    with qtbot.waitSignal(dialog.saved, timeout=TIMEOUT) as saved:
        dialog.save_pdf_to(str(out))
    result = saved.args[0]
    assert out.is_file() and page_count(out) == result.pages == dialog.preview.pages
    with demo_db.session() as session:
        record = session.execute(select(PrintedVersion).where(PrintedVersion.sha256 == result.sha256)).scalar_one()
        assert record.disclosure_id == published_dibao
        assert record.kind == "poster" and record.paper == "A4" and record.printed_by == "tester"
        assert (demo_config.archive_dir / record.stored_path).is_file()
    assert result.sha256[:4].upper() in dialog.result_banner.text()


def test_preview_records_nothing(qtbot, demo_config, demo_db, tasks, published_dibao):
    """A preview alone never adds a PrintedVersion."""
    with demo_db.session() as session:
        before = session.execute(select(func.count(PrintedVersion.id))).scalar()
    dialog = PosterPrintDialog(demo_db, demo_config, tasks, published_dibao)
    qtbot.addWidget(dialog)
    wait_for_preview(qtbot, dialog)
    with demo_db.session() as session:
        assert session.execute(select(func.count(PrintedVersion.id))).scalar() == before


def test_missing_glyph_banner_names_the_person(qtbot, demo_config, demo_db, tasks, published_dibao):
    """A name with a character no font can draw raises a warning that names that person and the character."""
    with demo_db.session() as session:
        template = session.execute(
            select(DisclosureItem).where(DisclosureItem.disclosure_id == published_dibao).order_by(DisclosureItem.seq)
        ).scalars().first()
        last = session.execute(
            select(func.max(DisclosureItem.seq)).where(DisclosureItem.disclosure_id == published_dibao)
        ).scalar()
        session.add(DisclosureItem(
            disclosure_id=published_dibao, seq=last + 1, name=f"张{PRIVATE_USE_CHAR}明", village_id=template.village_id,
            village_name=template.village_name, group_name=template.group_name, people=2, amount_fen=52000,
            extra=dict(template.extra or {}),
        ))
    dialog = PosterPrintDialog(demo_db, demo_config, tasks, published_dibao)
    qtbot.addWidget(dialog)
    dialog.show()
    preview = wait_for_preview(qtbot, dialog)
    assert PRIVATE_USE_CHAR in preview.missing_glyphs
    assert [a.name for a in preview.affected] == [f"张{PRIVATE_USE_CHAR}明"]
    banner = dialog.glyph_banner.text()
    assert dialog.glyph_banner.isVisible()
    assert f"张{PRIVATE_USE_CHAR}明" in banner and "U+E000" in banner and f"第{last + 1}行" in banner


def test_unapproved_notice_shows_the_draft_note(qtbot, demo_config, demo_db, tasks):
    """A draft previews with the watermark and a banner saying it must not be posted."""
    draft = notice_id(demo_db, "dibao", "draft")
    dialog = PosterPrintDialog(demo_db, demo_config, tasks, draft)
    qtbot.addWidget(dialog)
    dialog.show()
    preview = wait_for_preview(qtbot, dialog)
    assert not preview.approved and preview.watermark == "草稿"
    assert dialog.draft_banner.isVisible() and "草稿" in dialog.draft_banner.text()


def test_print_sends_every_page_and_records_it(qtbot, demo_config, demo_db, tasks, tmp_path):
    """打印 records the poster and paints each page on the printer (a PDF printer here)."""
    from PySide6.QtPrintSupport import QPrinter

    project = notice_id(demo_db, "fupin_project", "publishing")
    dialog = PosterPrintDialog(demo_db, demo_config, tasks, project)
    qtbot.addWidget(dialog)
    wait_for_preview(qtbot, dialog)
    printer = dialog.make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    with qtbot.waitSignal(dialog.printed, timeout=60000) as printed:
        dialog.print_to(printer)
    result = printed.args[0]
    assert page_count(out) == result.pages
    with demo_db.session() as session:
        assert session.execute(
            select(func.count(PrintedVersion.id)).where(PrintedVersion.sha256 == result.sha256)
        ).scalar() == 1


def test_install_wires_the_notice_page_print_action(qtbot, demo_config, demo_db, tasks):
    """After install, the 公示管理 page's print action opens the dialog for the selected notice."""
    window = make_window(qtbot, demo_config, demo_db, tasks)
    install(window)
    page = window.disclosures_page
    assert window.page("cards").__class__.__name__ == "CardsPage"
    with qtbot.waitSignal(page.list_loaded, timeout=TIMEOUT):
        page.refresh()
    project = notice_id(demo_db, "fupin_project", "publishing")
    assert page.select_disclosure(project)
    action = getattr(page, "print_action", None)
    if action is None or not hasattr(page, "set_print_handler"):
        from zwgk_desktop.ui.printing import POSTER_ACTION_NAME
        from PySide6.QtGui import QAction

        action = page.findChild(QAction, POSTER_ACTION_NAME)
    qtbot.waitUntil(action.isEnabled, timeout=TIMEOUT)
    action.trigger()
    dialog = window.findChild(PosterPrintDialog)
    assert dialog is not None and dialog.disclosure_id == project
    wait_for_preview(qtbot, dialog)
    dialog.reject()


def test_open_poster_dialog_is_window_modal_and_closes_cleanly(qtbot, demo_config, demo_db, tasks, published_dibao):
    """open_poster_dialog shows the dialog without blocking; closing it mid-render cancels the work."""
    window = make_window(qtbot, demo_config, demo_db, tasks)
    dialog = open_poster_dialog(window, published_dibao)
    assert dialog.isVisible()
    job = dialog.strip.job
    dialog.reject()
    assert job is None or job.cancelled
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=TIMEOUT)


def test_choosing_a_village_previews_and_saves_only_its_part(qtbot, demo_config, demo_db, tasks, published_dibao, tmp_path):
    """范围 lists 全部名单 and every village with lines; picking one previews "…（村名）" and saves that part."""
    dialog = PosterPrintDialog(demo_db, demo_config, tasks, published_dibao)
    qtbot.addWidget(dialog)
    whole = wait_for_preview(qtbot, dialog)
    combo = dialog.scope_combo
    assert combo.isEnabled() and combo.itemData(0) is None and combo.count() >= 3
    village_name = combo.itemText(1).split("（")[0]
    combo.setCurrentIndex(1)
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.preview.title.endswith(f"（{village_name}）"),
                    timeout=TIMEOUT)
    assert dialog.preview.pages <= whole.pages
    out = tmp_path / "village.pdf"
    with qtbot.waitSignal(dialog.saved, timeout=TIMEOUT) as saved:
        dialog.save_pdf_to(str(out))
    assert saved.args[0].village == village_name


def test_a_village_user_gets_only_their_villages_part(qtbot, demo_config, demo_db, tasks, published_dibao):
    """A 村级用户's dialog offers only their village (no 全部名单) and the first preview is already that part."""
    with demo_db.session() as session:
        village_id, name = session.execute(
            select(DisclosureItem.village_id, DisclosureItem.village_name)
            .where(DisclosureItem.disclosure_id == published_dibao, DisclosureItem.village_id.is_not(None)).limit(1)
        ).one()
    cun = Actor(username="cun", role="village", village_ids=(village_id,))
    dialog = PosterPrintDialog(demo_db, demo_config, tasks, published_dibao, actor=cun)
    qtbot.addWidget(dialog)
    preview = wait_for_preview(qtbot, dialog)
    assert preview.title.endswith(f"（{name}）")
    assert [dialog.scope_combo.itemData(i) for i in range(dialog.scope_combo.count())] == [village_id]
    assert not dialog.scope_combo.isEnabled()


def test_every_village_choice_previews_all_parts_in_one_file(qtbot, demo_config, demo_db, tasks, published_dibao):
    """The last 范围 choice, 各村名单, previews every village's part in one file (more pages than one part)."""
    from zwgk_desktop.ui.printing.poster_dialog import EACH_VILLAGE

    dialog = PosterPrintDialog(demo_db, demo_config, tasks, published_dibao)
    qtbot.addWidget(dialog)
    wait_for_preview(qtbot, dialog)
    combo = dialog.scope_combo
    villages = combo.count() - 2
    assert combo.itemData(combo.count() - 1) == EACH_VILLAGE and f"{villages} 个村" in combo.itemText(combo.count() - 1)
    combo.setCurrentIndex(combo.count() - 1)
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.preview.title.endswith("（各村名单）"), timeout=TIMEOUT)
    assert dialog.preview.pages >= villages


def test_a_village_user_can_print_a_text_notice_that_has_no_lines(qtbot, demo_config, demo_db, tasks):
    """A 村务公开 text notice without line items holds nothing of another village: a village user gets 全文."""
    from zwgk_desktop.core.disclosures import create_disclosure
    from zwgk_desktop.core.models import Township, Village

    with demo_db.session() as session:
        township = session.execute(select(Township)).scalars().first()
        village_id = session.execute(select(Village.id)).scalars().first()
        notice = create_disclosure(session, township.id, "generic", "关于村民议事会议结果的公告")
        notice.body = "经村民代表会议讨论，决定修缮村道。"
        notice_id = notice.id
    dialog = PosterPrintDialog(demo_db, demo_config, tasks, notice_id,
                               actor=Actor(username="cun", role="village", village_ids=(village_id,)))
    qtbot.addWidget(dialog)
    preview = wait_for_preview(qtbot, dialog)
    assert preview.pages == 1 and dialog.village_id is None
    assert [dialog.scope_combo.itemText(i) for i in range(dialog.scope_combo.count())] == ["全文"]


def test_an_unposted_notice_prints_the_period_of_the_planned_posting_day(qtbot, demo_config, demo_db, tasks, tmp_path):
    """Before posting, 计划张贴日 is offered (default: the next working day); choosing a day re-renders with its
    公示期 and saving records that day, with the tester as printed_by."""
    from datetime import date

    approved = notice_id(demo_db, "dibao", "approved")
    dialog = PosterPrintDialog(demo_db, demo_config, tasks, approved)
    qtbot.addWidget(dialog)
    wait_for_preview(qtbot, dialog)
    assert dialog.posting_day_edit.isEnabled() and dialog.posting_day is not None and dialog.posting_day > date.today()
    dialog.set_posting_day(date(2026, 12, 4))
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.preview.planned_posted_on == date(2026, 12, 4),
                    timeout=TIMEOUT)
    assert "公示期：2026年12月5日至12月11日（7天）" in dialog.period_label.text()
    with qtbot.waitSignal(dialog.saved, timeout=TIMEOUT) as saved:
        dialog.save_pdf_to(str(tmp_path / "planned.pdf"))
    with demo_db.session() as session:
        record = session.get(PrintedVersion, saved.args[0].printed_version_id)
        assert record.planned_posted_on == date(2026, 12, 4) and record.printed_by == "tester"


def test_a_posted_notice_shows_its_own_period_and_no_day_to_choose(qtbot, demo_config, demo_db, tasks, published_dibao):
    """A notice already on the boards prints its posting's period: the day field is read-only."""
    dialog = PosterPrintDialog(demo_db, demo_config, tasks, published_dibao)
    qtbot.addWidget(dialog)
    preview = wait_for_preview(qtbot, dialog)
    assert not dialog.posting_day_edit.isEnabled() and dialog.posting_day is None
    assert preview.planned_posted_on is None and preview.period_text in dialog.period_label.text()


def test_printing_for_one_board_puts_that_board_in_the_code(qtbot, demo_config, demo_db, tasks, published_dibao):
    """张贴公开栏: choosing a board re-renders with a 核验码 naming that board."""
    dialog = PosterPrintDialog(demo_db, demo_config, tasks, published_dibao)
    qtbot.addWidget(dialog)
    whole = wait_for_preview(qtbot, dialog)
    assert dialog.board_combo.isEnabled() and dialog.board_combo.itemData(0) is None
    board_id = dialog.board_combo.itemData(1)
    dialog.board_combo.setCurrentIndex(1)
    qtbot.waitUntil(lambda: dialog.preview is not None and dialog.preview.codes
                    and dialog.preview.codes[0].board_id == board_id, timeout=TIMEOUT)
    assert dialog.preview.codes[0].code != whole.codes[0].code
