"""The desktop meets a database in an unknown state (tables, no alembic_version): a Chinese message box, no traceback,
no backup copies, the file untouched."""

from __future__ import annotations

import sqlite3

from zwgk_desktop.core.schema import open_database


def test_the_app_explains_an_unknown_database_state_and_changes_nothing(qapp, config, monkeypatch):
    """open_database_or_explain shows 无法打开数据库 with the file name and the reason; nothing is written or copied."""
    from zwgk_desktop.ui import app as app_module

    open_database(config).dispose()
    conn = sqlite3.connect(config.db_path)
    conn.execute("DROP TABLE alembic_version")
    conn.commit()
    conn.close()
    before = config.db_path.read_bytes()
    shown = []
    monkeypatch.setattr(app_module.QMessageBox, "critical", lambda parent, title, text: shown.append((title, text)))
    for _ in range(2):
        assert app_module.open_database_or_explain(config) is None
    assert len(shown) == 2 and shown[0][0] == "无法打开数据库"
    assert str(config.db_path) in shown[0][1] and "alembic_version" in shown[0][1]
    assert config.db_path.read_bytes() == before
    assert not config.backups_dir.exists() or not list(config.backups_dir.glob("*.sqlite3"))
