"""Files the county confirmed are remembered: a sync with nothing new asks it about no file, a new photo is
asked about alone, and the weekly full check asks about everything again (a county that lost a file gets it)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from tests.county.kit import add_photo, copy_township, enroll_inprocess, test_http, township_template
from zwgk_desktop.core.models import Posting, SyncedBlob
from zwgk_desktop.county.store import Blob, open_store
from zwgk_desktop.services.sync import sync_once
from zwgk_desktop.services.sync.receipts import FULL_CHECK_KEY, utcnow
from zwgk_desktop.services.sync.state import set_setting


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return township_template(tmp_path_factory.mktemp("receipts") / "data")


@pytest.fixture
def synced(tmp_path, template):
    """A township (two photos, one printed PDF) enrolled and synced once with a county in this process; the
    list of hashes each `/blobs/missing` question named is recorded."""
    config, database = copy_township(template, tmp_path / "data")
    store = open_store(tmp_path / "county")
    asked: list[list[str]] = []

    def record(request) -> None:
        if request.url.path.endswith("/blobs/missing"):
            asked.append(json.loads(request.content)["hashes"])

    with test_http(store) as http:
        http.event_hooks["request"].append(record)
        enroll_inprocess(config, store, http, database=database)
        first = sync_once(config, database=database, http=http)
        yield config, database, store, http, asked, first
    database.dispose()
    store.dispose()


def test_a_sync_with_nothing_new_asks_about_no_file(synced):
    """After the first sync (three files uploaded and confirmed), the next sync puts no question about files."""
    config, database, _store, http, asked, first = synced
    assert first.blobs_uploaded == 3 and sum(len(a) for a in asked) == 3
    with database.session() as session:
        assert len(session.execute(select(SyncedBlob.sha256)).all()) == 3
    asked.clear()
    again = sync_once(config, database=database, http=http)
    assert again.blobs_uploaded == 0 and again.errors == 0
    assert asked == []


def test_a_new_photo_is_asked_about_alone_and_uploaded(synced):
    """A photo added after the last sync is the only file the next sync asks about; it is uploaded."""
    config, database, _store, http, asked, _first = synced
    with database.session(user="clerk") as session:
        posting = session.execute(select(Posting)).scalars().first()
        photo = add_photo(session, config, posting, seed=991)
        new_hash = photo.sha256
    asked.clear()
    report = sync_once(config, database=database, http=http)
    assert asked == [[new_hash]] and report.blobs_uploaded == 1


def test_the_weekly_full_check_gives_the_county_back_a_lost_file(synced):
    """A county restored without one of our files: a week after the last full check every file is asked about
    again and the lost one is uploaded again."""
    config, database, store, http, asked, _first = synced
    with store.session() as session:
        lost = session.execute(select(Blob.sha256)).scalars().first()
        session.execute(delete(Blob).where(Blob.sha256 == lost))
    store.blob_path(lost).unlink()
    asked.clear()
    assert sync_once(config, database=database, http=http).blobs_uploaded == 0  # receipts trusted within the week
    with database.session() as session:
        set_setting(session, FULL_CHECK_KEY, (utcnow() - timedelta(days=8)).isoformat())
    report = sync_once(config, database=database, http=http)
    with database.session() as session:
        confirmed = sorted(session.execute(select(SyncedBlob.sha256)).scalars())
    assert sorted(h for batch in asked for h in batch) == confirmed and lost in confirmed  # every file, once
    assert report.blobs_uploaded == 1 and store.blob_path(lost).is_file()


def test_a_refused_file_is_asked_about_again_while_later_ones_are_not(synced):
    """A photo whose archived file was changed is refused (hash_mismatch) and stays unconfirmed: every later
    sync asks about it again, while a photo confirmed after it is not asked about twice."""
    config, database, _store, http, asked, _first = synced
    with database.session(user="clerk") as session:
        posting = session.execute(select(Posting)).scalars().first()
        bad = add_photo(session, config, posting, seed=992)
        good = add_photo(session, config, posting, seed=993)
        bad_hash, good_hash, bad_path = bad.sha256, good.sha256, config.archive_dir / bad.stored_path
    bad_path.write_bytes(bad_path.read_bytes() + b"changed")
    asked.clear()
    first = sync_once(config, database=database, http=http)
    assert sorted(asked[0]) == sorted([bad_hash, good_hash]) and first.blobs_uploaded == 1
    assert [p["code"] for p in first.problems if p.get("sha256") == bad_hash] == ["hash_mismatch"]
    asked.clear()
    sync_once(config, database=database, http=http)
    assert asked == [[bad_hash]]


def test_a_mark_from_another_schema_revision_is_not_trusted(synced):
    """A confirmed-rows mark written before a migration (which may renumber rows) is ignored: a new photo is
    still asked about."""
    from zwgk_desktop.services.sync.receipts import CONFIRMED_UPTO_KEY

    config, database, _store, http, asked, _first = synced
    with database.session(user="clerk") as session:
        set_setting(session, CONFIRMED_UPTO_KEY, {"photo": 10**9, "printed_version": 10**9, "revision": "0001"})
        posting = session.execute(select(Posting)).scalars().first()
        new_hash = add_photo(session, config, posting, seed=994).sha256
    asked.clear()
    assert sync_once(config, database=database, http=http).blobs_uploaded == 1
    assert asked == [[new_hash]]
