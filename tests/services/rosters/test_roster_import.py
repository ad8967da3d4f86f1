"""Importing rosters into the database and the import/export/template commands."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.conftest import run_cli
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.models import Disclosure, DisclosureItem, Household, RosterMapping
from zwgk_desktop.errors import Cancelled
from zwgk_desktop.services.rosters.importer import import_roster, preview_roster

from . import fixtures as fx


def counts(database) -> tuple[int, int, int]:
    with database.session() as session:
        return tuple(
            session.execute(select(func.count()).select_from(model)).scalar() for model in (Disclosure, DisclosureItem, Household)
        )


def test_import_creates_draft_with_accepted_rows_and_households(database, tmp_path):
    """Accepted rows become line items of a new draft titled from the category's template (never "…花名册"); households are created."""
    path = fx.messy_dibao_xlsx(tmp_path / "低保.xlsx")
    with database.session() as session:
        result = import_roster(session, path, category="dibao")
    assert result.disclosure_id and result.households_created == 4
    with database.session() as session:
        disclosure = session.get(Disclosure, result.disclosure_id)
        today = date.today()
        assert disclosure.title == f"青山镇{today.year}年{today.month}月城乡最低生活保障对象审核确认情况公示"
        assert "花名册" not in disclosure.title
        assert disclosure.status == "draft" and disclosure.item_count == 4
        items = session.execute(
            select(DisclosureItem).where(DisclosureItem.disclosure_id == disclosure.id).order_by(DisclosureItem.seq)
        ).scalars().all()
        assert [i.name for i in items] == ["张三", fx.RARE_NAME, "吴十", "郑十一"]
        assert items[0].people == 3 and items[0].amount_fen == 55000 and items[0].village_name == "石桥村"
        assert items[0].group_name == "一组" and items[0].village_id is not None and items[0].household_id
        household = session.execute(select(Household).where(Household.id_number == fx.ID_ZHANG)).scalar_one()
        assert household.member_count == 3 and household.head_name == "张三"


def test_second_import_flags_existing_ids_and_reuses_mapping(database, tmp_path):
    """Importing next month's copy: IDs already in an active notice are duplicate_existing; the mapping is remembered."""
    path = fx.messy_dibao_xlsx(tmp_path / "低保.xlsx")
    with database.session() as session:
        import_roster(session, path, category="dibao")
    with database.session() as session:
        assert session.execute(select(func.count()).select_from(RosterMapping)).scalar() == 1
        again = import_roster(session, path, category="dibao", dry_run=True)
    assert again.preview.mapping_source == "remembered"
    assert again.preview.accepted == 0
    existing = {p.row for p in again.preview.errors() if p.code == "duplicate_existing"}
    assert existing == {5, 9, 16, 18}


def test_preview_imported_after_a_colleague_took_the_families_adds_nobody_twice(database, tmp_path):
    """A preview checked before another import of the same families committed: its rows become duplicate_existing."""
    path = fx.messy_dibao_xlsx(tmp_path / "低保.xlsx")
    with database.session() as session:
        preview = preview_roster(session, path, "dibao")
    assert preview.accepted == 4
    with database.session() as session:
        import_roster(session, path, category="dibao")
    with database.session() as session:
        late = import_roster(session, preview)
    assert late.disclosure_id is None and late.preview.accepted == 0
    assert {p.row for p in late.preview.errors() if p.code == "duplicate_existing"} == {5, 9, 16, 18}
    assert counts(database) == (1, 4, 4)


def test_dry_run_writes_nothing(database, tmp_path):
    """--dry-run checks everything and leaves the database untouched."""
    path = fx.messy_dibao_xlsx(tmp_path / "低保.xlsx")
    with database.session() as session:
        result = import_roster(session, path, category="dibao", dry_run=True)
    assert result.disclosure_id is None and result.preview.accepted == 4
    assert counts(database) == (0, 0, 0)


