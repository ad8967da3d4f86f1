"""Batch import: originals archived by hash, rows in one transaction, rejections, duplicates, rollback."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, text

from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.models import Photo
from zwgk_desktop.errors import Cancelled, NotFound
from zwgk_desktop.services.photos import import_photos


def archive_files(config) -> list[Path]:
    root = config.archive_dir / "photos"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def all_photos(database) -> list[Photo]:
    with database.session() as session:
        return list(session.scalars(select(Photo)))


@pytest.fixture
def camera_folder(tmp_path, sample_photos) -> Path:
    """A phone export: good photos, bad files in a subfolder, a sidecar file that isn't a photo."""
    folder = tmp_path / "DCIM"
    (folder / "100").mkdir(parents=True)
    for kind in ("sharp", "rotated", "heic", "png", "tiny"):
        shutil.copy(sample_photos[kind], folder / "100" / sample_photos[kind].name)
    (folder / "bad").mkdir()
    for kind in ("truncated", "empty", "text", "bomb"):
        shutil.copy(sample_photos[kind], folder / "bad" / sample_photos[kind].name)
    (folder / "100" / "IMG_0001.AAE").write_text("<plist/>", encoding="utf-8")
    return folder


def test_folder_import_archives_originals_unchanged(config, database, camera_folder):
    """Every good photo in the folder tree is archived byte for byte under photos/ab/<sha256>.<ext>."""
    report = import_photos(database, config, [camera_folder])
    assert len(report.imported) == 5
    for entry in report.imported:
        source = Path(entry["path"])
        assert source.is_relative_to(camera_folder)
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        assert entry["sha256"] == digest
        stored = next((config.archive_dir / "photos" / digest[:2]).glob(f"{digest}.*"))
        assert stored.read_bytes() == source.read_bytes()
    assert report.skipped == [str(camera_folder / "100" / "IMG_0001.AAE")]
    rows = {row.sha256: row for row in all_photos(database)}
    assert set(rows) == {entry["sha256"] for entry in report.imported}
    heic = next(row for row in rows.values() if row.original_name == "IMG_0010.HEIC")
    assert heic.stored_path.endswith(".heic") and heic.mime == "image/heic"


def test_folder_import_reports_each_bad_file_with_its_code(config, database, camera_folder):
    """Truncated, empty, text-as-jpg and bomb files are listed as rejected with their codes."""
    report = import_photos(database, config, [camera_folder])
    codes = {Path(item["path"]).name: item["code"] for item in report.rejected}
    assert codes == {"IMG_0011.jpg": "corrupt", "IMG_0012.jpg": "not_an_image", "notes.jpg": "not_an_image",
                     "bomb.png": "too_large"}
    assert all(item["message"] for item in report.rejected)


def test_imported_entry_has_oriented_size_time_and_flags(config, database, sample_photos):
    """The report gives the upright size, the EXIF time and the quality flags of each photo."""
    report = import_photos(database, config, [sample_photos["rotated"], sample_photos["tiny"], sample_photos["no_exif"]])
    by_name = {Path(item["path"]).name: item for item in report.imported}
    assert (by_name["IMG_0002.jpg"]["width"], by_name["IMG_0002.jpg"]["height"]) == (1200, 1800)
    assert by_name["IMG_0002.jpg"]["taken_at"] == "2026-03-02T09:30:00+08:00"
    assert by_name["IMG_0005.jpg"]["flags"] == ["low_resolution"]
    assert by_name["IMG_0004.jpg"]["flags"] == ["no_exif_time"]
    assert by_name["IMG_0004.jpg"]["taken_at"] is None


def test_reimport_is_a_duplicate_naming_the_notice_and_board(config, database, sample_photos, posting):
    """Importing the same photo again is refused, saying which notice and board it already proves."""
    import_photos(database, config, [sample_photos["sharp"]], posting_id=posting.posting_id, role="start")
    copy = sample_photos["sharp"].parent / "copy-of-IMG_0001.jpg"
    shutil.copy(sample_photos["sharp"], copy)
    report = import_photos(database, config, [copy])
    assert report.imported == []
    [rejected] = report.rejected
    assert rejected["code"] == "duplicate"
    assert "红旗村2026年第一季度低保对象的公示" in rejected["message"]
    assert "红旗村村务公开栏" in rejected["message"]
    assert "张贴照" in rejected["message"]
    assert len(all_photos(database)) == 1


def test_same_photo_twice_in_one_batch_is_imported_once(config, database, sample_photos, tmp_path):
    """Two identical files in one batch give one archived photo and one `duplicate`."""
    twin = tmp_path / "twin.jpg"
    shutil.copy(sample_photos["sharp"], twin)
    report = import_photos(database, config, [sample_photos["sharp"], twin])
    assert len(report.imported) == 1
    assert [item["code"] for item in report.rejected] == ["duplicate"]
    assert len(archive_files(config)) == 1


def test_import_onto_a_posting_sets_role_and_time_mismatch(config, database, sample_photos, posting):
    """With a posting, photos are linked; one taken 18 days after posting is flagged `time_mismatch`."""
    report = import_photos(database, config, [sample_photos["sharp"], sample_photos["late"], sample_photos["end"]],
                           posting_id=posting.posting_id)
    by_name = {Path(item["path"]).name: item for item in report.imported}
    assert by_name["IMG_0001.jpg"]["role"] == "start" and by_name["IMG_0001.jpg"]["flags"] == []
    assert by_name["IMG_0008.jpg"]["role"] == "end" and by_name["IMG_0008.jpg"]["flags"] == []
    assert "time_mismatch" in by_name["IMG_0007.jpg"]["flags"]
    assert all(item["posting_id"] == posting.posting_id for item in report.imported)


def test_unknown_posting_is_an_error_before_anything_is_written(config, database, sample_photos):
    """A wrong --posting id fails the command and archives nothing."""
    with pytest.raises(NotFound):
        import_photos(database, config, [sample_photos["sharp"]], posting_id="no-such-posting")
    assert archive_files(config) == []


def test_missing_path_is_reported(config, database, tmp_path):
    """A path that doesn't exist is listed as rejected `not_found`."""
    report = import_photos(database, config, [tmp_path / "nowhere"])
    assert [item["code"] for item in report.rejected] == ["not_found"]


def test_cancel_writes_nothing(config, database, camera_folder):
    """Cancelling an import leaves no rows and no archived files."""
    job = Job()
    job.on_progress = lambda done, total, message: job.cancel() if done >= 1 else None
    with pytest.raises(Cancelled):
        import_photos(database, config, [camera_folder], job=job)
    assert all_photos(database) == []
    assert archive_files(config) == []


def test_database_failure_removes_the_new_files(config, database, sample_photos):
    """If the transaction fails, originals written by this batch are removed; earlier ones stay."""
    import_photos(database, config, [sample_photos["sharp"]])
    kept = archive_files(config)
    with database.engine.begin() as conn:
        conn.execute(text("CREATE TRIGGER refuse_photo BEFORE INSERT ON photo BEGIN SELECT RAISE(ABORT, 'disk full'); END"))
    with pytest.raises(Exception, match="disk full"):
        import_photos(database, config, [sample_photos["sharp"], sample_photos["png"], sample_photos["heic"]])
    assert archive_files(config) == kept
    assert len(all_photos(database)) == 1
