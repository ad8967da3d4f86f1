"""Start-up order (issue 17): the window shell is painted before anything heavy is imported or the database
opened; 今日待办 is filled without the printing, photo, spreadsheet or network libraries; `zwgk gui` parses
its command line without importing the other commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[2]
# What the first screen never needs (printing, photos, spreadsheets, network, PDF preview, password hashing).
HEAVY = ("reportlab", "PIL", "openpyxl", "httpx", "python_calamine", "pypdfium2", "argon2")
# What comes only once 今日待办 is filled: the rest of the lifecycle (actions, editor, dialogs and the notice and
# roster services behind them), the data pages and their table models; and, on a township with no open request
# (the demo's), the 依申请公开 register and its privacy rules.
AFTER_TODAY = (
    "zwgk_desktop.ui.lifecycle.wiring", "zwgk_desktop.ui.lifecycle.actions", "zwgk_desktop.ui.lifecycle.items_editor",
    "zwgk_desktop.ui.lifecycle.record", "zwgk_desktop.services.rosters", "zwgk_desktop.ops.notices",
    "zwgk_desktop.ui.pages.disclosures", "zwgk_desktop.ui.pages.households", "zwgk_desktop.ui.table_models",
    "zwgk_desktop.ops.overview", "zwgk_desktop.core.requests", "zwgk_desktop.core.privacy",
)


def modules_at(point: str, data_dir: Path, tmp_path: Path) -> set[str]:
    """The names in `sys.modules` of a real `zwgk gui` process at a start-up point (1 = first paint, today)."""
    listing = tmp_path / f"modules-{point}.txt"
    result = run_cli("gui", data_dir=data_dir, timeout=180,
                     env={"ZWGK_EXIT_AFTER_SHOWN": point, "ZWGK_MODULES_FILE": str(listing)})
    assert result.returncode == 0, result.stderr
    return set(listing.read_text(encoding="utf-8").split())


def packages(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.mark.slow
def test_nothing_heavy_and_no_database_before_the_first_paint(demo_config, tmp_path):
    """At the window's first paint no heavy library, no SQLAlchemy, no page module and no other command is loaded."""
    loaded = modules_at("1", demo_config.data_dir, tmp_path)
    assert "zwgk_desktop.ui.main_window" in loaded  # the listing really comes from the painted window
    assert packages(loaded) & {*HEAVY, "sqlalchemy", "alembic"} == set()
    assert not {"zwgk_desktop.core.models", "zwgk_desktop.ui.pages.disclosures", "zwgk_desktop.ui.tasks"} & loaded
    assert not {m for m in loaded if m.startswith("zwgk_desktop.commands.")} - {"zwgk_desktop.commands.app"}


@pytest.mark.slow
def test_todays_list_is_filled_without_the_heavy_libraries(demo_config, tmp_path):
    """On an everyday start, when 今日待办 has been read from the database (SQLAlchemy models yes) printing,
    photos, Excel, network and password hashing are still not imported: those pages come later."""
    first = modules_at("today-live", demo_config.data_dir, tmp_path)  # the first start makes the single-user account
    assert "argon2" in packages(first)  # (its random password is hashed)
    loaded = modules_at("today-live", demo_config.data_dir, tmp_path)
    assert {"sqlalchemy", "zwgk_desktop"} <= packages(loaded)
    assert "zwgk_desktop.ui.lifecycle.dashboard" in loaded
    assert packages(loaded) & set(HEAVY) == set()
    assert set(AFTER_TODAY) & loaded == set()


@pytest.mark.slow
def test_the_list_remembered_at_closing_is_shown_before_the_database_layer_loads(demo_config, tmp_path):
    """After a start that closed normally, the next start shows 今日待办 before SQLAlchemy or the models are
    imported: the list remembered at closing (`core.start_snapshot`)."""
    modules_at("today-live", demo_config.data_dir, tmp_path)  # closes normally: remembers the list
    loaded = modules_at("today", demo_config.data_dir, tmp_path)
    assert "zwgk_desktop.ui.lifecycle.dashboard" in loaded and "zwgk_desktop.core.start_snapshot" in loaded
    assert packages(loaded) & {*HEAVY, "sqlalchemy", "alembic"} == set()
    assert "zwgk_desktop.core.models" not in loaded


def test_todays_page_alone_imports_none_of_the_rest_of_the_lifecycle():
    """Importing the first screen's modules (sign-in, 今日待办) leaves the lifecycle package's other modules
    unloaded: the package exports them on first use."""
    code = ("import sys, zwgk_desktop.ui.lifecycle.startup, zwgk_desktop.ui.lifecycle.dashboard as d; "
            "assert callable(d.install); print('\\n'.join(sorted(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert set(AFTER_TODAY) & set(result.stdout.split()) == set()


def test_the_lifecycle_package_still_exports_its_names():
    """`from zwgk_desktop.ui.lifecycle import X` works for every exported name (loaded on first use)."""
    import zwgk_desktop.ui.lifecycle as lifecycle

    for name in lifecycle.__all__:
        assert getattr(lifecycle, name).__name__ == name
    with pytest.raises(AttributeError):
        lifecycle.NoSuchThing  # noqa: B018


def test_only_the_gui_command_line_skips_the_other_commands():
    """`zwgk`, `zwgk gui` and `zwgk --data-dir D gui` start the app with the small parser; any other command,
    `--help` or `--version` builds the full one."""
    from zwgk_desktop.cli import starts_gui

    assert starts_gui([]) and starts_gui(["gui"]) and starts_gui(["--data-dir", "/tmp/x"])
    assert starts_gui(["--data-dir", "/tmp/x", "gui", "--demo-if-empty"]) and starts_gui(["--data-dir=/tmp/x", "gui"])
    assert not starts_gui(["demo", "--json"]) and not starts_gui(["--help"]) and not starts_gui(["--version"])
    assert not starts_gui(["--data-dir"]) and not starts_gui(["--data-dir", "/tmp/x", "disclosure", "list"])


def test_the_full_command_line_still_lists_every_command():
    """`zwgk --help` still lists the other commands (the small parser is only for starting the app)."""
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("gui", "demo", "import", "print", "backup", "sync", "audit"):
        assert command in result.stdout