def test_cancel_during_write_leaves_nothing(database, tmp_path):
    """Cancelling while line items are written rolls the whole import back."""
    path = fx.messy_dibao_xlsx(tmp_path / "低保.xlsx")
    job = Job()
    job.on_progress = lambda done, total, message: job.cancel() if "写入" in message else None
    with pytest.raises(Cancelled):
        with database.session() as session:
            import_roster(session, path, category="dibao", job=job)
    assert counts(database) == (0, 0, 0)


def cli(*args) -> tuple[int, dict]:
    code, payload, _stderr = run_cli(*args)
    return code, payload


def test_cli_import_json_and_report(data_dir, tmp_path):
    """`zwgk import --json` prints ids, counts, errors with codes, sheet and mapping; --report lists rejected rows."""
    path = fx.messy_dibao_xlsx(tmp_path / "低保.xlsx")
    report = tmp_path / "报告.xlsx"
    code, data = cli("--data-dir", str(data_dir), "import", str(path), "--category", "dibao",
                         "--report", str(report), "--json")
    assert code == 0 and data["disclosure_id"]
    assert (data["accepted"], data["rejected"]) == (4, 7)
    assert data["sheet"] == "低保花名册" and data["mapping"]["name"] == "户主姓名"
    assert {"row", "column", "code", "message"} <= set(data["errors"][0])
    sheet = openpyxl.load_workbook(report)["未导入的行"]
    rows = {r[0] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows == {8, 11, 12, 13, 14, 15, 17}


def test_cli_unknown_category_exits_1(data_dir, tmp_path):
    """An unknown category is a user error: exit 1 with a JSON error object."""
    path = fx.messy_dibao_xlsx(tmp_path / "低保.xlsx")
    code, data = cli("--data-dir", str(data_dir), "import", str(path), "--category", "nope", "--json")
    assert code == 1 and data["error"]["code"] == "unknown_category"


def test_cli_bad_file_exits_1_and_writes_nothing(data_dir, tmp_path):
    """A corrupt workbook gives exit 1, a Chinese message, and no notice."""
    path = fx.corrupt_xlsx(tmp_path / "坏.xlsx")
    code, data = cli("--data-dir", str(data_dir), "import", str(path), "--category", "dibao", "--json")
    assert code == 1 and data["error"]["code"] == "corrupt"
    code, listing = cli("--data-dir", str(data_dir), "disclosure", "list", "--json")
    assert listing["disclosures"] == []


def test_ledger_export_keeps_ids_as_masked_text(data_dir, tmp_path):
    """The 台账 has a frozen header; ID cells are text ('@'), masked in the semi-public preset, full internally."""
    path = fx.messy_dibao_xlsx(tmp_path / "低保.xlsx")
    cli("--data-dir", str(data_dir), "import", str(path), "--category", "dibao", "--json")
    for preset, expected in (("semi_public", fx.ID_ZHANG[:6] + "********" + fx.ID_ZHANG[-4:]), ("internal", fx.ID_ZHANG)):
        out = tmp_path / f"台账-{preset}.xlsx"
        code, data = cli("--data-dir", str(data_dir), "export", "ledger", "--category", "dibao",
                             "--mask", preset, "-o", str(out), "--json")
        assert code == 0 and data["rows"] == 4
        sheet = openpyxl.load_workbook(out).active
        header = [c.value for c in sheet[1]]
        id_cell = sheet.cell(2, header.index("身份证号码") + 1)
        assert sheet.freeze_panes == "A2"
        assert id_cell.number_format == "@" and isinstance(id_cell.value, str)
        assert id_cell.value == expected


def test_template_has_text_id_column_and_enum_lists(tmp_path):
    """The blank template formats the ID column as text and offers the catalogue options as drop-downs."""
    out = tmp_path / "模板.xlsx"
    code, data = cli("--data-dir", str(tmp_path / "d"), "template", "dibao", "-o", str(out), "--json")
    assert code == 0
    sheet = openpyxl.load_workbook(out)["花名册"]
    header = [c.value for c in sheet[1]]
    id_col = header.index("身份证号码") + 1
    assert sheet.cell(2, id_col).number_format == "@"
    formulas = [dv.formula1 for dv in sheet.data_validations.dataValidation]
    assert any("新增" in f and "停保" in f for f in formulas)
