"""`zwgk request add|list|show|extend|correct|reply|letter` as issue 15 specifies them (whole processes, real files)."""

from __future__ import annotations

import subprocess

from tests.conftest import run_cli


def test_request_commands_follow_the_contract(tmp_path):
    """Register, list, 补正, extend, reply and show through the CLI; JSON fields and exit codes as documented."""
    data = tmp_path / "town"
    code, added, _ = run_cli("request", "add", "--received", "2026-09-24", "--channel", "mail", "--requester-type",
                             "person", "--content", "申请公开2026年低保名单", "--name", "张三丰", "--json", data_dir=data)
    assert code == 0
    assert added["due"] == "2026-10-29" and added["calendar_complete"] is True
    assert added["explanation"].startswith("自2026-09-24收到起20个工作日，跳过")
    first = added["id"]

    code, second, _ = run_cli("request", "add", "--received", "2026-09-24", "--channel", "online", "--requester-type",
                              "company", "--content", "道路项目资金", "--json", data_dir=data)
    assert code == 0
    code, corrected, _ = run_cli("request", "correct", second["id"], "--sent", "2026-09-29", "--received",
                                 "2026-10-09", "--json", data_dir=data)
    assert code == 0 and corrected["due"] == "2026-11-05"

    code, extended, _ = run_cli("request", "extend", first, "--days", "20", "--reason", "需调取档案",
                                "--notified", "2026-10-20", "--json", data_dir=data)
    assert code == 0 and extended["due"] == "2026-11-26"
    code, again, stderr = run_cli("request", "extend", first, "--days", "5", "--reason", "再延",
                                  "--notified", "2026-10-21", "--json", data_dir=data)
    assert code == 1 and again["error"]["code"] == "extension_twice" and "只允许延长一次" in stderr

    code, refused, _ = run_cli("request", "reply", first, "--date", "2026-09-20", "--outcome", "public", "--json",
                               data_dir=data)
    assert code == 1 and refused["error"]["code"] == "reply_before_received"
    code, reasonless, _ = run_cli("request", "reply", first, "--date", "2026-11-20", "--outcome", "unable", "--json",
                                  data_dir=data)
    assert code == 1 and reasonless["error"]["code"] == "outcome_reason_missing"
    code, replied, _ = run_cli("request", "reply", first, "--date", "2026-11-20", "--outcome", "unable:not_held",
                               "--json", data_dir=data)
    assert code == 0 and replied["outcome"] == "unable:not_held" and "第三十六条第（四）项" in replied["basis"]

    code, listed, _ = run_cli("request", "list", "--json", "--today", "2026-11-25", data_dir=data)
    assert code == 0
    rows = {r["id"]: r for r in listed["requests"]}
    assert set(rows[first]) >= {"id", "received", "due", "status", "outcome"}
    assert rows[first]["outcome"] == "unable:not_held" and rows[first]["status"] == "replied"
    assert rows[first]["requester"] == "张*丰"
    assert rows[second["id"]]["due"] == "2026-11-05" and rows[second["id"]]["status"] == "overdue"

    code, shown, _ = run_cli("request", "show", "2026-001", "--json", data_dir=data)
    assert code == 0 and shown["name"] == "张三丰" and shown["due"] == "2026-11-26"

    pdf = tmp_path / "答复书.pdf"
    code, letter, _ = run_cli("request", "letter", first, "--kind", "reply", "-o", str(pdf), "--json", data_dir=data)
    assert code == 0 and pdf.exists() and letter["pages"] == 1 and letter["missing_glyphs"] == []
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "政府信息公开申请答复书" in text and letter["doc_number"] in text.replace("\n", "")


def test_bad_input_exits_1_with_a_chinese_message_and_writes_nothing(tmp_path):
    """An unknown requester type is a usage error (2); a 补正 notice past 7 working days is refused (1)."""
    data = tmp_path / "town"
    code, _, _ = run_cli("request", "add", "--received", "2026-09-24", "--channel", "mail", "--requester-type",
                         "alien", "--content", "x", data_dir=data)
    assert code == 2
    code, added, _ = run_cli("request", "add", "--received", "2026-09-24", "--channel", "in_person",
                             "--requester-type", "ngo", "--content", "项目资料", "--json", data_dir=data)
    code, late, _ = run_cli("request", "correct", added["id"], "--sent", "2026-10-13", "--json", data_dir=data)
    assert code == 1 and late["error"]["code"] == "correction_late" and "7个工作日" in late["error"]["message"]
    code, shown, _ = run_cli("request", "show", added["id"], "--json", data_dir=data)
    assert shown["correction"]["sent_on"] is None and shown["due"] == "2026-10-29"
