"""The audit chain catches tampering: edited or deleted rows, via core and `zwgk audit verify --json`."""

from __future__ import annotations

import sqlite3

from tests.conftest import run_cli
from tests.core.test_lifecycle import make_notice, make_world, to_status
from zwgk_desktop.core.audit import verify_chain


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


def test_lifecycle_leaves_an_intact_chain_and_cli_reports_it(database, config):
    """After a notice's lifecycle the chain verifies; the CLI prints ok, checked and first_broken=null."""
    world = make_world(database)
    nid = make_notice(database, world)
    to_status(database, world, nid, "publishing")
    with database.session() as s:
        report = verify_chain(s)
    assert report.ok and report.checked == len(_seqs(config.db_path))
    database.dispose()
    code, payload, err = run_cli("audit", "verify", "--json", data_dir=config.data_dir)
    assert code == 0, err
    assert payload == {"ok": True, "checked": report.checked, "first_broken": None, "message": payload["message"]}


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
