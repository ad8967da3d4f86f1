"""Township sync client against the county app in-process: push, blobs, pull, counts, status."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import run_cli
from tests.county.kit import (
    INPROCESS_URL, ROOT, add_photo, assert_agree, copy_township, enroll_inprocess, test_http, township_template,
)
from zwgk_desktop.core.catalogue import default_catalogue_path
from zwgk_desktop.core.schema import open_database
from zwgk_desktop.core.calendar import calendar_from_session
from zwgk_desktop.core.models import CalendarDay, Disclosure, OutboxEntry, Posting, Setting
from zwgk_desktop.county.admin import publish_standard
from zwgk_desktop.county.service import publish_reference
from zwgk_desktop.county.store import Record, open_store
from zwgk_desktop.services.sync import sync_once, sync_status
from zwgk_desktop.services.sync.blobs import upload_file
from zwgk_desktop.services.sync.push import push_pending
from zwgk_desktop.services.sync.client import client_for, token_path


@pytest.fixture
def county(tmp_path):
    store = open_store(tmp_path / "county")
    yield store
    store.dispose()


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    return township_template(tmp_path_factory.mktemp("township") / "data")


@pytest.fixture
def config(tmp_path, template):
    cfg, database = copy_township(template, tmp_path / "data")
    database.dispose()
    return cfg


@pytest.fixture
def township(config):
    database = open_database(config)
    yield database
    database.dispose()


@pytest.fixture
def http(county):
    with test_http(county) as client:
        yield client


def test_first_sync_sends_everything_and_county_agrees(config, township, county, http):
    """The first sync delivers every row, each notice's items and every photo/PDF; county and township then agree exactly."""
    enroll_inprocess(config, county, http, database=township)
    report = sync_once(config, database=township, http=http)
    assert report.pushed > 0 and report.pending == 0 and report.errors == 0 and report.conflicts == 0
    assert report.blobs_uploaded == 3  # two photos and one printed PDF
    assert report.warnings == []
    assert_agree(township, config, county)


def test_second_sync_with_nothing_new_sends_nothing_quickly(config, township, county, http):
    """A sync with no new changes pushes and uploads nothing and takes well under a second."""
    enroll_inprocess(config, county, http, database=township)
    sync_once(config, database=township, http=http)
    started = time.perf_counter()
    report = sync_once(config, database=township, http=http)
    assert time.perf_counter() - started < 1.0
    assert (report.pushed, report.blobs_uploaded, report.pending) == (0, 0, 0)


def test_edits_travel_with_their_current_row_version(config, township, county, http):
    """Editing a notice after a sync sends its new version; the county keeps the latest state."""
    enroll_inprocess(config, county, http, database=township)
    sync_once(config, database=township, http=http)
    with township.session() as s:
        notice = s.execute(select(Disclosure)).scalars().first()
        notice.title = "更正后的标题"
        notice_id = notice.id
    report = sync_once(config, database=township, http=http)
    assert report.pushed == 1
    with county.session() as s:
        record = s.execute(select(Record).where(Record.entity == "disclosure", Record.entity_id == notice_id)).scalar_one()
    assert record.data["title"] == "更正后的标题" and record.row_version == 2
    assert_agree(township, config, county)


def test_a_rejected_record_is_quarantined_without_blocking_others(config, township, county, http):
    """A record the county refuses is quarantined with the reason; every other record still goes through."""
    enroll_inprocess(config, county, http, database=township)
    with township.session() as s:
        s.add(OutboxEntry(entity="bogus_table", entity_id="x1", payload={}))
    report = sync_once(config, database=township, http=http)
    assert report.errors == 1 and report.pending == 0
    with township.session() as s:
        bad = s.execute(select(OutboxEntry).where(OutboxEntry.entity == "bogus_table")).scalar_one()
        sent = s.execute(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.state == "sent")).scalar_one()
    assert bad.state == "quarantined" and "bogus_table" in bad.error
    assert sent > 10
    assert sync_status(config, database=township)["errors"] == 1


def test_user_accounts_never_leave_the_township(config, township, county, http):
    """Login accounts (password hashes) are marked done locally and never reach the county."""
    from zwgk_desktop.core.models import User

    with township.session() as s:
        s.add(User(username="clerk", password_hash="argon2-secret"))
    enroll_inprocess(config, county, http, database=township)
    sync_once(config, database=township, http=http)
    with county.session() as s:
        assert s.execute(select(func.count()).select_from(Record).where(Record.entity == "app_user")).scalar_one() == 0


