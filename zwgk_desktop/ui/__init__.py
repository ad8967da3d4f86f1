"""All PySide6 code: app bootstrap (`app.run_app`), main window, pages, table models, background runner.

Nothing outside this package imports Qt. Pages read and write through
`zwgk_desktop.core` use cases on the background runner (`tasks.TaskManager`)
and show DTOs, never ORM objects. Importing this package first applies the
binding work-arounds in `qtcompat` (a PySide6 6.12 reference-count bug).
"""

from zwgk_desktop.ui import qtcompat as _qtcompat

_qtcompat.install()
