"""The command-line contract of the foundation commands (cli.md): JSON fields, exit codes, nothing written on failure."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import run_cli


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli-demo")
    code, out, err = run_cli("demo", "--json", data_dir=data)
    assert code == 0, err
    return data, out


def test_demo_creates_a_realistic_township(demo_dir):
    """`demo --json` reports the township, ≥ 8 villages by name, ≥ 2,000 households and notices."""
    _, out = demo_dir
    assert out["township"] == "青山镇"
    assert out["villages"] >= 8 and len(out["village_names"]) == out["villages"]
    assert out["households"] >= 2000
    assert out["disclosures"] >= 7 * 7


def test_demo_refuses_a_non_empty_data_dir(demo_dir):
    """A second `demo` into the same data dir exits 1 with a Chinese error and changes nothing."""
    data, _ = demo_dir
    before = sqlite3.connect(data / "zwgk.sqlite3").execute("SELECT count(*) FROM household").fetchone()[0]
    code, out, _ = run_cli("demo", "--json", data_dir=data)
    assert code == 1
    assert out["error"]["code"] == "invalid_input" and "已有数据" in out["error"]["message"]
    after = sqlite3.connect(data / "zwgk.sqlite3").execute("SELECT count(*) FROM household").fetchone()[0]
    assert after == before


def test_disclosure_list_covers_every_category_and_state(demo_dir):
    """`disclosure list --json` lists notices of all seven categories in all seven states, some posted."""
    data, _ = demo_dir
    code, out, _ = run_cli("disclosure", "list", "--json", data_dir=data)
    assert code == 0
    rows = out["disclosures"]
    assert {r["category"] for r in rows} == {"dibao", "tekun", "linshi", "weifang", "fupin_project", "fupin_fund", "generic"}
    assert {r["status"] for r in rows} == {"draft", "pending_review", "approved", "publishing", "expired", "archived", "withdrawn"}
    assert all({"id", "title", "category", "status", "items", "posted_boards"} <= set(r) for r in rows)
    assert any(r["posted_boards"] >= 2 for r in rows)


def test_disclosure_show_masks_id_numbers(demo_dir):
    """`disclosure show` gives the notice with its boards, and never a full ID number."""
    data, _ = demo_dir
    _, listing, _ = run_cli("disclosure", "list", "--status", "publishing", "--category", "dibao", "--json", data_dir=data)
    notice = listing["disclosures"][0]
    code, out, _ = run_cli("disclosure", "show", notice["id"][:8], "--json", data_dir=data)
    assert code == 0
    assert out["id"] == notice["id"] and out["boards"]
    for item in out["items_preview"]:
        assert "*" in item["id_number"] and len(item["id_number"]) == 18


def test_db_check_is_ok_on_the_demo(demo_dir):
    """`db check --json` reports ok and the schema revision."""
    data, _ = demo_dir
    code, out, _ = run_cli("db", "check", "--json", data_dir=data)
    assert code == 0 and out["ok"] is True and out["revision"]


def test_township_init_creates_and_extends(tmp_path):
    """`township init` creates the township with a board per village and later adds new villages only."""
    code, out, _ = run_cli("township", "init", "--name", "河口镇", "--villages", "东村,西村，南村", "--json", data_dir=tmp_path)
    assert code == 0 and out["township"] == "河口镇" and out["villages"] == ["东村", "西村", "南村"]
    assert out["boards"] == 4
    code, out, _ = run_cli("township", "init", "--name", "河口镇", "--villages", "西村,北村", "--json", data_dir=tmp_path)
    assert out["villages"] == ["东村", "西村", "南村", "北村"] and out["boards"] == 5


def test_unknown_category_is_a_user_error(tmp_path):
    """An unknown category code exits 1 with code unknown_category and a Chinese message."""
    run_cli("township", "init", "--name", "河口镇", "--villages", "东村", data_dir=tmp_path)
    code, out, _ = run_cli("disclosure", "list", "--category", "nonsense", "--json", data_dir=tmp_path)
    assert code == 1 and out["error"]["code"] == "unknown_category" and "未知" in out["error"]["message"]


def test_corrupt_database_exits_1_and_keeps_the_file(tmp_path):
    """A corrupt database file → exit 1, Chinese message, the file's bytes untouched."""
    (tmp_path / "zwgk.sqlite3").write_bytes(b"garbage" * 1000)
    code, out, _ = run_cli("disclosure", "list", "--json", data_dir=tmp_path)
    assert code == 1 and out["error"]["code"] == "database_corrupt"
    assert (tmp_path / "zwgk.sqlite3").read_bytes() == b"garbage" * 1000


def test_unwritable_data_dir_exits_1(tmp_path):
    """A data dir that can't be written → exit 1 with code data_dir."""
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    code, out, _ = run_cli("township", "init", "--name", "镇", "--villages", "村", "--json", data_dir=blocker / "sub")
    assert code == 1 and out["error"]["code"] == "data_dir"


def test_usage_error_exits_2(tmp_path):
    """A missing required argument is a usage error: exit 2."""
    code, _, _ = run_cli("township", "init", "--json", data_dir=tmp_path)
    assert code == 2


def test_a_single_module_command_builds_only_its_own_parser():
    """`zwgk photos …` builds just the photos commands' parser; any other command, or an option first,
    builds them all (so `zwgk --help` and unknown commands still list every command)."""
    from zwgk_desktop.cli import GUI_COMMAND_MODULE, build_parser, parser_modules

    assert parser_modules(["--data-dir", "/tmp/x", "photos", "import", "a.jpg"]) == [
        "zwgk_desktop.commands.photos_cmd"]
    assert parser_modules(["--data-dir=/tmp/x", "photos", "verify"]) == ["zwgk_desktop.commands.photos_cmd"]
    assert parser_modules([]) == parser_modules(["gui"]) == [GUI_COMMAND_MODULE]
    assert parser_modules(["--help"]) is None and parser_modules(["disclosure", "list"]) is None
    args = build_parser(parser_modules(["photos", "verify", "--json"])).parse_args(["photos", "verify", "--json"])
    assert args.photos_command == "verify" and args.json
    args = build_parser(parser_modules(["import", "a.xlsx", "--category", "dibao"])).parse_args(
        ["import", "a.xlsx", "--category", "dibao"])
    assert args.roster == "a.xlsx" and args.category == "dibao"


def test_each_single_module_command_is_registered_by_its_module():
    """The shortcut map names, for each command, the module that really registers it (a stale entry would
    make that command unknown)."""
    from zwgk_desktop.cli import SINGLE_MODULE_COMMANDS, build_parser

    for command, module in SINGLE_MODULE_COMMANDS.items():
        subparsers = next(a for a in build_parser([module])._actions if a.dest == "command")
        assert command in subparsers.choices, (command, module)
