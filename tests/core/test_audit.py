"""The audit chain catches tampering — edited, deleted, truncated or re-hashed rows — via core and `zwgk audit verify --json`."""

from __future__ import annotations

import json
import os
import sqlite3
import stat

import pytest

from tests.conftest import run_cli
from tests.core.test_lifecycle import make_notice, make_world, to_status
from zwgk_desktop.core.audit import anchor_path, event_digest, keyed_digest, read_anchor, verify_chain
from zwgk_desktop.core.install_key import key_path, load_install_key


def _seqs(db_path):
    conn = sqlite3.connect(db_path)
    try:
        return [r[0] for r in conn.execute("SELECT seq FROM audit_event ORDER BY seq")]
    finally:
        conn.close()


def _raw(db_path, sql, *params):
    conn = sqlite3.connect(db_path)
    try:
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def rehash_from(db_path, first_seq: int, digest) -> None:
    """What an attacker does after editing: recompute every hash (and link) from `first_seq` on with `digest`."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT seq, at, user, action, entity, entity_id, summary, prev_hash FROM audit_event "
                            "ORDER BY seq").fetchall()
        prev = ""
        for seq, at, user, action, entity, entity_id, summary, prev_hash in rows:
            if seq < first_seq:
                prev = conn.execute("SELECT hash FROM audit_event WHERE seq = ?", (seq,)).fetchone()[0]
                continue
            from datetime import datetime

            moment = datetime.fromisoformat(at)
            new = digest(prev, moment, user, action, entity, entity_id, json.loads(summary))
            conn.execute("UPDATE audit_event SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, new, seq))
            prev = new
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def history(database, config):
    """A notice taken to 公示中: a few dozen audit events, written with the install key; the database closed."""
    world = make_world(database)
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    database.dispose()
    return config


def test_lifecycle_leaves_an_intact_chain_and_cli_reports_it(database, config):
    """After a notice's lifecycle the chain verifies against its signed head file; the CLI prints ok and exits 0."""
    world = make_world(database)
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    with database.session() as s:
        report = verify_chain(s)
    seqs = _seqs(config.db_path)
    assert report.ok and report.checked == len(seqs) and report.head["seq"] == seqs[-1]
    anchor = read_anchor(config.data_dir, load_install_key(config.data_dir))
    assert anchor.status == "ok" and anchor.witness.seq == seqs[-1]
    database.dispose()
    code, payload, err = run_cli("audit", "verify", "--json", data_dir=config.data_dir)
    assert code == 0, err
    assert (payload["ok"], payload["checked"], payload["first_broken"], payload["code"]) == (True, len(seqs), None, None)
    assert payload["anchor"] == "ok" and payload["county"] == "not_enrolled"
    assert payload["last_witnessed"]["source"] == "local" and payload["last_witnessed"]["seq"] == seqs[-1]


def test_new_rows_are_hmac_with_the_install_key_kept_private(history):
    """Each new row names the install key and its hash is the keyed digest; the key and head files are mode 600."""
    key = load_install_key(history.data_dir)
    conn = sqlite3.connect(history.db_path)
    try:
        row = conn.execute("SELECT prev_hash, at, user, action, entity, entity_id, summary, hash, key_id "
                           "FROM audit_event ORDER BY seq DESC LIMIT 1").fetchone()
    finally:
        conn.close()
    from datetime import datetime

    fields = (row[0], datetime.fromisoformat(row[1]), row[2], row[3], row[4], row[5], json.loads(row[6]))
    assert row[8] == key.key_id and row[7] == keyed_digest(key, *fields) != event_digest(*fields)
    for path in (key_path(history.data_dir), anchor_path(history.data_dir)):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert key.secret.hex() not in json.dumps(json.loads(anchor_path(history.data_dir).read_text()))


