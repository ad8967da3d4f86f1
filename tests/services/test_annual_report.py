"""The yearly report tables (国办公开办函〔2021〕30号): counts, cross-checks that catch planted errors, xlsx/PDF output."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from tests.conftest import run_cli
from zwgk_desktop.core.requests import NewRequest
from zwgk_desktop.core.users import SYSTEM_ACTOR
from zwgk_desktop.ops import requests as ops
from zwgk_desktop.services.annual_report import (
    COLUMNS,
    ROW_CARRIED_IN,
    ROW_CARRIED_OUT,
    ROW_NEW,
    ROW_TOTAL,
    RequestsNotCarried,
    Table3,
    build_annual_report,
    count_table4,
    cross_checks,
)

A = SYSTEM_ACTOR


def add(database, received: date, requester_type: str, name: str = "", content: str = "申请公开相关材料"):
    new = NewRequest(received_on=received, channel="in_person", requester_type=requester_type, content=content,
                     name=name)
    return ops.add_request(database, A, new, today=received).number


@pytest.fixture
def register(database):
    """Two years of requests: 2025 leaves one open into 2026; 2026 has four outcomes, one carried on, three appeals."""
    add(database, date(2025, 6, 1), "company", "青山某某建材有限公司")  # 2025-001
    add(database, date(2025, 12, 10), "person", "张三丰")  # 2025-002, answered in 2026
    ops.reply_request(database, A, "2025-001", date(2025, 6, 20), "partial:third_party")
    ops.carry_over(database, A, 2025)
    add(database, date(2026, 3, 2), "person", "李四")  # 2026-001
    add(database, date(2026, 4, 1), "research", "某大学课题组")  # 2026-002
    add(database, date(2026, 5, 5), "person", "王五")  # 2026-003
    add(database, date(2026, 12, 20), "legal", "=HYPERLINK(\"http://x\")律师事务所")  # 2026-004, still open
    ops.reply_request(database, A, "2025-002", date(2026, 1, 8), "public")
    ops.reply_request(database, A, "2026-001", date(2026, 3, 20), "refused:secret")
    ops.reply_request(database, A, "2026-002", date(2026, 4, 10), "partial")
    ops.reply_request(database, A, "2026-003", date(2026, 5, 6), "not_processed:repeat")
    ops.record_appeal(database, A, "2026-001", kind="review", filed_on=date(2026, 4, 15), result="upheld",
                      decided_on=date(2026, 6, 1))
    ops.record_appeal(database, A, "2026-002", kind="lawsuit", route="direct", filed_on=date(2026, 11, 1))
    ops.record_appeal(database, A, "2026-003", kind="lawsuit", route="after_review", filed_on=date(2026, 7, 1),
                      result="corrected", decided_on=date(2027, 1, 10))
    return database


def counts(report, row: str) -> dict:
    return {c: report.table3.count(row, c) for c in COLUMNS if report.table3.count(row, c)}


def test_table_three_counts_by_requester_type_with_carry_over(register):
    """2026: 4 new + 1 carried in = 4 answered + 1 carried on, per requester column; 部分公开 in its own row."""
    ops.carry_over(register, A, 2026)
    report = ops.annual_report_preview(register, A, 2026)
    assert counts(report, ROW_NEW) == {"person": 2, "research": 1, "legal": 1, "total": 4}
    assert counts(report, ROW_CARRIED_IN) == {"person": 1, "total": 1}
    assert counts(report, "public") == {"person": 1, "total": 1}
    assert counts(report, "refused:secret") == {"person": 1, "total": 1}
    assert counts(report, "partial") == {"research": 1, "total": 1}
    assert counts(report, "not_processed:repeat") == {"person": 1, "total": 1}
    assert counts(report, ROW_TOTAL) == {"person": 3, "research": 1, "total": 4}
    assert counts(report, ROW_CARRIED_OUT) == {"legal": 1, "total": 1}
    assert report.ok, [c.as_json() for c in report.failed]
    assert report.table4["review"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1}
    assert report.table4["lawsuit_direct"]["pending"] == 1
    assert report.table4["lawsuit_after_review"] == {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1}
    report_2025 = ops.annual_report_preview(register, A, 2025)
    assert counts(report_2025, "partial") == {"company": 1, "total": 1}  # partial:third_party counted once
    assert counts(report_2025, ROW_CARRIED_OUT) == {"person": 1, "total": 1}


def test_export_is_refused_while_open_requests_are_not_confirmed_as_carried(register, tmp_path):
    """2026-004 is open and not confirmed 结转: the export is refused naming it, and writes nothing."""
    out = tmp_path / "2026.xlsx"
    with pytest.raises(RequestsNotCarried) as err:
        ops.export_annual_report(register, A, 2026, out, manual={"licensing": 3})
    assert "2026-004" in err.value.message and "结转" in err.value.message
    assert not out.exists()
    assert ops.annual_report_preview(register, A, 2026).manual == {}  # the typed figure was not kept either


def test_a_planted_inconsistency_is_caught_and_nothing_is_exported(register, tmp_path):
    """An answer whose outcome the format doesn't know breaks 新收+结转=总计+结转; the checks name the cell and request."""
    ops.carry_over(register, A, 2026)
    with register.engine.begin() as conn:
        conn.execute(text("UPDATE info_request SET outcome='maybe' WHERE year=2026 AND seq=3"))
    out = tmp_path / "2026.xlsx"
    report = ops.export_annual_report(register, A, 2026, out, pdf_path=tmp_path / "2026.pdf")
    assert not report.ok and not out.exists() and not (tmp_path / "2026.pdf").exists()
    failed = {c.name: c for c in report.failed}
    assert set(failed) == {"balance.person", "balance.total", "outcome_total"}
    assert failed["balance.person"].requests == ("2026-003",)
    assert "自然人" in failed["balance.person"].cell and "2026-003" in failed["balance.person"].detail
    assert "2026-003" in failed["outcome_total"].detail


