"""The rosters tests' data dir: a township 青山镇 with the fixture villages, and its database opened."""

from __future__ import annotations

import pytest

from zwgk_desktop.config import Config
from zwgk_desktop.core.schema import open_database
from zwgk_desktop.core.townships import init_township

from . import fixtures as fx


@pytest.fixture
def data_dir(tmp_path):
    directory = tmp_path / "data"
    database = open_database(Config.load(directory))
    with database.session() as session:
        init_township(session, "青山镇", fx.VILLAGES)
    database.dispose()
    return directory


@pytest.fixture
def database(data_dir):
    db = open_database(Config.load(data_dir))
    yield db
    db.dispose()
