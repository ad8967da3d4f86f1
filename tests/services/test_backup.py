"""Backups that really restore: snapshot, signed manifest, refusal of damaged/forged/foreign/partial backups and of links,
private files, password-encrypted USB backups, rotation."""

from __future__ import annotations

import errno
import json
import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import run_cli
from tests.services.photos.fixtures import board_image, make_exif, write_jpeg
from zwgk_desktop.config import Config
from zwgk_desktop.core.install_key import load_install_key
from zwgk_desktop.core.models import Disclosure, Household, Photo, Posting, PrintedVersion
from zwgk_desktop.core.schema import open_database
from zwgk_desktop.errors import NotAllowed
from zwgk_desktop.services import backup as backup_mod
from zwgk_desktop.services.backup import (
    BackupError,
    BackupInvalid,
    auto_backup,
    backup_due,
    complete_backups,
    create_backup,
    last_backup,
    restore_backup,
    rotate_backups,
    verify_backup,
)


@pytest.fixture
def archived_demo(demo_config, demo_db, tmp_path):
    """The demo township with two archived photos on a posting and one printed poster."""
    from zwgk_desktop.core.users import SYSTEM_ACTOR
    from zwgk_desktop.ops.printing import PosterRequest, print_poster
    from zwgk_desktop.services.photos import import_photos

    camera = tmp_path / "camera"
    for n in (1, 2):
        write_jpeg(camera / f"IMG_{n}.jpg", board_image((800, 600), seed=n), make_exif())
    with demo_db.session() as s:
        posting = s.execute(select(Posting).limit(1)).scalar()
        notice_id = posting.disclosure_id
        posting_id = posting.id
    report = import_photos(demo_db, demo_config, [camera], posting_id=posting_id, role="start")
    assert len(report.imported) == 2
    print_poster(demo_db, SYSTEM_ACTOR, demo_config, PosterRequest(notice_id), tmp_path / "poster.pdf")
    return demo_config, demo_db


def snapshot_rows(db) -> dict:
    with db.session() as s:
        return {
            "notices": sorted((d.id, d.title, d.status, d.total_amount_fen) for d in s.execute(select(Disclosure)).scalars()),
            "households": sorted((h.id, h.head_name, h.id_number) for h in s.execute(select(Household)).scalars()),
            "photos": sorted((p.sha256, p.stored_path, p.posting_id) for p in s.execute(select(Photo)).scalars()),
            "prints": sorted((p.sha256, p.stored_path) for p in s.execute(select(PrintedVersion)).scalars()),
        }


def archive_bytes(config: Config) -> dict[str, bytes]:
    return {p.relative_to(config.archive_dir).as_posix(): p.read_bytes()
            for p in config.archive_dir.rglob("*") if p.is_file()}


def test_round_trip_restores_everything(archived_demo, tmp_path):
    """Backup → restore into a new data dir gives the same notices, households, photos (rows + files) and prints."""
    config, db = archived_demo
    result = create_backup(config, tmp_path / "usb", database=db)
    assert result.ok and Path(result.path).name.startswith("zwgk-backup-青山镇-")
    assert verify_backup(result.path).ok
    restored = Config.load(tmp_path / "restored")
    restore_backup(result.path, restored)
    new_db = open_database(restored)
    try:
        assert snapshot_rows(new_db) == snapshot_rows(db)
        assert snapshot_rows(new_db)["photos"] and snapshot_rows(new_db)["prints"]
    finally:
        new_db.dispose()
    assert archive_bytes(restored) == archive_bytes(config)
    assert any(k.startswith("prints/") for k in archive_bytes(restored))
    assert last_backup(config)["path"] == result.path


def test_snapshot_is_consistent_while_app_writes(demo_config, demo_db, tmp_path):
    """A backup taken during an open write transaction holds only committed data and is a sound database."""
    session = demo_db.new_session()
    try:
        household = session.execute(select(Household).limit(1)).scalar()
        household.head_name = "未提交的修改"
        session.flush()
        result = create_backup(demo_config, tmp_path / "b")
    finally:
        session.rollback()
        session.close()
    restored = Config.load(tmp_path / "r")
    restore_backup(result.path, restored)
    db = open_database(restored)
    try:
        with db.session() as s:
            names = set(s.execute(select(Household.head_name)).scalars())
        assert "未提交的修改" not in names and names
    finally:
        db.dispose()


