"""Faults that must lose nothing, against the REAL county server in a subprocess on 127.0.0.1.

Server killed mid-push and mid-upload then restarted, 500s, answers lost
after commit, a response that never comes, the client killed mid-sync:
afterwards county and township agree exactly (rows, versions, items, blob
hashes), nothing duplicated, nothing lost.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from tests.county.kit import ROOT, CountyProcess, assert_agree, copy_township, enroll_real, township_template
from zwgk_desktop.county.store import open_store
from zwgk_desktop.services.sync import sync_once
from zwgk_desktop.services.sync.client import SyncUnreachable


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    return township_template(tmp_path_factory.mktemp("township-f") / "data", photo_side=900)


@pytest.fixture
def township(tmp_path, template):
    config, database = copy_township(template, tmp_path / "data")
    yield config, database
    database.dispose()


@pytest.fixture
def county(tmp_path):
    server = CountyProcess(tmp_path / "county")
    server.start()
    yield server
    server.stop()


def agree(database, config, county) -> None:
    store = open_store(county.data_dir)
    try:
        assert_agree(database, config, store)
    finally:
        store.dispose()


def small_batches(monkeypatch):
    from zwgk_desktop.services.sync import blobs, push

    monkeypatch.setattr(push, "BATCH_SIZE", 10)
    monkeypatch.setattr(push.push_pending, "__defaults__", (None, 10))
    monkeypatch.setattr(blobs.upload_missing, "__defaults__", (None, 64 * 1024))


def test_lost_answers_and_500s_are_retried_without_duplicates(township, county, monkeypatch):
    """A 500 before processing and a batch committed whose answer was lost: the next sync completes, nothing doubled."""
    config, database = township
    small_batches(monkeypatch)
    enroll_real(config, county, database=database)
    county.set_faults("changes:after:500:1;changes:before:500:1")
    with pytest.raises(SyncUnreachable):
        sync_once(config, database=database)
    with pytest.raises(SyncUnreachable):
        sync_once(config, database=database)
    report = sync_once(config, database=database)
    assert report.pending == 0 and report.errors == 0 and report.warnings == []
    agree(database, config, county)


def test_server_killed_mid_push_then_restarted(township, county, monkeypatch):
    """The server dies right after committing the second batch; after a restart the sync finishes exactly."""
    config, database = township
    small_batches(monkeypatch)
    enroll_real(config, county, database=database)
    county.set_faults("changes:after:exit:1")
    with pytest.raises(SyncUnreachable):
        sync_once(config, database=database)
    county.wait_exit()
    county.start(faults="")
    report = sync_once(config, database=database)
    assert report.pending == 0 and report.warnings == []
    agree(database, config, county)


def test_server_killed_mid_upload_resumes_the_file(township, county, monkeypatch):
    """The server dies half-way through writing a chunk; after restart the upload resumes and the hashes match."""
    config, database = township
    small_batches(monkeypatch)
    enroll_real(config, county, database=database)
    county.set_faults("blob_put:mid:exit:1")
    with pytest.raises(SyncUnreachable):
        sync_once(config, database=database)
    county.wait_exit()
    partials = list((county.data_dir / "blobs" / "partial").rglob("*.part"))
    assert partials and partials[0].stat().st_size > 0
    county.start(faults="")
    report = sync_once(config, database=database)
    assert report.errors == 0 and report.warnings == []
    agree(database, config, county)
    assert not list((county.data_dir / "blobs" / "partial").rglob("*.part"))


def test_a_response_that_never_comes_times_out_and_loses_nothing(township, county, monkeypatch):
    """The server stalls past the client timeout; the client gives up, and the next sync completes without duplicates."""
    config, database = township
    small_batches(monkeypatch)
    enroll_real(config, county, database=database)
    config.settings.http_timeout_s = 0.5
    county.set_faults("changes:before:sleep2:1")
    with pytest.raises(SyncUnreachable) as info:
        sync_once(config, database=database)
    assert "超时" in info.value.message
    time.sleep(2)  # let the stalled request finish on the server: it commits, its answer is lost
    config.settings.http_timeout_s = 10
    report = sync_once(config, database=database)
    assert report.pending == 0 and report.warnings == []
    agree(database, config, county)


def test_client_killed_mid_sync_then_restarted(township, county):
    """`zwgk sync now` killed while uploading; running it again finishes and everything agrees."""
    config, database = township
    enroll_real(config, county, database=database)
    county.set_faults("blob_put:before:sleep30:1")
    proc = subprocess.Popen([sys.executable, "-m", "zwgk_desktop", "--data-dir", str(config.data_dir), "sync", "now",
                             "--json"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    partial_dir = county.data_dir / "blobs" / "partial"
    while time.monotonic() < deadline and not (county.data_dir / "blobs").exists():
        time.sleep(0.05)
    store = open_store(county.data_dir)
    try:
        from sqlalchemy import func, select

        from zwgk_desktop.county.store import Receipt

        while time.monotonic() < deadline:  # wait until the rows are in and the upload has started (stalled)
            with store.session() as s:
                if s.execute(select(func.count()).select_from(Receipt)).scalar_one() > 0:
                    break
            time.sleep(0.1)
    finally:
        store.dispose()
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    county.set_faults("")
    report = sync_once(config, database=database)
    assert report.pending == 0 and report.errors == 0
    agree(database, config, county)
    assert not list(partial_dir.rglob("*.part"))


def test_the_county_refuses_a_blob_that_does_not_match_its_hash(township, county):
    """A photo modified on disk after archiving is refused by the county and reported; the other files still arrive."""
    from sqlalchemy import select

    from zwgk_desktop.core.models import Photo

    config, database = township
    enroll_real(config, county, database=database)
    with database.session() as s:
        photo = s.execute(select(Photo)).scalars().first()
        path = config.archive_dir / photo.stored_path
    path.write_bytes(path.read_bytes()[:-10] + b"tampered!!")
    report = sync_once(config, database=database)
    assert report.errors == 1 and report.problems[0]["code"] == "hash_mismatch"
    assert report.blobs_uploaded == 2
    assert not (county.data_dir / "blobs" / photo.sha256[:2] / photo.sha256).exists()


def test_a_lost_token_rotation_answer_locks_nobody_out(township, county):
    """The county rotates the token but its answer is lost (500 after commit): the next sync still gets in with the
    old token (honoured for a grace period), gets a fresh one and completes."""
    from zwgk_desktop.services.sync.client import load_token

    config, database = township
    enroll_real(config, county, database=database)
    before = load_token(config)
    county.set_faults("token:after:500:1")
    with pytest.raises(SyncUnreachable):
        sync_once(config, database=database)
    assert load_token(config) == before
    report = sync_once(config, database=database)
    assert report.pending == 0 and load_token(config) != before
    agree(database, config, county)
