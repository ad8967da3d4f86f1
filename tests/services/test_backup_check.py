"""The backup's page check (run beside the copying, on the second core) still refuses a damaged database."""

from __future__ import annotations

import pytest

from tests.core.test_integrity import damaged_copy
from zwgk_desktop.ops.database import open_app_database
from zwgk_desktop.services.backup import BackupError, create_backup


def test_a_damaged_database_gives_no_backup(tmp_path, demo_template):
    """A database with one damaged page: `database_corrupt`, and nothing that looks like a backup is left."""
    config = damaged_copy(tmp_path, demo_template)
    database = open_app_database(config, quick_check=False)
    dest = tmp_path / "usb"
    try:
        with pytest.raises(BackupError) as caught:
            create_backup(config, dest, database=database)
    finally:
        database.dispose()
    assert caught.value.code == "database_corrupt" and "完整性检查未通过" in caught.value.message
    assert list(dest.iterdir()) == []
