"""Photos of the app's own printed posters: the QR names the notice version, links the photo, and catches stale posters.

Everything goes through whole processes (`run_cli`): notices are posted and
printed by the CLI, the printed PDF's last page (where the QR is) is
rendered and placed in a larger noisy 12-MP frame with rotation,
perspective and blur, EXIF time is written, and `photos import --json` is
checked. Assertions name the notice and version; the board only where the
payload names one (old posters don't, the 核验码 of a village print does).
"""

from __future__ import annotations

import io
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import run_cli

from .fixtures import poster_photo

BOARD = "青山村村务公开栏"
POSTED = date(2026, 11, 30)
CORRECTED = date(2026, 12, 2)


def cli_ok(*args, data_dir):
    result = run_cli(*args, "--json", data_dir=data_dir)
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    return result[1]


def approved_notices(data_dir) -> list[dict]:
    notices = cli_ok("disclosure", "list", data_dir=data_dir)["disclosures"]
    return sorted((n for n in notices if n["status"] == "approved"), key=lambda n: n["items"])


def posting_on(data_dir, notice_id: str, board: str = BOARD) -> dict:
    postings = cli_ok("notice", "postings", notice_id, data_dir=data_dir)["postings"]
    return next(p for p in postings if p["board_name"] == board)


@pytest.fixture(scope="module")
def township(tmp_path_factory, demo_template):
    """A demo township where notices A and B are posted on 青山村's board, notice C was posted and then
    corrected (第2版 posted on the same board on 2 December), and each was printed by the CLI."""
    from zwgk_desktop.config import Config

    root = tmp_path_factory.mktemp("qr-township")
    cfg = Config.load(root / "data")
    cfg.ensure_data_dir()
    shutil.copy2(demo_template, cfg.db_path)
    data_dir = cfg.data_dir
    a, b, c = approved_notices(data_dir)[:3]
    pdfs = {}
    for key, notice in (("a", a), ("b", b), ("c1", c)):
        cli_ok("notice", "post", notice["id"], "--board", BOARD, "--date", POSTED.isoformat(), data_dir=data_dir)
        pdfs[key] = root / f"{key}.pdf"
        cli_ok("print", "poster", notice["id"], "-o", str(pdfs[key]), data_dir=data_dir)
    c2 = cli_ok("notice", "correct", c["id"], "--reason", "经复查，调整一户的补助金额", data_dir=data_dir)
    c2_id = c2.get("id") or c2.get("disclosure_id") or c2.get("new_id")
    assert c2_id, c2
    cli_ok("notice", "submit", c2_id, data_dir=data_dir)
    cli_ok("notice", "approve", c2_id, data_dir=data_dir)
    cli_ok("notice", "post", c2_id, "--board", BOARD, "--date", CORRECTED.isoformat(), data_dir=data_dir)
    pdfs["c2"] = root / "c2.pdf"
    cli_ok("print", "poster", c2_id, "-o", str(pdfs["c2"]), data_dir=data_dir)
    return {"dir": data_dir, "a": a["id"], "b": b["id"], "c1": c["id"], "c2": c2_id, "pdfs": pdfs, "root": root}


@pytest.fixture
def data_dir(township, tmp_path) -> Path:
    """A fresh copy of the prepared township for one test."""
    target = tmp_path / "data"
    shutil.copytree(township["dir"], target)
    return target


def import_one(data_dir, photo: Path) -> dict:
    payload = cli_ok("photos", "import", str(photo), data_dir=data_dir)
    assert payload["rejected"] == [], payload["rejected"]
    [entry] = payload["imported"]
    return entry


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0)


def test_photo_on_the_posting_day_is_linked_as_the_start_photo(township, data_dir, tmp_path):
    """The QR in a posting-day photo names notice A 第1版 (current); the photo links itself as A's start photo."""
    photo = poster_photo(tmp_path / "IMG_start.jpg", [township["pdfs"]["a"]], at(POSTED), seed=1)
    entry = import_one(data_dir, photo)
    [qr] = entry["qr"]
    assert (qr["disclosure_id"], qr["version"], qr["state"]) == (township["a"], 1, "current")
    assert qr["board_id"] is None or qr["board_id"] == posting_on(data_dir, township["a"])["board_id"]
    posting = posting_on(data_dir, township["a"])
    assert entry["linked"] == [{"posting_id": posting["id"], "role": "start"}]
    assert entry["flags"] == []
    assert posting["has_start_photo"] is True and posting["has_end_photo"] is False


def test_photo_on_the_last_day_is_linked_as_the_end_photo(township, data_dir, tmp_path):
    """A photo taken on the posting's last day links itself as the end photo, with no clerk action."""
    posting = posting_on(data_dir, township["a"])
    last_day = date.fromisoformat(posting["planned_end"])
    photo = poster_photo(tmp_path / "IMG_end.jpg", [township["pdfs"]["a"]], at(last_day, 17), seed=2)
    entry = import_one(data_dir, photo)
    assert entry["linked"] == [{"posting_id": posting["id"], "role": "end"}]
    assert posting_on(data_dir, township["a"])["has_end_photo"] is True


def test_one_photo_of_two_notices_is_linked_to_both(township, data_dir, tmp_path):
    """Two posters side by side: both QR codes are read and the photo is the start photo of each posting."""
    photo = poster_photo(tmp_path / "IMG_two.jpg", [township["pdfs"]["a"], township["pdfs"]["b"]], at(POSTED),
                         poster_fraction=0.4, seed=3)
    entry = import_one(data_dir, photo)
    assert {q["disclosure_id"] for q in entry["qr"]} == {township["a"], township["b"]}
    expected = {(posting_on(data_dir, township[k])["id"], "start") for k in ("a", "b")}
    assert {(link["posting_id"], link["role"]) for link in entry["linked"]} == expected
    assert len(entry["linked"]) == 2
    assert all(posting_on(data_dir, township[k])["has_start_photo"] for k in ("a", "b"))


