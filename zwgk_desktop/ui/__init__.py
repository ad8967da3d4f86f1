"""All PySide6 code: app bootstrap (`app.run_app`), main window, pages, table models, background runner.

Nothing outside this package imports Qt. Pages read and write through
`zwgk_desktop.core` use cases on the background runner (`tasks.TaskManager`)
and show DTOs, never ORM objects. PySide6 is pinned below 6.12 in
pyproject.toml: 6.12.0 drops references to None/True on every
`processEvents()`/`emit()` and aborts long-running sessions.
"""
