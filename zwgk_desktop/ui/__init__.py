"""All PySide6 code: app bootstrap (`app.run_app`), main window, pages, table models, background runner.

Nothing outside this package imports Qt. Pages read and write through
`zwgk_desktop.core` use cases on the background runner (`tasks.TaskManager`)
and show DTOs, never ORM objects. PySide6 is pinned below 6.12 in
pyproject.toml: 6.12.0 drops references to None/True on every
`processEvents()`/`emit()` and aborts long-running sessions.

Importing this package imports PySide6.QtCore and takes shiboken's
`__feature__` import hook out again (`drop_feature_import_hook`): we never
write `from __feature__ import …`, and the hook reads the whole source of
every module imported after Qt (`inspect.getsource`, to look for the word
"PySide6"), which made SQLAlchemy and the models ~30 % slower to import at
start-up and kept all that text in `linecache`.
"""

import builtins

import PySide6.QtCore  # noqa: F401 - installs shiboken's import hooks; the feature one is dropped below


def drop_feature_import_hook() -> bool:
    """Put back the import under shiboken's `__feature_import__` (its lazy-type `__lazy_import__`, which keeps
    `from PySide6.QtX import *` whole); True if it was installed. Any other replacement is left alone."""
    feature = getattr(builtins, "__feature_import__", None)
    below = getattr(builtins, "__orig_import__", None)
    if feature is None or below is None or builtins.__import__ is not feature:
        return False
    builtins.__import__ = below
    return True


drop_feature_import_hook()
