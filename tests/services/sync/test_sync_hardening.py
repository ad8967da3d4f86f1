"""The township side of issue 18: honest sync status (item 10), no plain http to another host (item 7), rotating
tokens, and the county as a witness of the audit chain that even someone with the whole data dir can't fool (item 3)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import run_cli
from tests.core.test_audit import rehash_from
from tests.county.kit import copy_township, enroll_inprocess, test_http, township_template
from zwgk_desktop.core.audit import anchor_path, keyed_digest, write_anchor
from zwgk_desktop.core.install_key import load_install_key
from zwgk_desktop.core.users import SYSTEM_ACTOR
from zwgk_desktop.county.service import issue_enroll_code
from zwgk_desktop.county.store import Device, Witness, hash_secret, open_store
from zwgk_desktop.ops.audit import verify_audit
from zwgk_desktop.services.sync import enroll, sync_once, sync_status
from zwgk_desktop.services.sync.client import SyncError, load_token, token_path


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    return township_template(tmp_path_factory.mktemp("township-h") / "data")


@pytest.fixture
def township(tmp_path, template):
    config, database = copy_township(template, tmp_path / "data")
    yield config, database
    database.dispose()


@pytest.fixture
def county(tmp_path):
    store = open_store(tmp_path / "county")
    yield store
    store.dispose()


@pytest.fixture
def http(county):
    with test_http(county) as client:
        yield client


# --- item 10: attempts and successes apart, local time ----------------------------------------------


def test_a_failed_sync_now_is_never_reported_as_a_success(tmp_path):
    """Fresh demo, `sync now` fails (not enrolled, exit 1): `sync status` shows no success, the failed attempt and why."""
    data = tmp_path / "town"
    assert run_cli("demo", "--households", "50", "--json", data_dir=data)[0] == 0
    code, payload, _ = run_cli("sync", "now", "--json", data_dir=data)
    assert code == 1 and payload["error"]["code"] == "sync_not_enrolled"
    code, status, _ = run_cli("sync", "status", "--json", data_dir=data)
    assert code == 0
    assert status["last_success_at"] is None and status["last_sync_at"] is None and status["last_success_local"] is None
    assert status["last_attempt_at"] and status["last_error"]["code"] == "sync_not_enrolled"
    human = run_cli("sync", "status", data_dir=data, env={"TZ": "Asia/Shanghai"}).stdout
    assert "上次成功同步：从未" in human and "失败：本机尚未在县级服务器注册" in human
    attempt = datetime.fromisoformat(status["last_attempt_at"].replace("Z", "+00:00"))
    assert f"上次尝试：{(attempt + timedelta(hours=8)).strftime('%Y-%m-%d %H:%M')}" in human


def test_status_keeps_the_last_success_when_a_later_attempt_fails(township, county, http):
    """After a good sync and a failed one, status keeps the success time and shows the failed attempt separately."""
    config, database = township
    enroll_inprocess(config, county, http, database=database)
    sync_once(config, database=database, http=http)
    good = sync_status(config, database=database)
    assert good["last_success_at"] == good["last_attempt_at"] and good["last_error"] is None
    token_path(config).unlink()
    with pytest.raises(SyncError):
        sync_once(config, database=database, http=http)
    after = sync_status(config, database=database)
    assert after["last_success_at"] == good["last_success_at"] != after["last_attempt_at"]
    assert after["last_error"]["code"] == "sync_not_enrolled"
    local = datetime.fromisoformat(good["last_success_at"].replace("Z", "+00:00")).astimezone()
    assert after["last_success_local"] == local.strftime("%Y-%m-%d %H:%M")


# --- item 7: enrollment over plain http -----------------------------------------------------------------


def test_plain_http_to_another_computer_is_refused_before_anything_is_sent(tmp_path):
    """`sync enroll --server http://192.0.2.10…` exits 1 with insecure_transport naming what would travel in clear;
    no token, no settings are written and the server is never contacted."""
    data = tmp_path / "town"
    run_cli("township", "init", "--name", "青山镇", "--villages", "青山村", "--json", data_dir=data)
    settings_before = (data / "settings.json").read_bytes() if (data / "settings.json").exists() else None
    code, payload, _ = run_cli("sync", "enroll", "--server", "http://192.0.2.10:8765", "--code", "ABCD-EFGH-JKLM-NPQR",
                               "--json", data_dir=data, timeout=20)
    assert code == 1 and payload["error"]["code"] == "insecure_transport"
    message = payload["error"]["message"]
    assert "身份证号" in message and "银行账号" in message and "--insecure" in message
    assert not (data / "sync-token").exists()
    assert ((data / "settings.json").read_bytes() if (data / "settings.json").exists() else None) == settings_before


def test_insecure_enrollment_is_allowed_on_request_and_every_sync_warns(township, county):
    """With `insecure` the enrollment goes through with the clear-text warning, and each sync repeats it."""
    from starlette.testclient import TestClient

    from zwgk_desktop.county.app import create_app

    config, database = township
    url = "http://192.0.2.10:8765"
    with TestClient(create_app(county), base_url=url) as http:
        code = issue_enroll_code(county, "青山镇")["code"]
        with pytest.raises(SyncError) as refused:
            enroll(config, url, code, database=database, http=http)
        assert refused.value.code == "insecure_transport" and load_token(config) is None
        answer = enroll(config, url, code, database=database, http=http, insecure=True)
        assert answer["device_id"] and "明文" in answer["warnings"][0]
        report = sync_once(config, database=database, http=http)
    assert any("明文" in w and "192.0.2.10" in w for w in report.warnings)
    assert sync_status(config, database=database)["insecure"] is True


# --- tokens rotate with every sync ------------------------------------------------------------------


def test_every_sync_swaps_the_device_token(township, county, http):
    """The token file changes at each sync; the county keeps only hashes, and the first token lapses after its grace."""
    config, database = township
    result = enroll_inprocess(config, county, http, database=database)
    first = load_token(config)
    sync_once(config, database=database, http=http)
    second = load_token(config)
    sync_once(config, database=database, http=http)
    third = load_token(config)
    assert len({first, second, third}) == 3
    with county.session() as s:
        row = s.get(Device, result["device_id"])
        assert row.token_hash == hash_secret(third) and row.prev_token_hash == hash_secret(second)
    assert http.get("/api/v1/stats", headers={"Authorization": f"Bearer {first}"}).status_code == 401


# --- item 3: the county witnesses the audit chain ---------------------------------------------------------


def _county_witness(county) -> Witness:
    with county.session() as s:
        return s.execute(select(Witness).order_by(Witness.seq.desc())).scalars().first()


def _seqs(db_path) -> list[int]:
    conn = sqlite3.connect(db_path)
    try:
        return [r[0] for r in conn.execute("SELECT seq FROM audit_event ORDER BY seq")]
    finally:
        conn.close()


def test_each_sync_gives_the_county_the_chain_head_and_verify_uses_it(township, county, http):
    """After a sync the county holds the head; `audit verify` checks the chain against it and the local head file."""
    config, database = township
    enroll_inprocess(config, county, http, database=database)
    sync_once(config, database=database, http=http)
    seqs = _seqs(config.db_path)
    witness = _county_witness(county)
    assert witness.seq == seqs[-1] and witness.problem == ""
    report = verify_audit(database, SYSTEM_ACTOR, http=http)
    assert report.ok and report.county == "ok" and {w["source"] for w in report.witnesses} == {"local", "county"}


def test_someone_with_the_whole_data_dir_cannot_rewrite_what_the_county_saw(township, county, http):
    """An attacker holding the install key re-signs an edited chain AND its head file: locally all looks fine, but the
    county's witness says audit_rewritten."""
    config, database = township
    enroll_inprocess(config, county, http, database=database)
    sync_once(config, database=database, http=http)
    database.dispose()
    key = load_install_key(config.data_dir)
    seqs = _seqs(config.db_path)
    conn = sqlite3.connect(config.db_path)
    conn.execute("UPDATE audit_event SET user = 'nobody' WHERE seq = ?", (seqs[5],))
    conn.commit()
    conn.close()
    rehash_from(config.db_path, seqs[0], lambda *fields: keyed_digest(key, *fields))
    conn = sqlite3.connect(config.db_path)
    conn.execute("UPDATE audit_event SET key_id = ?", (key.key_id,))
    head = conn.execute("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1").fetchone()
    conn.commit()
    conn.close()
    anchor_path(config.data_dir).unlink()
    write_anchor(config.data_dir, key, *head)
    offline = verify_audit(database, SYSTEM_ACTOR, county=False)
    assert offline.ok  # the forger fooled everything local…
    report = verify_audit(database, SYSTEM_ACTOR, http=http)
    assert not report.ok and report.code == "audit_rewritten"  # …but not the county
    assert report.last_witnessed["source"] == "county" and report.last_witnessed["seq"] == seqs[-1]


