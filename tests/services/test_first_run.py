"""First run: answers are validated before anything is written; a valid set creates township, boards, admin and settings."""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from zwgk_desktop.config import Settings
from zwgk_desktop.core.models import NoticeBoard, Township, User
from zwgk_desktop.core.users import SETUP_ACTOR
from zwgk_desktop.errors import InvalidInput
from zwgk_desktop.ops.settings import complete_first_run
from zwgk_desktop.services.first_run import FirstRunAnswers, read_village_names


def answers(**overrides) -> FirstRunAnswers:
    base = dict(township="河口镇", villages=["东村", "西村"], admin_username="admin", admin_password="s3cret-pass",
                county_url="https://county.example/", backup_dir="")
    return FirstRunAnswers(**{**base, **overrides})


def test_complete_first_run_sets_up_everything(database, config):
    """Township, a board per village plus the township board, an argon2-hashed admin, and the county URL saved."""
    summary = complete_first_run(database, SETUP_ACTOR, config, answers(backup_dir=str(config.data_dir / "bk")))
    assert summary["villages"] == ["东村", "西村"] and summary["boards"] == 3
    with database.session() as s:
        assert s.execute(select(Township.name)).scalar() == "河口镇"
        admin = s.execute(select(User)).scalar_one()
        assert admin.role == "admin" and admin.password_hash.startswith("$argon2")
        assert s.execute(select(NoticeBoard)).scalars().all()
    saved = Settings.from_file(config.data_dir / "settings.json")
    assert saved.county_url == "https://county.example" and saved.backup_dir.endswith("bk")


def test_bad_answers_write_nothing(database, config):
    """An invalid county address is refused before the township or admin is created."""
    with pytest.raises(InvalidInput) as err:
        complete_first_run(database, SETUP_ACTOR, config, answers(county_url="county.example"))
    assert "https://" in err.value.message
    with database.session() as s:
        assert s.execute(select(Township)).first() is None
        assert s.execute(select(User)).first() is None


def test_village_names_from_a_spreadsheet(tmp_path):
    """Village names come from the first column, header skipped, duplicates dropped."""
    wb = Workbook()
    ws = wb.active
    for row in (["村名称"], ["东村"], ["西村"], [None], ["东村"], ["新河社区"]):
        ws.append(row)
    path = tmp_path / "villages.xlsx"
    wb.save(path)
    assert read_village_names(path) == ["东村", "西村", "新河社区"]


def test_unreadable_village_list_is_a_chinese_error(tmp_path):
    """A file that isn't a spreadsheet gives a clear message instead of a crash."""
    path = tmp_path / "villages.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(InvalidInput) as err:
        read_village_names(path)
    assert "无法读取" in err.value.message
