"""The 今日待办 remembered at closing (core.start_snapshot) is shown only while nothing can have changed it."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import pytest

from zwgk_desktop.core.start_snapshot import SnapshotStore
from zwgk_desktop.core.todo_item import TodoItem

TODAY = date(2026, 12, 3)
ROWS = [
    TodoItem("awaiting_conclusion", "待办结", "青山镇2026年11月低保公示", "公示期已满，请办结。",
             due="2026-12-01", disclosure_id="d1", urgent=True),
    TodoItem("photo_start", "缺张贴照", "石桥村危房改造公示", "尚无张贴时的清晰照片：石桥村村务公开栏。", posting_id="p1"),
]
TODO = {"items": [row.as_json() for row in ROWS], "notices": 49}


@pytest.fixture
def store(tmp_path) -> SnapshotStore:
    """A closed WAL-mode database beside its cache folder, as the app leaves them."""
    db_path = tmp_path / "zwgk.sqlite3"
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE notice (id TEXT PRIMARY KEY, title TEXT)")
        conn.execute("INSERT INTO notice VALUES ('d1', '低保公示')")
    conn.close()
    return SnapshotStore(tmp_path / "cache", db_path, tmp_path / "county" / "catalogue.json")


def test_an_untouched_database_gives_back_the_same_rows(store):
    """Remembered and recalled on the same day with the files untouched: the same rows and notice count."""
    store.remember({TODAY: TODO})
    recalled = store.recall(TODAY)
    assert recalled is not None and recalled.items == ROWS and recalled.notices == 49
    assert not list(store.path.parent.glob(".*part"))  # written through a temp file


def test_each_day_gets_the_list_made_for_it(store):
    """Periods end and deadlines pass: yesterday's list is never shown today; a list made at closing for a later
    day (closed on Friday, opened on Monday) is shown on that day."""
    monday = {"items": [], "notices": 7}
    store.remember({TODAY - timedelta(days=1): TODO, TODAY + timedelta(days=3): monday})
    assert store.recall(TODAY) is None
    assert store.recall(TODAY + timedelta(days=3)).notices == 7


def test_a_commit_by_another_program_while_the_app_was_closed_is_noticed(store):
    """A write in between (the CLI, a sync, a restore), whether still in the WAL or checkpointed into the file,
    makes the remembered list stale."""
    store.remember({TODAY: TODO})
    conn = sqlite3.connect(store.db_path)
    conn.execute("INSERT INTO notice VALUES ('d2', '特困公示')")
    conn.commit()
    assert store.recall(TODAY) is None  # the commit sits in the WAL
    conn.close()  # last connection: checkpointed, the WAL removed
    assert not store.db_path.with_name("zwgk.sqlite3-wal").exists()
    assert store.recall(TODAY) is None
    store.remember({TODAY: TODO})
    assert store.recall(TODAY) is not None


def test_a_new_county_catalogue_is_noticed(store):
    """A catalogue pulled from the county (new categories, cadences) changes the list: not shown."""
    store.remember({TODAY: TODO})
    store.catalogue_path.parent.mkdir()
    store.catalogue_path.write_text("{}", encoding="utf-8")
    assert store.recall(TODAY) is None


@pytest.mark.parametrize("content", ["", "{not json", "[]", json.dumps({"format": 99}),
                                     json.dumps({"format": 1, "date": TODAY.isoformat()})])
def test_an_unreadable_or_foreign_file_is_ignored(store, content):
    """A damaged snapshot, or one from another version, is ignored without an error."""
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text(content, encoding="utf-8")
    assert store.recall(TODAY) is None


def test_an_oversized_file_is_not_read(store):
    """A huge file in the cache folder (not one the app wrote) is skipped, not parsed at start-up."""
    store.remember({TODAY: TODO})
    with open(store.path, "a", encoding="utf-8") as fh:
        fh.write(" " * (5 * 1024 * 1024))  # still valid JSON, just far too big
    assert store.recall(TODAY) is None


def test_rows_of_another_shape_are_ignored(store):
    """Rows written by another version of the program (other fields) are not shown half-read."""
    store.remember({TODAY: {"items": [{"kind": "ending_soon", "title": "x"}], "notices": 1}})
    assert store.recall(TODAY) is None


def test_forget_removes_it(store):
    """Forgetting (log-in required) leaves nothing to show."""
    store.remember({TODAY: TODO})
    store.forget()
    assert not store.path.exists() and store.recall(TODAY) is None
    store.forget()  # nothing there: no error