def test_upload_resumes_from_the_countys_offset(config, township, county, http):
    """A half-uploaded photo is completed from where the county's copy ends, not sent again from zero."""
    enroll_inprocess(config, county, http, database=township)
    with township.session() as s:
        posting = s.execute(select(Posting)).scalars().first()
        photo = add_photo(s, config, posting, seed=99, side=700)
        sha, path = photo.sha256, config.archive_dir / photo.stored_path
    size = path.stat().st_size
    client = client_for(config, http=http)
    push_pending(township, client)  # the photo's row first: the county takes only files our rows name
    client.put_blob_chunk(sha, 0, size, path.read_bytes()[:65536])
    sent = upload_file(client, sha, path, chunk_size=32768)
    assert sent == size - 65536
    assert (county.blob_path(sha)).read_bytes() == path.read_bytes()


def test_reference_data_is_pulled_by_cursor_and_applied(config, township, county, http):
    """County calendar, standards and announcements land in the township DB; 2027 becomes a known year; a manual day stays."""
    enroll_inprocess(config, county, http, database=township)
    with township.session() as s:
        s.add(CalendarDay(day=date(2027, 10, 8), is_workday=True, name="本地录入", source="manual"))
    publish_reference(county, "calendar", "2027", {
        "year": 2027, "source": "国办发明电", "holidays": {"2027-10-01": "国庆节", "2027-10-08": "国庆节"},
        "workdays": {"2027-09-26": "国庆节调休上班"},
    })
    publish_standard(county, "城乡低保月标准", 2027, 78000)
    publish_reference(county, "announcement", "a1", {"title": "关于做好年度公开工作的通知", "body": "……"})
    report = sync_once(config, database=township, http=http)
    assert report.pulled == 3
    with township.session() as s:
        days = {d.day: (d.is_workday, d.source) for d in s.execute(select(CalendarDay)).scalars()}
        standards = s.get(Setting, "county_standards").value
        cursor = s.get(Setting, "sync_reference_cursor").value
        cal = calendar_from_session(s)
    assert days[date(2027, 10, 1)] == (False, "county")
    assert days[date(2027, 9, 26)] == (True, "county")
    assert days[date(2027, 10, 8)] == (True, "manual")
    assert cal.has_year(2027) and not cal.is_workday(date(2027, 10, 1))
    assert standards["城乡低保月标准:2027"]["amount_fen"] == 78000
    assert cursor == 3
    assert sync_once(config, database=township, http=http).pulled == 0


def test_a_count_difference_after_sync_is_warned(config, township, county, http):
    """If the county holds fewer rows than the township after a clean sync, the report warns."""
    enroll_inprocess(config, county, http, database=township)
    sync_once(config, database=township, http=http)
    with county.session() as s:
        s.execute(Record.__table__.update().where(Record.entity == "posting").values(deleted=True))
    report = sync_once(config, database=township, http=http)
    assert any("不一致" in w and "posting" in w for w in report.warnings)
    assert sync_status(config, database=township)["warnings"] == report.warnings


def test_enrollment_keeps_the_token_private(config, township, county, http):
    """Enrolling stores the token in a file only its owner can read, and the server URL in settings."""
    result = enroll_inprocess(config, county, http, database=township)
    mode = stat.S_IMODE(os.stat(token_path(config)).st_mode)
    assert mode == 0o600
    assert config.settings.county_url == INPROCESS_URL
    status = sync_status(config, database=township)
    assert status["enrolled"] and status["device_id"] == result["device_id"]
    token = token_path(config).read_text()
    with county.session() as s:
        assert token not in str(s.execute(select(Record)).all())


def test_sync_without_enrollment_explains_what_to_do(config, township):
    """Syncing an install that was never enrolled fails with a Chinese hint to run sync enroll."""
    from zwgk_desktop.services.sync.client import SyncError

    with pytest.raises(SyncError) as info:
        sync_once(config, database=township)
    assert info.value.code == "sync_not_enrolled" and "sync enroll" in info.value.message


# --- clock skew ----------------------------------------------------------------------------


def test_a_county_clock_more_than_five_minutes_off_is_warned(config, township, county, monkeypatch):
    """A county clock 10 minutes behind ours gives a Chinese warning in the report and in `sync status`; 2 minutes does not."""
    from starlette.testclient import TestClient

    from zwgk_desktop.county.app import create_app
    from zwgk_desktop.county.faults import CLOCK_OFFSET_ENV

    monkeypatch.setenv(CLOCK_OFFSET_ENV, "-600")
    with TestClient(create_app(county), base_url=INPROCESS_URL) as http:
        enroll_inprocess(config, county, http, database=township)
        report = sync_once(config, database=township, http=http)
        assert 590 < report.clock_skew_s < 610
        assert report.warnings == [next(w for w in report.warnings if "本机时间比县级服务器快约 10 分钟" in w)]
        township.dispose()
        code, status, stderr = run_cli("sync", "status", "--json", data_dir=config.data_dir)
        assert code == 0, stderr
        assert status["warnings"] == report.warnings and 590 < status["clock_skew_s"] < 610
        http.app.state.faults.clock_offset_s = 120
        calm = sync_once(config, database=township, http=http)
    assert calm.warnings == [] and sync_status(config, database=township)["warnings"] == []