def test_old_version_photographed_after_the_correction_is_wrong_version(township, data_dir, tmp_path):
    """第1版 still on the board after 第2版 went up: flagged `wrong_version`, never linked, and a 今日待办 item."""
    photo = poster_photo(tmp_path / "IMG_stale.jpg", [township["pdfs"]["c1"]], at(CORRECTED + timedelta(days=1)),
                         seed=4)
    entry = import_one(data_dir, photo)
    [qr] = entry["qr"]
    assert (qr["disclosure_id"], qr["version"], qr["state"]) == (township["c1"], 1, "superseded")
    assert "wrong_version" in entry["flags"]
    assert entry["linked"] == [] and entry["posting_id"] is None
    todo = cli_ok("todo", data_dir=data_dir)["items"]
    stale = [item for item in todo if item["kind"] == "stale_poster"]
    assert [item["detail"] for item in stale] == [f"第1版仍张贴在{BOARD}，请撤换"]
    assert stale[0]["disclosure_id"] == township["c2"]

    fixed = poster_photo(tmp_path / "IMG_fixed.jpg", [township["pdfs"]["c2"]], at(CORRECTED + timedelta(days=2)),
                         seed=5)
    entry = import_one(data_dir, fixed)
    assert [(q["version"], q["state"]) for q in entry["qr"]] == [(2, "current")]
    assert not [item for item in cli_ok("todo", data_dir=data_dir)["items"] if item["kind"] == "stale_poster"]


def test_old_version_photographed_before_the_correction_is_evidence_of_its_posting(township, data_dir, tmp_path):
    """第1版 photographed on its own posting day (before the correction) is linked to 第1版's posting."""
    photo = poster_photo(tmp_path / "IMG_v1.jpg", [township["pdfs"]["c1"]], at(POSTED), seed=6)
    entry = import_one(data_dir, photo)
    assert "wrong_version" not in entry["flags"]
    assert entry["linked"] == [{"posting_id": posting_on(data_dir, township["c1"])["id"], "role": "start"}]


def test_another_townships_poster_is_foreign_and_never_linked(township, tmp_path_factory, data_dir, tmp_path):
    """A poster printed by another township's app: `foreign` / `foreign_qr`, not linked."""
    other = tmp_path_factory.mktemp("other-township") / "data"
    cli_ok("demo", "--households", "60", "--seed", "11", data_dir=other)
    notice = approved_notices(other)[0]
    pdf = tmp_path / "other.pdf"
    cli_ok("print", "poster", notice["id"], "-o", str(pdf), data_dir=other)
    photo = poster_photo(tmp_path / "IMG_foreign.jpg", [pdf], at(POSTED), seed=7)
    entry = import_one(data_dir, photo)
    assert [q["state"] for q in entry["qr"]] == ["foreign"]
    assert entry["qr"][0]["disclosure_id"] is None
    assert "foreign_qr" in entry["flags"]
    assert entry["linked"] == []


def test_a_small_poster_is_read_on_the_full_resolution_pass(township, data_dir, tmp_path):
    """A poster a fifth of the frame wide is unreadable in the draft; the full-resolution pass still links it."""
    photo = poster_photo(tmp_path / "IMG_far.jpg", [township["pdfs"]["a"]], at(POSTED), poster_fraction=0.2,
                         blur=0.6, seed=8)
    entry = import_one(data_dir, photo)
    assert [q["disclosure_id"] for q in entry["qr"]] == [township["a"]]
    assert entry["linked"] == [{"posting_id": posting_on(data_dir, township["a"])["id"], "role": "start"}]


def test_photo_without_exif_time_is_linked_but_stays_flagged(township, data_dir, tmp_path):
    """No EXIF time (a WeChat copy): the QR still links it as the start photo, flagged `no_exif_time`."""
    photo = poster_photo(tmp_path / "wx_camera_1.jpg", [township["pdfs"]["b"]], None, seed=9)
    entry = import_one(data_dir, photo)
    assert "no_exif_time" in entry["flags"]
    assert entry["linked"] == [{"posting_id": posting_on(data_dir, township["b"])["id"], "role": "start"}]


def test_qr_that_is_not_ours_is_ignored(data_dir, tmp_path):
    """A QR with someone else's text (a shop's WeChat code) is neither recorded nor flagged."""
    import segno
    from PIL import Image

    from zwgk_desktop.config import Settings
    from zwgk_desktop.services.photos.probe import probe_file

    from .fixtures import make_exif, write_jpeg

    buffer = io.BytesIO()
    segno.make_qr("https://example.com/shop?id=42", error="m").save(buffer, kind="png", scale=12, border=4)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    frame = Image.new("RGB", (2400, 1800), (200, 200, 200))
    frame.paste(code, (900, 600))
    photo = write_jpeg(tmp_path / "IMG_shop.jpg", frame, make_exif(at(POSTED)))
    assert probe_file(photo, Settings()).qr_texts == ["https://example.com/shop?id=42"]  # it is read…
    entry = import_one(data_dir, photo)  # …and ignored
    assert entry["qr"] == [] and entry["linked"] == []
    assert "foreign_qr" not in entry["flags"]
