"""The database page check: the desktop opens on the header and schema only and checks every page later, once
a day; the command line keeps the full check when it opens the database."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from zwgk_desktop.config import Config
from zwgk_desktop.core.integrity import check_database_pages, check_due
from zwgk_desktop.core.schema import open_database
from zwgk_desktop.core.users import SYSTEM_ACTOR
from zwgk_desktop.errors import DatabaseCorrupt
from zwgk_desktop.ops.database import check_pages, open_app_database


def damaged_copy(tmp_path, demo_template) -> Config:
    """A demo database with one page in the middle overwritten (header and schema intact)."""
    config = Config.load(tmp_path / "damaged")
    config.ensure_data_dir()
    shutil.copy2(demo_template, config.db_path)
    data = bytearray(config.db_path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    middle = (len(data) // page_size // 2) * page_size
    data[middle:middle + page_size] = b"\x0d\xff" * (page_size // 2)
    config.db_path.write_bytes(bytes(data))
    return config


def test_a_sound_database_passes_once_a_day(demo_config):
    """The check passes, is remembered for the day (skipped on the next start) and runs again the next day."""
    day = date(2026, 12, 7)
    first = check_database_pages(demo_config.db_path, demo_config.cache_dir, today=day)
    assert first.ok and not first.skipped
    assert not check_due(demo_config.cache_dir, day)
    again = check_database_pages(demo_config.db_path, demo_config.cache_dir, today=day)
    assert again.ok and again.skipped
    assert check_due(demo_config.cache_dir, date(2026, 12, 8))


def test_a_damaged_page_opens_for_the_desktop_but_fails_the_page_check(tmp_path, demo_template):
    """The desktop's open (header + schema) succeeds on a file with a damaged page; the page check then names
    the problem and says to restore a backup, and is not marked as passed."""
    config = damaged_copy(tmp_path, demo_template)
    database = open_app_database(config, quick_check=False)
    try:
        report = check_pages(database, SYSTEM_ACTOR)
    finally:
        database.dispose()
    assert not report.ok and report.problem and "备份" in report.message
    assert check_due(config.cache_dir, date.today())


def test_the_command_line_still_refuses_a_damaged_file(tmp_path, demo_template):
    """Opening for a command (the default) runs the full page check and refuses the damaged file unchanged."""
    config = damaged_copy(tmp_path, demo_template)
    before = config.db_path.read_bytes()
    with pytest.raises(DatabaseCorrupt):
        open_database(config)
    assert config.db_path.read_bytes() == before