def test_flipped_byte_is_reported_and_not_restored(archived_demo, tmp_path):
    """One byte flipped in a photo: verify names that file; restore refuses and creates nothing."""
    config, db = archived_demo
    result = create_backup(config, tmp_path / "b")
    photo = next(Path(result.path, "archive", "photos").rglob("*.jpg"))
    data = bytearray(photo.read_bytes())
    data[len(data) // 2] ^= 0x01
    photo.write_bytes(bytes(data))
    checked = verify_backup(result.path)
    rel = photo.relative_to(result.path).as_posix()
    assert not checked.ok
    assert [(p.code, p.file) for p in checked.problems] == [("modified", rel)]
    target = Config.load(tmp_path / "restored")
    with pytest.raises(BackupInvalid) as caught:
        restore_backup(result.path, target)
    assert rel in caught.value.message
    assert not target.data_dir.exists()
    assert not [p for p in tmp_path.iterdir() if ".restore-" in p.name]


def test_missing_and_extra_files_are_reported(archived_demo, tmp_path):
    """A deleted file is 'missing', a stray file is 'extra'."""
    config, db = archived_demo
    result = create_backup(config, tmp_path / "b")
    pdf = next(Path(result.path, "archive", "prints").glob("*.pdf"))
    pdf.unlink()
    Path(result.path, "notes.txt").write_text("hello", encoding="utf-8")
    codes = {(p.code, p.file) for p in verify_backup(result.path).problems}
    assert ("missing", pdf.relative_to(result.path).as_posix()) in codes
    assert ("extra", "notes.txt") in codes


def test_foreign_and_damaged_manifests_are_refused(tmp_path):
    """A folder that is not a zwgk backup, or whose manifest is damaged, is reported as such and never restored."""
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "manifest.json").write_text(json.dumps({"format": "vorta", "files": []}), encoding="utf-8")
    assert [p.code for p in verify_backup(foreign).problems] == ["foreign"]
    with pytest.raises(BackupInvalid) as caught:
        restore_backup(foreign, Config.load(tmp_path / "t1"))
    assert caught.value.code == "backup_foreign" and "不是本系统" in caught.value.message
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "manifest.json").write_text('{"format": "zwgk-backup", "files": [', encoding="utf-8")
    assert [p.code for p in verify_backup(damaged).problems] == ["manifest_damaged"]
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "zwgk.sqlite3").write_bytes(b"x")
    assert [p.code for p in verify_backup(bare).problems] == ["manifest_missing"]
    escape = tmp_path / "escape"
    escape.mkdir()
    (escape / "manifest.json").write_text(json.dumps({"format": "zwgk-backup", "format_version": 1, "database": "zwgk.sqlite3",
        "files": [{"path": "../../etc/passwd", "size": 1, "sha256": "0" * 64}]}), encoding="utf-8")
    assert [p.code for p in verify_backup(escape).problems] == ["manifest_damaged"]
    assert not (tmp_path / "t1").exists()


def test_partial_backup_is_refused(demo_config, demo_db, tmp_path):
    """A '.partial' folder (interrupted backup) never verifies, even with a correct manifest inside."""
    result = create_backup(demo_config, tmp_path / "b")
    partial = Path(result.path + ".partial")
    os.rename(result.path, partial)
    checked = verify_backup(partial)
    assert not checked.ok and checked.problems[0].code == "incomplete"


def test_disk_full_midway_leaves_nothing_complete(archived_demo, tmp_path, monkeypatch):
    """ENOSPC on the second file: a Chinese 'disk full' error and no backup folder left in the destination."""
    config, db = archived_demo
    real_copy = backup_mod._copy_file
    calls = []

    def filling_disk(src, dst, **kwargs):
        calls.append(src)
        if len(calls) == 2:
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_bytes(b"half")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_copy(src, dst, **kwargs)

    monkeypatch.setattr(backup_mod, "_copy_file", filling_disk)
    dest = tmp_path / "usb"
    with pytest.raises(BackupError) as caught:
        create_backup(config, dest, database=db)
    assert "磁盘空间不足" in caught.value.message
    assert list(dest.iterdir()) == []
    assert last_backup(config) is None


def test_destination_removed_midway(archived_demo, tmp_path, monkeypatch):
    """The USB disk vanishing mid-backup gives a clear error and nothing that looks like a backup."""
    config, db = archived_demo
    real_copy = backup_mod._copy_file
    dest = tmp_path / "usb"

    def unplugged(src, dst, **kwargs):
        shutil.rmtree(dest)
        return real_copy(src, dst, **kwargs)

    monkeypatch.setattr(backup_mod, "_copy_file", unplugged)
    with pytest.raises(BackupError) as caught:
        create_backup(config, dest)
    assert "不可用" in caught.value.message
    assert not complete_backups(dest)


