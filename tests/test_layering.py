"""The UI is a thin layer: no SQL, Session or ORM model under zwgk_desktop/ui; every use case goes through ops."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parent.parent / "zwgk_desktop" / "ui"
FORBIDDEN_MODULES = ("sqlalchemy", "zwgk_desktop.core.models", "zwgk_desktop.core.db", "zwgk_desktop.core.schema")
# Modules not yet moved onto the ops layer. Each area's migration removes its files; the list ends empty.
NOT_YET_ON_OPS: set[str] = {
    "app.py", "import_dialog.py", "kiosk/lookup.py", "kiosk/window.py",
    "lifecycle/common.py", "lifecycle/startup.py", "lifecycle/wiring.py",
    "pages/disclosures.py", "pages/households.py",
    "printing/card_queries.py", "printing/cards_page.py", "printing/poster_dialog.py", "printing/service_items_editor.py",
    "settings/common.py", "settings/data.py", "settings/users_tab.py", "stats/page.py", "sync/data.py",
}


FORBIDDEN_METHODS = ("session", "new_session", "execute", "scalars")  # database.session(), session.execute()
FORBIDDEN_FUNCTIONS = ("select", "insert", "update", "delete", "text")  # SQLAlchemy statement builders


def database_imports(path: Path) -> list[str]:
    """Database access in `path`: FORBIDDEN_MODULES imported anywhere, or `.session()`/`select()`-style calls."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_METHODS:
                found.append(f".{func.attr}()")
            elif isinstance(func, ast.Name) and func.id in FORBIDDEN_FUNCTIONS:
                found.append(f"{func.id}()")
        found += [n for n in names if any(n == m or n.startswith(m + ".") for m in FORBIDDEN_MODULES)]
    return found


def test_ui_imports_no_sqlalchemy_session_or_models():
    """Pages render DTOs from ops; a ui module importing SQLAlchemy or the ORM models is a layering bug."""
    offenders = {}
    for path in sorted(UI.rglob("*.py")):
        relative = path.relative_to(UI).as_posix()
        if relative in NOT_YET_ON_OPS:
            continue
        if found := database_imports(path):
            offenders[relative] = found
    assert offenders == {}


def test_not_yet_migrated_list_only_names_real_offenders():
    """The allow-list shrinks as areas move onto ops: a migrated file must be taken off it."""
    stale = sorted(name for name in NOT_YET_ON_OPS if not (UI / name).exists() or not database_imports(UI / name))
    assert stale == []


DATABASE_PARAMETERS = ("session", "database", "db")


def database_functions_imported(path: Path) -> list[str]:
    """core/services functions taking a session or database that `path` imports (those belong behind an op)."""
    import importlib
    import inspect

    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                ("zwgk_desktop.core", "zwgk_desktop.services"))):
            continue
        module = importlib.import_module(node.module)
        for alias in node.names:
            target = getattr(module, alias.name, None)
            if inspect.ismodule(target):  # `from zwgk_desktop.core import lifecycle` then lifecycle.submit(...)
                found += [f"{target.__name__}.{name}" for name, fn in vars(target).items()
                          if takes_database(fn) and getattr(fn, "__module__", "") == target.__name__]
            elif takes_database(target):
                found.append(f"{node.module}.{alias.name}")
    return found


def takes_database(target) -> bool:
    import inspect

    if not inspect.isfunction(target):
        return False
    params = list(inspect.signature(target).parameters)
    return bool(params) and params[0] in DATABASE_PARAMETERS


# Modules still calling core/services database functions directly; each area's move onto ops empties it.
CALLS_CORE_DIRECTLY: set[str] = {
    "app.py", "first_run.py", "import_dialog.py",
    "lifecycle/actions.py", "lifecycle/dashboard.py", "lifecycle/items_editor.py", "lifecycle/login.py",
    "lifecycle/objection.py", "lifecycle/posting.py", "lifecycle/record.py", "lifecycle/review.py", "lifecycle/startup.py",
    "pages/disclosures.py", "pages/households.py",
    "printing/card_queries.py", "printing/cards_page.py", "printing/poster_dialog.py", "printing/service_items_editor.py",
    "settings/calendar_tab.py", "settings/data.py", "settings/users_tab.py", "stats/page.py", "sync/data.py",
}


def test_ui_calls_database_work_only_through_ops():
    """A page never calls a core/services function that takes a session or database: it runs an op."""
    offenders = {}
    for path in sorted(UI.rglob("*.py")):
        relative = path.relative_to(UI).as_posix()
        if relative in CALLS_CORE_DIRECTLY:
            continue
        if found := database_functions_imported(path):
            offenders[relative] = found
    assert offenders == {}


def test_direct_callers_list_only_names_real_offenders():
    """The direct-caller allow-list shrinks too: a file that no longer calls core directly is taken off it."""
    stale = sorted(name for name in CALLS_CORE_DIRECTLY
                   if not (UI / name).exists() or not database_functions_imported(UI / name))
    assert stale == []
