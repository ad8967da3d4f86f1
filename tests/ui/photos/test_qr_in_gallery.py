"""The 照片存档 page with photos of the app's own posters: QR auto-link, "照片中二维码核验" in facts and cards, ⚠ never ✔."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.conftest import run_cli
from tests.services.photos.fixtures import poster_photo
from zwgk_desktop.services.photos.gallery import GalleryScope
from zwgk_desktop.ui.photos.gallery_model import card_tooltip, qr_badge_text

from .conftest import import_and_wait

BOARD = "青山村村务公开栏"
POSTED = date(2026, 11, 30)


@pytest.fixture
def posted_notice(demo_config, tmp_path):
    """An approved demo notice posted on 青山村's board on 30 November and printed by the CLI."""
    data_dir = demo_config.data_dir
    listing = run_cli("disclosure", "list", "--json", data_dir=data_dir)[1]["disclosures"]
    notice = min((n for n in listing if n["status"] == "approved"), key=lambda n: n["items"])
    assert run_cli("notice", "post", notice["id"], "--board", BOARD, "--date", POSTED.isoformat(), "--json",
                   data_dir=data_dir).returncode == 0
    pdf = tmp_path / "poster.pdf"
    assert run_cli("print", "poster", notice["id"], "-o", str(pdf), "--json", data_dir=data_dir).returncode == 0
    postings = run_cli("notice", "postings", notice["id"], "--json", data_dir=data_dir)[1]["postings"]
    return notice["id"], next(p["id"] for p in postings if p["board_name"] == BOARD), pdf


@pytest.fixture
def demo_page(qtbot, demo_config, demo_db, tasks):
    from zwgk_desktop.core.users import Actor
    from zwgk_desktop.ui.photos import PhotosPage

    tasks.bind(database=demo_db, actor=Actor(username="tester", role="admin", display_name="测试管理员"))
    widget = PhotosPage(demo_config, tasks)
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    return widget


def test_a_poster_photo_links_itself_and_a_flagged_one_never_shows_a_tick(qtbot, demo_page, posted_notice, tmp_path):
    """A posting-day photo of the poster is linked by its QR and reads "第1版 ✔"; a copy without EXIF time
    is linked too but flagged: its QR line and the posting's 张贴照 column show ⚠ until a clear photo comes."""
    notice_id, posting_id, pdf = posted_notice
    page = demo_page
    flagged = poster_photo(tmp_path / "wx_0001.jpg", [pdf], None, seed=21)
    outcome = import_and_wait(qtbot, page, [flagged], timeout=60000)
    [card] = outcome.imported
    assert card.posting_id == posting_id and card.role == "start"
    assert "no_exif_time" in card.flags
    assert card.qr_text == "照片中二维码核验：第1版 ⚠"
    page._show_in_inspector(card)
    assert "第1版 ⚠" in page.facts.facts()["qr"] and "⚠" in page.facts.facts()["flags"]
    qtbot.waitUntil(lambda: (item := page.scope_item(GalleryScope("posting", posting_id))) is not None
                    and item.text(1) == "⚠", timeout=20000)

    clear = poster_photo(tmp_path / "IMG_0002.jpg", [pdf], datetime(2026, 11, 30, 9, 40), seed=22)
    outcome = import_and_wait(qtbot, page, [clear], timeout=60000)
    [card] = outcome.imported
    assert (card.posting_id, card.flags, card.qr_text) == (posting_id, (), "照片中二维码核验：第1版 ✔")
    assert qr_badge_text(card) == "二维码 第1版 ✔" and "第1版 ✔" in card_tooltip(card)
    assert "按照片中二维码" in page.results.model.link_text(card)
    assert "自动关联" in page.results.summary.text()
    qtbot.waitUntil(lambda: page.scope_item(GalleryScope("posting", posting_id)).text(1) == "✔", timeout=20000)
    with qtbot.waitSignal(page.gallery_loaded, timeout=20000) as loaded:
        page.show_scope(GalleryScope("posting", posting_id))
    assert loaded.args == [2]