def test_tampered_summary_is_detected_at_that_row(database, config):
    """Editing one audit row's summary with raw SQL is caught: first_broken is that row's seq (core and CLI)."""
    world = make_world(database)
    nid = make_notice(database, world)
    to_status(database, world, nid, "approved")
    database.dispose()
    seqs = _seqs(config.db_path)
    target = seqs[len(seqs) // 2]
    _raw(config.db_path, "UPDATE audit_event SET summary = ? WHERE seq = ?", '{"status": "forged"}', target)
    with database.session() as s:
        report = verify_chain(s)
    assert (report.ok, report.first_broken) == (False, target) and "被修改" in report.message
    database.dispose()
    code, payload, _ = run_cli("audit", "verify", "--json", data_dir=config.data_dir)
    assert code == 1
    assert (payload["ok"], payload["first_broken"]) == (False, target) and payload["error"]["code"] == "audit_broken"


def test_deleted_middle_row_is_detected(database, config):
    """Deleting a row in the middle of the chain breaks it at the next row."""
    world = make_world(database)
    make_notice(database, world)
    database.dispose()
    seqs = _seqs(config.db_path)
    middle = seqs[len(seqs) // 2]
    _raw(config.db_path, "DELETE FROM audit_event WHERE seq = ?", middle)
    with database.session() as s:
        report = verify_chain(s)
    assert not report.ok and report.first_broken == seqs[seqs.index(middle) + 1]


def test_deleting_the_newest_rows_is_reported_as_truncated(history):
    """The newest rows deleted (the rest of the chain is intact): exit 1, audit_truncated, the last witnessed point named."""
    seqs = _seqs(history.db_path)
    head_file = anchor_path(history.data_dir).read_bytes()
    _raw(history.db_path, "DELETE FROM audit_event WHERE seq > ?", seqs[-4])
    before = history.db_path.read_bytes()
    code, payload, _ = run_cli("audit", "verify", "--json", data_dir=history.data_dir)
    assert code == 1 and not payload["ok"]
    assert payload["error"]["code"] == payload["code"] == "audit_truncated"
    assert payload["first_broken"] == seqs[-4] + 1 and payload["head"]["seq"] == seqs[-4]
    assert payload["last_witnessed"] == {**payload["last_witnessed"], "source": "local", "seq": seqs[-1]}
    assert f"至少有 {seqs[-1]} 条" in payload["message"] and f"只到第 {seqs[-4]} 条" in payload["message"]
    assert history.db_path.read_bytes() == before and anchor_path(history.data_dir).read_bytes() == head_file


def test_rehashing_with_the_old_digest_is_reported_as_rewritten(history):
    """A row edited and every hash recomputed with the plain SHA-256 digest: exit 1, audit_rewritten at that row."""
    seqs = _seqs(history.db_path)
    target = seqs[len(seqs) // 2]
    _raw(history.db_path, "UPDATE audit_event SET user = 'nobody' WHERE seq = ?", target)
    rehash_from(history.db_path, target, event_digest)
    code, payload, _ = run_cli("audit", "verify", "--json", data_dir=history.data_dir)
    assert code == 1 and payload["error"]["code"] == "audit_rewritten"
    assert payload["first_broken"] == target and "重新计算" in payload["message"]


def test_rehashing_and_relabelling_every_row_as_plain_is_caught_by_the_head_file(history):
    """Even with every row relabelled as an old plain row and re-hashed consistently, the signed head disagrees."""
    seqs = _seqs(history.db_path)
    _raw(history.db_path, "UPDATE audit_event SET key_id = '', user = 'nobody' WHERE seq = ?", seqs[3])
    _raw(history.db_path, "UPDATE audit_event SET key_id = ''")
    rehash_from(history.db_path, seqs[0], event_digest)
    code, payload, _ = run_cli("audit", "verify", "--json", data_dir=history.data_dir)
    assert code == 1 and payload["error"]["code"] == "audit_rewritten"
    assert payload["last_witnessed"]["source"] == "local" and payload["first_broken"] == seqs[-1]


def test_a_forged_head_file_is_reported(history):
    """Editing the head file (to hide a truncation) breaks its signature: exit 1, audit_rewritten."""
    path = anchor_path(history.data_dir)
    data = json.loads(path.read_text())
    data["seq"] -= 3
    path.write_text(json.dumps(data))
    code, payload, _ = run_cli("audit", "verify", "--json", data_dir=history.data_dir)
    assert code == 1 and payload["code"] == "audit_rewritten" and payload["anchor"] == "invalid"
    assert "签名不符" in payload["message"]


def test_writes_after_a_truncation_do_not_move_the_head_file_past_it(history):
    """After the newest rows are deleted, new writes reuse their numbers: the head file stays put and verify still fails."""
    from zwgk_desktop.core import audit
    from zwgk_desktop.core.schema import open_database

    seqs = _seqs(history.db_path)
    head_file = anchor_path(history.data_dir).read_bytes()
    _raw(history.db_path, "DELETE FROM audit_event WHERE seq > ?", seqs[-3])
    database = open_database(history)
    try:
        for n in range(5):
            with database.session(user="clerk") as s:
                audit.record(s, "test_event", "test", str(n), {"n": n})
    finally:
        database.dispose()
    assert anchor_path(history.data_dir).read_bytes() == head_file
    code, payload, _ = run_cli("audit", "verify", "--json", data_dir=history.data_dir)
    assert code == 1 and payload["code"] == "audit_rewritten" and payload["first_broken"] == seqs[-1]


def test_a_chain_from_before_the_key_keeps_verifying_and_older_rows_stay_covered(config):
    """A data dir from the previous version (plain rows, no key): after upgrade the old rows verify as plain, new ones
    are keyed; editing an old row and re-hashing the plain part still breaks the first keyed row's HMAC."""
    from alembic import command

    from zwgk_desktop.core.db import make_engine
    from zwgk_desktop.core.schema import alembic_config, open_database

    config.ensure_data_dir()
    engine = make_engine(config.db_url)
    cfg = alembic_config(config)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0003")
    from datetime import datetime

    prev = ""
    with engine.begin() as conn:
        for n in range(5):
            at = datetime(2026, 1, 1, 9, 0, n)
            digest = event_digest(prev, at, "clerk", "legacy", "test", str(n), {"n": n})
            conn.exec_driver_sql(
                "INSERT INTO audit_event (at, user, action, entity, entity_id, summary, prev_hash, hash) "
                "VALUES (?, 'clerk', 'legacy', 'test', ?, ?, ?, ?)",
                (at.isoformat(sep=" "), str(n), json.dumps({"n": n}), prev, digest))
            prev = digest
    engine.dispose()
    assert not key_path(config.data_dir).exists()
    database = open_database(config)
    from zwgk_desktop.core import audit

    with database.session(user="clerk") as s:
        audit.record(s, "after_upgrade", "test", "x", {})
    with database.session() as s:
        report = verify_chain(s)
    database.dispose()
    assert report.ok and report.checked == 6 and report.unverified == 0
    code, payload, _ = run_cli("audit", "verify", "--json", data_dir=config.data_dir)
    assert code == 0 and payload["ok"]
    _raw(config.db_path, "UPDATE audit_event SET entity_id = 'forged' WHERE seq = 2")
    rehash_from(config.db_path, 2, event_digest)
    code, payload, _ = run_cli("audit", "verify", "--json", data_dir=config.data_dir)
    assert code == 1 and payload["code"] == "audit_rewritten" and payload["first_broken"] == 6


def test_two_writers_at_once_keep_one_unbroken_chain(database, config):
    """Two connections (the app and a CLI run, say) recording events at the same time never fork the chain."""
    import threading

    from zwgk_desktop.core import audit
    from zwgk_desktop.core.schema import open_database

    other = open_database(config)
    errors: list[BaseException] = []

    def write(db, who):
        try:
            for n in range(40):
                with db.session(user=who) as s:
                    audit.record(s, "test_event", "test", f"{who}-{n}", {"n": n})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(db, who)) for db, who in ((database, "甲"), (other, "乙"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.dispose()
    assert errors == []
    with database.session() as s:
        report = verify_chain(s)
    assert report.ok, report.message
    conn = sqlite3.connect(config.db_path)
    try:
        prevs = [r[0] for r in conn.execute("SELECT prev_hash FROM audit_event")]
    finally:
        conn.close()
    assert len(prevs) == len(set(prevs)), "two events point at the same predecessor: the chain forked"
    anchor = read_anchor(config.data_dir, load_install_key(config.data_dir))
    assert anchor.status == "ok" and anchor.witness.seq == max(_seqs(config.db_path))