def test_sync_status_prints_the_warnings_for_people(config, township, county, http, monkeypatch):
    """`zwgk sync status` without --json shows the last sync's warnings in Chinese."""
    http.app.state.faults.clock_offset_s = 3 * 3600
    enroll_inprocess(config, county, http, database=township)
    sync_once(config, database=township, http=http)
    township.dispose()
    proc = subprocess.run([sys.executable, "-m", "zwgk_desktop", "--data-dir", str(config.data_dir), "sync", "status"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0 and "警告：本机时间比县级服务器慢约 3 小时" in proc.stdout


# --- county catalogue ------------------------------------------------------------------------


def county_catalogue_file(tmp_path, **linshi) -> Path:
    """The shipped catalogue with the county's changes to 临时救助."""
    raw = json.loads(default_catalogue_path().read_text(encoding="utf-8"))
    for item in raw["items"]:
        if item["code"] == "linshi":
            item.update(linshi)
    path = tmp_path / "county-catalogue.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


def period_end(township, category: str, posted_on: date) -> date:
    """The 公示期 end the township computes for a new notice of `category` posted on `posted_on`."""
    from zwgk_desktop.core.postings import posting_period
    from zwgk_desktop.core.townships import current_township

    session = township.new_session()
    try:
        notice = Disclosure(township_id=current_township(session).id, category=category, title="公示", year=2026)
        return posting_period(session, notice, posted_on).end
    finally:
        session.close()


def test_a_county_catalogue_changes_the_townships_posting_period(config, township, county, http, tmp_path):
    """After sync, the county's 10-working-day rule for 临时救助 sets the computed 公示期 and the CatalogItem row."""
    from zwgk_desktop.core.catalogue import county_catalogue_path, get_entry
    from zwgk_desktop.core.models import CatalogItem
    from zwgk_desktop.county.admin import publish_catalogue

    monday = date(2026, 3, 2)
    assert period_end(township, "linshi", monday) == date(2026, 3, 9)  # shipped: 5 working days
    publish_catalogue(county, county_catalogue_file(
        tmp_path, rule={"duration": 10, "unit": "working", "start_day_counts": False, "roll_forward": False},
        name_mask="surname_last"))
    enroll_inprocess(config, county, http, database=township)
    report = sync_once(config, database=township, http=http)
    assert report.pulled == 1 and report.pending == 0 and report.warnings == []
    assert get_entry("linshi").rule.duration == 10 and get_entry("dibao").rule.duration == 7
    assert period_end(township, "linshi", monday) == date(2026, 3, 16)
    with township.session() as s:
        row = s.execute(select(CatalogItem).where(CatalogItem.code == "linshi")).scalar_one()
        assert (row.rule_duration, row.rule_unit, row.name_mask) == (10, "working", "surname_last")
    assert json.loads(county_catalogue_path(config.data_dir).read_text(encoding="utf-8"))["items"]
    with county.session() as s:  # the changed catalogue rows went up to the county in the same sync
        record = s.execute(select(Record).where(Record.entity == "catalog_item", Record.entity_id == row.id)).scalar_one()
    assert record.data["rule_duration"] == 10


def test_a_later_process_uses_the_pulled_catalogue_and_a_bad_one_is_ignored(config, township, county, http, tmp_path):
    """A fresh opener of the data dir gets the county rule; a malformed county catalogue is skipped with a warning."""
    from zwgk_desktop.core import catalogue
    from zwgk_desktop.county.admin import publish_catalogue

    publish_catalogue(county, county_catalogue_file(
        tmp_path, rule={"duration": 10, "unit": "working", "start_day_counts": False, "roll_forward": False}))
    enroll_inprocess(config, county, http, database=township)
    sync_once(config, database=township, http=http)
    catalogue.use_catalogue_override(None)
    assert catalogue.get_entry("linshi").rule.duration == 5
    catalogue.use_data_dir_catalogue(config.data_dir)  # what the app and CLI do when they open a data dir
    assert catalogue.get_entry("linshi").rule.duration == 10
    publish_reference(county, "catalogue", "catalogue", {"items": [{"code": "linshi", "rule": {"unit": "weeks"}}]})
    report = sync_once(config, database=township, http=http)
    assert report.pulled == 1 and any("目录格式有误" in w for w in report.warnings)
    assert catalogue.get_entry("linshi").rule.duration == 10