def test_last_years_carried_requests_must_match_this_years_carried_in(register, tmp_path):
    """2025 was exported with 2025-002 carried on; changing its answer date afterwards is caught in 2026's report."""
    assert ops.export_annual_report(register, A, 2025, tmp_path / "2025.xlsx").ok
    with register.engine.begin() as conn:
        conn.execute(text("UPDATE info_request SET replied_on='2025-12-30' WHERE year=2025 AND seq=2"))
    ops.carry_over(register, A, 2026)
    report = ops.annual_report_preview(register, A, 2026)
    failed = {c.name: c for c in report.failed}
    assert list(failed) == ["carried_in"]
    assert failed["carried_in"].requests == ("2025-002",) and "上年结转" in failed["carried_in"].cell


def test_cross_checks_catch_a_request_counted_twice_or_outside_every_column():
    """Pure checks: a request in two outcome rows fails 部分公开只计一次; a total without its column fails row totals."""
    table = Table3()
    for row in (ROW_NEW, "partial", "refused:third_party"):
        table.cells[row]["person"].append("2026-001")
        table.cells[row]["total"].append("2026-001")
    table.cells[ROW_TOTAL]["person"] = ["2026-001", "2026-001"]
    table.cells[ROW_TOTAL]["total"] = ["2026-001", "2026-001"]
    table.cells[ROW_NEW]["total"].append("2026-002")  # counted in 总计 but in no requester column
    checks = {c.name: c for c in cross_checks(table, {"2026-001"}, count_table4([], 2026), None)}
    assert not checks["partial_once"].ok and checks["partial_once"].requests == ("2026-001",)
    assert not checks["row_totals"].ok and checks["row_totals"].requests == ("2026-002",)
    assert "一、本年新收" in checks["row_totals"].cell