def test_a_truncated_chain_is_caught_by_the_county_and_flagged_on_its_page(township, county, http):
    """Newest rows deleted and the head file rewound by someone with the key: verify says audit_truncated from the
    county's witness; the next sync's head going backwards is warned about and shown on the county page."""
    config, database = township
    enroll_inprocess(config, county, http, database=database)
    sync_once(config, database=database, http=http)
    database.dispose()
    key = load_install_key(config.data_dir)
    seqs = _seqs(config.db_path)
    conn = sqlite3.connect(config.db_path)
    conn.execute("DELETE FROM audit_event WHERE seq > ?", (seqs[-6],))
    head = conn.execute("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1").fetchone()
    conn.commit()
    conn.close()
    anchor_path(config.data_dir).unlink()
    write_anchor(config.data_dir, key, *head)
    report = verify_audit(database, SYSTEM_ACTOR, http=http)
    assert not report.ok and report.code == "audit_truncated" and report.first_broken == seqs[-6] + 1
    assert report.last_witnessed["source"] == "county"
    again = sync_once(config, database=database, http=http)
    assert any("县级平台发现本机审计日志异常" in w for w in again.warnings)
    township_id = _county_witness(county).township_id
    page = http.get(f"/townships/{township_id}").text
    assert "审计日志异常" in page and f"{seqs[-1]:,}" in page
    code, payload, _ = run_cli("audit", "verify", "--offline", "--json", data_dir=config.data_dir)
    assert code == 0 and payload["county"] == "skipped"  # offline, only the (rewound) local head is checked


def test_the_county_takes_every_table_the_township_sends():
    """Every table whose rows a township queues for the county is one the county accepts (and counts after a
    sync), so no new table's rows sit quarantined or go uncompared."""
    from zwgk_desktop.county.service import ITEMS_ENTITY, SYNCED_ENTITIES
    from zwgk_desktop.services.sync.runner import COMPARED_ENTITIES

    assert {"verification_code", "photo_link", "evidence_exception", "info_request"} <= set(COMPARED_ENTITIES)
    assert set(COMPARED_ENTITIES) | {ITEMS_ENTITY} == set(SYNCED_ENTITIES)
