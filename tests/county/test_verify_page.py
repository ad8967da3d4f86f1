"""The public verification page `/v/{code}`: a poster's QR opens it in a real browser and it tells the truth."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import select

from tests.county.kit import CountyProcess, enroll_real
from zwgk_desktop.core.lifecycle import correct
from zwgk_desktop.core.models import Disclosure, Objection
from zwgk_desktop.core.periods import poster_period_line
from zwgk_desktop.core.users import SYSTEM_ACTOR, Actor
from zwgk_desktop.ops.printing import PosterRequest, print_poster
from zwgk_desktop.services.sync import sync_once

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="headless chromium is not installed")


def browser_dom(url: str) -> str:
    """The page as headless Chromium rendered it (what a phone's browser shows)."""
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", url],
        capture_output=True, text=True, timeout=90,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def qr_texts(pdf: Path, page: int = -1) -> list[str]:
    """The QR codes on a page of the PDF, read back from its image (as a phone would)."""
    import zxingcpp

    document = pdfium.PdfDocument(str(pdf))
    try:
        image = document[page if page >= 0 else len(document) - 1].render(scale=2).to_pil()
    finally:
        document.close()
    return [b.text for b in zxingcpp.read_barcodes(image)]


@pytest.fixture
def county(tmp_path):
    server = CountyProcess(tmp_path / "county").start()
    yield server
    server.stop()


def test_a_scanned_poster_opens_the_county_page_that_confirms_it(demo_config, demo_db, county, tmp_path):
    """Enrolled: the poster's QR is the county page of its 核验码; after sync the page shows title, township,
    version, the poster's own 公示期 line and "此公示为真实有效版本"; once corrected it says "已被第2版更正"."""
    enroll_real(demo_config, county, database=demo_db)
    with demo_db.session() as s:
        notice = s.execute(select(Disclosure).where(Disclosure.category == "dibao", Disclosure.status == "publishing")
                           ).scalars().first()
        notice_id, title = notice.id, notice.title
    out = tmp_path / "poster.pdf"
    result = print_poster(demo_db, Actor("clerk1", "clerk"), demo_config, PosterRequest(notice_id), out)
    [code] = result.codes
    url = f"{county.url}/v/{code.code}"
    assert result.qr_payloads == [url]
    assert qr_texts(out) == [url]  # the printed QR decodes to the verification page
    sync_once(demo_config, database=demo_db)

    page = browser_dom(url)
    assert title in page and "青山镇" in page and "第1版" in page
    assert poster_period_line(result.period).removeprefix("公示期：") in page
    assert code.as_json()["display"] in page
    assert "此公示为真实有效版本" in page

    with demo_db.session(user="cli") as s:
        for objection in s.execute(select(Objection).where(Objection.disclosure_id == notice_id)).scalars():
            objection.status = "resolved"  # handled: an upheld one leads to the correction below
    with demo_db.session(user="cli") as s:
        correct(s, SYSTEM_ACTOR, notice_id, "经复查，删除一户")
    sync_once(demo_config, database=demo_db)
    page = browser_dom(url)
    assert "已被第2版更正" in page and "此公示为真实有效版本" not in page


def test_an_unknown_code_is_a_clear_chinese_404(county):
    """A code no township reported (or a malformed one) answers 404 with what to do, in Chinese."""
    import httpx

    answer = httpx.get(f"{county.url}/v/ABCD-EFGH")
    assert answer.status_code == 404
    assert "未查到核验码 ABCD-EFGH" in answer.text and "监督举报电话" in answer.text
    assert httpx.get(f"{county.url}/v/<script>").status_code == 404
    page = browser_dom(f"{county.url}/v/ZZZZ0000")
    assert "未查到核验码" in page and "<script>" not in page
