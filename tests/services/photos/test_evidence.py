"""The per-notice evidence package: sheet PDF, untouched originals, printed posters, manifest hashes."""

from __future__ import annotations

import hashlib
import json
import subprocess
import zipfile

import pytest
from reportlab.pdfgen import canvas

from zwgk_desktop.core.models import PrintedVersion
from zwgk_desktop.errors import NotFound
from zwgk_desktop.services.photos import build_evidence_package, import_photos


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def printed_poster(config, database, posting):
    """A kept poster PDF in the prints archive with its PrintedVersion row."""
    target = config.prints_dir / "poster-test.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(target))
    pdf.drawString(100, 700, "poster")
    pdf.save()
    with database.session() as session:
        session.add(PrintedVersion(disclosure_id=posting.disclosure_id, kind="poster", sha256=sha(target.read_bytes()),
                                   pages=1, paper="A4", stored_path="prints/poster-test.pdf", printed_by="clerk"))
    return target


def test_zip_package_holds_sheet_originals_poster_and_manifest(config, database, sample_photos, posting,
                                                               printed_poster, tmp_path):
    """The zip has the evidence sheet, the original photos byte for byte, the poster PDF and correct hashes."""
    import_photos(database, config, [sample_photos["sharp"]], posting_id=posting.posting_id, role="start")
    import_photos(database, config, [sample_photos["end"]], posting_id=posting.posting_id, role="end")
    out = tmp_path / "out" / "evidence.zip"
    with database.session() as session:
        result = build_evidence_package(session, config, posting.disclosure_id, out)
    assert (result["photos"], result["prints"], result["problems"]) == (2, 1, [])
    assert result["sha256"] == sha(out.read_bytes())
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        listed = {entry["path"]: entry["sha256"] for entry in manifest["files"]}
        assert set(listed) == names - {"manifest.json"}
        for name, digest in listed.items():
            assert sha(archive.read(name)) == digest
        photo_hashes = {sha(archive.read(n)) for n in names if n.startswith("photos/")}
        assert photo_hashes == {sha(sample_photos["sharp"].read_bytes()), sha(sample_photos["end"].read_bytes())}
        assert [n for n in names if n.startswith("prints/")] and "evidence.pdf" in names
        (tmp_path / "sheet.pdf").write_bytes(archive.read("evidence.pdf"))
    text = subprocess.run(["pdftotext", str(tmp_path / "sheet.pdf"), "-"], capture_output=True, text=True).stdout
    assert "公示留痕证据清单" in text
    assert "红旗村2026年第一季度低保对象的公示" in text
    assert sha(sample_photos["sharp"].read_bytes()) in text.replace("\n", "")
    assert not list(out.parent.glob(".*"))  # no temp leftovers


def test_folder_package_and_missing_original_is_a_listed_problem(config, database, sample_photos, posting, tmp_path):
    """As a folder the same content is written; a deleted original is reported, not silently skipped."""
    report = import_photos(database, config, [sample_photos["sharp"]], posting_id=posting.posting_id)
    digest = report.imported[0]["sha256"]
    next((config.archive_dir / "photos" / digest[:2]).glob(digest + ".*")).unlink()
    out = tmp_path / "pkg"
    with database.session() as session:
        result = build_evidence_package(session, config, posting.disclosure_id, out, as_zip=False)
    assert [problem["code"] for problem in result["problems"]] == ["missing"]
    assert (out / "evidence.pdf").is_file() and (out / "manifest.json").is_file()
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["problems"][0]["sha256"] == digest


def test_unknown_disclosure_is_not_found(config, database, tmp_path):
    """Asking for the package of a notice that doesn't exist is a clear error."""
    with database.session() as session, pytest.raises(NotFound):
        build_evidence_package(session, config, "nope", tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def sheet_text(config, database, disclosure_id, tmp_path) -> str:
    out = tmp_path / "pkg"
    with database.session() as session:
        build_evidence_package(session, config, disclosure_id, out, as_zip=False)
    return subprocess.run(["pdftotext", str(out / "evidence.pdf"), "-"], capture_output=True, text=True).stdout


def test_sheet_prints_the_qr_check_per_photo_and_a_flagged_photo_never_ticks(config, database, sample_photos,
                                                                           posting, tmp_path):
    """Each photo's QR line reads "照片中二维码核验：第2版 ✔"; a flagged photo reads ⚠ with its flag, never ✔."""
    from sqlalchemy import select

    from zwgk_desktop.core.models import Photo

    import_photos(database, config, [sample_photos["sharp"]], posting_id=posting.posting_id, role="start")
    import_photos(database, config, [sample_photos["blurry"]], posting_id=posting.posting_id, role="start")
    record = {"text": "ZWGK:ABCD2345", "code": "ABCD2345", "disclosure_id": posting.disclosure_id, "version": 2,
              "board_id": posting.board_id, "state": "current", "title": "关于红旗村的公示"}
    with database.session() as session:
        for photo in session.scalars(select(Photo)):
            photo.qr = [record]
    text = sheet_text(config, database, posting.disclosure_id, tmp_path)
    assert "照片中二维码核验：第2版 ✔" in text
    assert "照片中二维码核验：第2版 ⚠" in text
    assert "⚠ 画面模糊" in text
    assert "✔有" in text.replace(" ", "")  # the clear photo makes the posting's 张贴照 ✔


def test_sheet_prints_the_recorded_explanations(config, database, posting, tmp_path, monkeypatch):
    """A 情况说明 recorded for missing evidence (core.postings.evidence_exceptions) is printed on the sheet."""
    from datetime import datetime

    from zwgk_desktop.core import postings

    def recorded(session, disclosure_id):
        assert disclosure_id == posting.disclosure_id
        return [{"board_name": "红旗村村务公开栏", "text": "公示期内遇暴雨，期满照未能拍摄，已由村干部现场确认",
                 "recorded_by": "审核员王某", "created_at": datetime(2026, 3, 10, 9, 0)}]

    monkeypatch.setattr(postings, "evidence_exceptions", recorded, raising=False)
    text = sheet_text(config, database, posting.disclosure_id, tmp_path)
    assert "情况说明" in text
    assert "红旗村村务公开栏：公示期内遇暴雨，期满照未能拍摄" in text.replace("\n", "")
    assert "审核员王某" in text