def test_restore_into_non_empty_dir_is_refused(demo_config, demo_db, tmp_path):
    """Restore never touches a data dir that already holds something."""
    result = create_backup(demo_config, tmp_path / "b")
    target = Config.load(tmp_path / "existing")
    target.data_dir.mkdir()
    (target.data_dir / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(NotAllowed) as caught:
        restore_backup(result.path, target)
    assert caught.value.code == "target_not_empty"
    assert [p.name for p in target.data_dir.iterdir()] == ["keep.txt"]


def test_daily_backup_due_and_rotation(demo_config, demo_db, tmp_path):
    """A backup is due with none on record, not after one today, again after a day; rotation keeps the newest N."""
    demo_config.settings.backup_dir = str(tmp_path / "auto")
    demo_config.settings.backup_keep = 2
    assert backup_due(demo_config)
    first = auto_backup(demo_config, demo_db)
    assert first is not None and not backup_due(demo_config)
    assert auto_backup(demo_config, demo_db) is None
    assert backup_due(demo_config, now=datetime.now(timezone.utc) + timedelta(hours=25))
    made = [first.path]
    for _ in range(3):
        made.append(auto_backup(demo_config, demo_db, force=True).path)
    kept = [str(p) for p in complete_backups(tmp_path / "auto")]
    assert kept == made[-2:]
    stale = tmp_path / "auto" / "zwgk-backup-x-20200101T000000Z.partial"
    stale.mkdir()
    os.utime(stale, (0, 0))
    assert stale in rotate_backups(tmp_path / "auto", 2)
    assert not stale.exists()


def test_cli_backup_create_verify_restore(demo_config, demo_db, tmp_path):
    """`backup create/verify/restore --json` report path, ok, files, problems; a damaged backup exits 1."""
    demo_db.dispose()
    code, created, _ = run_cli("backup", "create", str(tmp_path / "b"), "--json", data_dir=demo_config.data_dir)
    assert code == 0 and created["ok"] and created["files"] >= 1 and created["problems"] == []
    code, verified, _ = run_cli("backup", "verify", created["path"], "--json")
    assert code == 0 and verified["ok"]
    code, restored, _ = run_cli("backup", "restore", created["path"], "--json", data_dir=tmp_path / "new")
    assert code == 0 and restored["ok"] and (tmp_path / "new" / "zwgk.sqlite3").exists()
    db_file = Path(created["path"], "zwgk.sqlite3")
    data = bytearray(db_file.read_bytes())
    data[200] ^= 0xFF
    db_file.write_bytes(bytes(data))
    code, verified, err = run_cli("backup", "verify", created["path"], "--json")
    assert code == 1 and not verified["ok"]
    assert verified["problems"][0]["file"] == "zwgk.sqlite3" and verified["error"]["code"] == "backup_modified"
    code, payload, _ = run_cli("backup", "restore", created["path"], "--json", data_dir=tmp_path / "new2")
    assert code == 1 and payload["error"]["code"] == "backup_invalid"
    assert not (tmp_path / "new2").exists()


# --- permissions, links, signatures, encryption (issue 18 item 11) -------------------------------


def modes(root: Path) -> set[str]:
    return {oct(p.stat().st_mode & 0o777) for p in [root, *root.rglob("*")]}


def test_backup_files_are_private(archived_demo, tmp_path):
    """Every file of a backup is 600 and every folder 700 (an encrypted backup file too): it holds personal data."""
    config, db = archived_demo
    plain = create_backup(config, tmp_path / "b", database=db)
    assert modes(Path(plain.path)) == {"0o700", "0o600"}
    sealed = create_backup(config, tmp_path / "usb", database=db, password="正确的马电池订书钉")
    assert oct(Path(sealed.path).stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_link_inside_a_backup_is_refused_on_restore(archived_demo, tmp_path, what):
    """A photo (or the photo folder) replaced by a link to identical bytes elsewhere: verify reports `symlink`,
    exit 1; restore refuses and creates nothing."""
    config, db = archived_demo
    result = create_backup(config, tmp_path / "b", database=db)
    photos = Path(result.path, "archive", "photos")
    photo = next(photos.rglob("*.jpg"))
    outside = tmp_path / "outside"
    if what == "file":
        outside.mkdir()
        shutil.copy2(photo, outside / photo.name)
        photo.unlink()
        photo.symlink_to(outside / photo.name)
        linked = photo
    else:
        shutil.copytree(photos, outside)
        shutil.rmtree(photos)
        photos.symlink_to(outside, target_is_directory=True)
        linked = photos
    checked = verify_backup(result.path, key=db.install_key)
    rel = linked.relative_to(result.path).as_posix()
    assert not checked.ok and ("symlink", rel) in {(p.code, p.file) for p in checked.problems}
    target = Config.load(tmp_path / "restored")
    with pytest.raises(BackupInvalid) as caught:
        restore_backup(result.path, target)
    assert "链接" in caught.value.message and not target.data_dir.exists()
    code, payload, _ = run_cli("backup", "verify", result.path, "--json", data_dir=config.data_dir)
    assert code == 1 and payload["error"]["code"] == "backup_symlink"


def forge(backup: Path) -> None:
    """What a forger does: change the database inside the backup and recompute the manifest's hash list."""
    import sqlite3

    conn = sqlite3.connect(backup / "zwgk.sqlite3")
    conn.execute("UPDATE disclosure_item SET amount_fen = amount_fen + 100000")
    conn.commit()
    conn.close()
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        data = (backup / entry["path"]).read_bytes()
        entry["size"], entry["sha256"] = len(data), __import__("hashlib").sha256(data).hexdigest()
    (backup / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def test_a_forged_manifest_is_reported_by_the_install_that_made_it(demo_config, demo_db, tmp_path):
    """Data changed and the hash list recomputed: the signature no longer matches (verify exit 1, signature_invalid);
    restore checked with the original data dir refuses; elsewhere verify says it could not check the signature."""
    result = create_backup(demo_config, tmp_path / "b", database=demo_db)
    assert result.signature == "valid" and verify_backup(result.path, key=demo_db.install_key).signature == "valid"
    forge(Path(result.path))
    demo_db.dispose()
    code, payload, _ = run_cli("backup", "verify", result.path, "--json", data_dir=demo_config.data_dir)
    assert code == 1 and payload["signature"] == "invalid"
    assert [p["code"] for p in payload["problems"]] == ["signature_invalid"]
    assert payload["error"]["code"] == "backup_signature_invalid"
    code, payload, _ = run_cli("backup", "restore", result.path, "--verify-with", str(demo_config.data_dir), "--json",
                               data_dir=tmp_path / "restored")
    assert code == 1 and payload["error"]["code"] == "backup_invalid" and not (tmp_path / "restored").exists()
    code, payload, _ = run_cli("backup", "verify", result.path, "--json", data_dir=tmp_path / "elsewhere")
    assert code == 0 and payload["signature"] == "unverifiable" and "无法核对清单签名" in payload["warnings"][0]
    assert not (tmp_path / "elsewhere").exists()


def test_a_manifest_stripped_of_its_signature_is_reported(demo_config, demo_db, tmp_path):
    """Removing the signature (posing as an old unsigned backup) is a problem: exit 1, `unsigned`."""
    result = create_backup(demo_config, tmp_path / "b", database=demo_db)
    path = Path(result.path, "manifest.json")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.pop("signature")
    manifest["format_version"] = 1
    path.write_text(json.dumps(manifest), encoding="utf-8")
    code, payload, _ = run_cli("backup", "verify", result.path, "--json")
    assert code == 1 and payload["signature"] == "unsigned" and payload["error"]["code"] == "backup_unsigned"


def test_restore_checked_with_the_original_keeps_the_audit_chain_verifiable(demo_config, demo_db, tmp_path):
    """`restore --verify-with ORIGINAL` checks the signature and carries the key over: audit verify checks every row."""
    from zwgk_desktop.core import audit

    with demo_db.session(user="clerk") as s:
        audit.record(s, "before_backup", "test", "x", {})  # a row this install signs with its key
    result = create_backup(demo_config, tmp_path / "b", database=demo_db)
    demo_db.dispose()
    code, restored, _ = run_cli("backup", "restore", result.path, "--verify-with", str(demo_config.data_dir), "--json",
                                data_dir=tmp_path / "restored")
    assert code == 0 and restored["signature"] == "valid"
    code, audit, _ = run_cli("audit", "verify", "--json", data_dir=tmp_path / "restored")
    assert code == 0 and audit["ok"] and audit["anchor"] == "ok"
    assert load_install_key(tmp_path / "restored").key_id == load_install_key(demo_config.data_dir).key_id
    assert audit["unverified"] < audit["checked"]  # the rows this install wrote are checked by HMAC, not links only


PASSWORD = "县里的U盘密码-2026"


def test_encrypted_backup_round_trip_with_the_password(archived_demo, tmp_path):
    """`backup create --password-env` writes one sealed file without readable personal data; verify and restore with the
    password give the same rows, archive and install key (the audit chain verifies fully afterwards)."""
    config, db = archived_demo
    with db.session() as s:
        household = s.execute(select(Household).where(Household.id_number != "").limit(1)).scalar()
        id_number = household.id_number
    expected = snapshot_rows(db)
    db.dispose()
    env = {"ZWGK_BACKUP_PW": PASSWORD}
    code, created, err = run_cli("backup", "create", str(tmp_path / "usb"), "--password-env", "ZWGK_BACKUP_PW", "--json",
                                 data_dir=config.data_dir, env=env)
    assert code == 0, err
    sealed = Path(created["path"])
    assert created["encrypted"] and sealed.name.endswith(".zwgkenc") and sealed.is_file()
    blob = sealed.read_bytes()
    assert id_number.encode() not in blob and b"SQLite format 3" not in blob
    code, verified, _ = run_cli("backup", "verify", str(sealed), "--password-env", "ZWGK_BACKUP_PW", "--json", env=env)
    assert code == 0 and verified["ok"] and verified["signature"] == "sealed" and verified["files"] == created["files"]
    code, restored, err = run_cli("backup", "restore", str(sealed), "--password-env", "ZWGK_BACKUP_PW", "--json",
                                  data_dir=tmp_path / "restored", env=env)
    assert code == 0, err
    target = Config.load(tmp_path / "restored")
    new_db = open_database(target)
    try:
        assert snapshot_rows(new_db) == expected
        assert new_db.install_key.key_id == load_install_key(config.data_dir).key_id
    finally:
        new_db.dispose()
    assert archive_bytes(target) == archive_bytes(config)
    code, audit, _ = run_cli("audit", "verify", "--json", data_dir=target.data_dir)
    assert code == 0 and audit["ok"] and audit["anchor"] == "ok"


def test_encrypted_backup_refuses_a_wrong_or_missing_password_and_any_damage(demo_config, demo_db, tmp_path):
    """Wrong password → wrong_password; no password and no terminal → password_required; a flipped byte or a cut file
    → encrypted_damaged; every one exits 1 and restores nothing."""
    result = create_backup(demo_config, tmp_path / "usb", database=demo_db, password=PASSWORD)
    sealed = Path(result.path)
    assert verify_backup(sealed, password=PASSWORD).ok
    wrong = verify_backup(sealed, password="别的密码别的密码")
    assert [p.code for p in wrong.problems] == ["wrong_password"]
    code, payload, _ = run_cli("backup", "verify", str(sealed), "--json")
    assert code == 1 and payload["error"]["code"] == "password_required"
    data = bytearray(sealed.read_bytes())
    flipped, cut = tmp_path / "flipped.zwgkenc", tmp_path / "cut.zwgkenc"
    data[len(data) // 2] ^= 0x40
    flipped.write_bytes(bytes(data))
    cut.write_bytes(sealed.read_bytes()[: len(data) - 5000])
    for damaged in (flipped, cut):
        assert [p.code for p in verify_backup(damaged, password=PASSWORD).problems] == ["encrypted_damaged"]
        code, payload, _ = run_cli("backup", "verify", str(damaged), "--password-env", "PW", "--json",
                                   env={"PW": PASSWORD})
        assert code == 1 and payload["error"]["code"] == "backup_encrypted_damaged"
        with pytest.raises(BackupInvalid):
            restore_backup(damaged, Config.load(tmp_path / "r"), password=PASSWORD)
        assert not (tmp_path / "r").exists()
    with pytest.raises(BackupInvalid) as caught:
        restore_backup(sealed, Config.load(tmp_path / "r"), password="别的密码别的密码")
    assert caught.value.code == "wrong_password" and not (tmp_path / "r").exists()


def test_a_short_password_is_refused_before_anything_is_written(demo_config, demo_db, tmp_path):
    """A backup password under 8 characters is refused with a Chinese message; no file is left."""
    from zwgk_desktop.errors import InvalidInput

    with pytest.raises(InvalidInput) as caught:
        create_backup(demo_config, tmp_path / "usb", database=demo_db, password="1234")
    assert caught.value.code == "weak_password" and not (tmp_path / "usb").exists()