def test_workbook_is_laid_out_like_the_format_with_text_as_text(register, tmp_path):
    """Sheets 二/三/四 with the format's merged headers and labels; no requester anywhere; formula-like text stays text."""
    ops.carry_over(register, A, 2026)
    out = tmp_path / "年报.xlsx"
    report = ops.export_annual_report(register, A, 2026, out, manual={"normative.made": 2, "fees": "0.35"})
    assert report.ok and out.exists()
    wb = load_workbook(out)
    assert wb.sheetnames == ["二、主动公开", "三、申请情况", "四、复议诉讼", "核对结果", "申请清单"]
    ws = wb["三、申请情况"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A3:C5", "D3:J3", "E4:I4", "D4:D5", "J4:J5"} <= merged
    labels = {ws.cell(row=r, column=c).value: r for r in range(1, ws.max_row + 1) for c in (1, 2, 3)}
    assert ws.cell(row=5, column=5).value == "商业企业" and ws.cell(row=4, column=10).value == "总计"
    assert ws.cell(row=labels["一、本年新收政府信息公开申请数量"], column=10).value == 4
    assert ws.cell(row=labels["（七）总计"], column=4).value == 3
    assert ws.cell(row=labels["1.属于国家秘密"], column=4).value == 1
    assert ws.cell(row=labels["四、结转下年度继续办理"], column=9).value == 0
    assert ws.cell(row=labels["四、结转下年度继续办理"], column=8).value == 1  # 法律服务机构
    two = wb["二、主动公开"]
    values = [[c.value for c in row] for row in two.iter_rows()]
    assert ["行政规范性文件", 2, 0, 0] in values
    four = wb["四、复议诉讼"]
    assert [four.cell(row=6, column=c).value for c in range(1, 6)] == [1, 0, 0, 0, 1]
    cells = {str(c.value) for sheet in wb for row in sheet.iter_rows() for c in row if c.value is not None}
    assert not any(name in cell for cell in cells for name in ("李", "王五", "张三丰", "律师事务所"))  # no requester
    assert {"2026-001", "2025-002"} <= cells  # the listing names requests by register number only
    report.township = "=1+2"  # a formula-like name stays text
    from zwgk_desktop.services.annual_report import write_xlsx

    title = load_workbook(write_xlsx(report, tmp_path / "formula.xlsx"))["三、申请情况"]["A1"]
    assert title.data_type == "s" and title.value.startswith("=1+2")


def test_pdf_has_the_three_tables_as_real_text(register, tmp_path):
    """The PDF twin: real (copyable) text in an embedded CJK font with the format's headings and cells."""
    ops.carry_over(register, A, 2026)
    pdf = tmp_path / "年报.pdf"
    assert ops.export_annual_report(register, A, 2026, tmp_path / "年报.xlsx", pdf_path=pdf).ok
    words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for label in ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "（七）总计",
                  "四、政府信息公开行政复议、行政诉讼情况", "未经复议直接起诉", "导出前核对：全部通过"):
        assert label in words.replace("\n", "")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts and " yes " in fonts


def test_table_two_counts_published_notices_as_the_statistics_do(demo_db):
    """主动公开 by category from the app uses the statistics' own counting rule (one definition)."""
    from zwgk_desktop.services.reports import year_statistics

    with demo_db.session() as s:
        year = s.execute(text("SELECT max(year) FROM disclosure WHERE status IN ('publishing','expired','archived')")).scalar()
        stats = year_statistics(s, year).table("by_category")
        report = build_annual_report(s, year, strict=False)
    by_label = {r["label"]: r["notices"] for r in report.table2["notices"]["rows"]}
    assert by_label == {row[0]: row[1] for row in stats.rows}
    assert report.table2["notices"]["notices"] == stats.total[1]


def test_report_annual_command(tmp_path):
    """`report annual --year Y -o OUT.xlsx --json` → ok, checks [{name, ok, detail}], table3; refused while not carried."""
    data = tmp_path / "town"
    run_cli("request", "add", "--received", "2026-03-02", "--channel", "letter", "--requester-type", "person",
            "--content", "低保名单", "--json", data_dir=data)
    run_cli("request", "add", "--received", "2026-12-21", "--channel", "online", "--requester-type", "company",
            "--content", "项目资金", "--json", data_dir=data)
    run_cli("request", "reply", "2026-001", "--date", "2026-03-16", "--outcome", "public", "--json", data_dir=data)
    out = tmp_path / "2026.xlsx"
    code, refused, _ = run_cli("report", "annual", "--year", "2026", "-o", str(out), "--json", data_dir=data)
    assert code == 1 and refused["error"]["code"] == "requests_not_carried" and not out.exists()
    code, carried, _ = run_cli("request", "carry", "--year", "2026", "--json", data_dir=data)
    assert carried["carried"] == ["2026-002"]
    code, report, _ = run_cli("report", "annual", "--year", "2026", "-o", str(out), "--pdf", str(tmp_path / "2026.pdf"),
                              "--set", "licensing=12", "--json", data_dir=data)
    assert code == 0 and report["ok"] is True and out.exists() and (tmp_path / "2026.pdf").exists()
    assert all({"name", "ok", "detail"} <= set(c) and c["ok"] for c in report["checks"])
    assert report["table3"]["new"]["total"] == 2 and report["table3"]["public"]["person"] == 1
    assert report["table3"]["carried_out"]["company"] == 1
    assert report["table2"]["licensing"]["decisions"] == 12
