"""The UI is a thin layer: no SQL, Session or ORM model under zwgk_desktop/ui; every use case goes through ops."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

UI = Path(__file__).resolve().parent.parent / "zwgk_desktop" / "ui"
FORBIDDEN_MODULES = ("sqlalchemy", "zwgk_desktop.core.models", "zwgk_desktop.core.db", "zwgk_desktop.core.schema")
FORBIDDEN_METHODS = ("session", "new_session", "execute", "scalars")  # database.session(), session.execute()
FORBIDDEN_FUNCTIONS = ("select", "insert", "update", "delete", "text")  # SQLAlchemy statement builders
DATABASE_PARAMETERS = ("session", "database", "db")


def ui_modules() -> list[tuple[str, ast.AST]]:
    return [(path.relative_to(UI).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
            for path in sorted(UI.rglob("*.py"))]


def database_access(tree: ast.AST) -> list[str]:
    """FORBIDDEN_MODULES imported anywhere in a module (top level or inside functions), or `.session()`/`select()` calls."""
    found = []
    for node in ast.walk(tree):
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


def takes_database(target) -> bool:
    if not inspect.isfunction(target):
        return False
    params = list(inspect.signature(target).parameters)
    return bool(params) and params[0] in DATABASE_PARAMETERS


def database_functions_imported(tree: ast.AST) -> list[str]:
    """core/services functions taking a session or database that a module imports (those belong behind an op)."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.ImportFrom) and node.module
                and node.module.startswith(("zwgk_desktop.core", "zwgk_desktop.services"))):
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


def test_ui_imports_no_sqlalchemy_session_or_models():
    """Pages render DTOs from ops; a ui module importing SQLAlchemy or the ORM models is a layering bug."""
    offenders = {name: found for name, tree in ui_modules() if (found := database_access(tree))}
    assert offenders == {}


def test_ui_calls_database_work_only_through_ops():
    """A page never calls a core/services function that takes a session or database: it runs an op."""
    offenders = {name: found for name, tree in ui_modules() if (found := database_functions_imported(tree))}
    assert offenders == {}


def test_the_checks_catch_a_page_that_queries_the_database():
    """The two checks above are not vacuous: a page written the old way is caught by both."""
    old_style = ast.parse(
        "from sqlalchemy import select\n"
        "from zwgk_desktop.core.lifecycle import submit\n"
        "def load(database):\n"
        "    with database.session() as s:\n"
        "        return s.execute(select(1))\n"
    )
    assert {"sqlalchemy", ".session()", ".execute()", "select()"} <= set(database_access(old_style))
    assert database_functions_imported(old_style) == ["zwgk_desktop.core.lifecycle.submit"]
