"""The operations layer: every use case of the app as one Qt-free function, shared by CLI, UI and tests.

A reader follows any feature as: screen or command → one op here →
core/services → database. Each module covers one area (notices, printing,
cards, photos, sync, kiosk, settings, requests, …); each public function is
a use case `op(db, actor, *args, job=None) -> DTO` marked `@reads` or
`@writes(kinds)` (see `ops.base`). CLI commands parse arguments, call one
op and print its DTO as JSON; desktop pages call
`tasks.run_op(op, *args, on_success=render)` and subscribe to
`tasks.changed` to refresh after writes. No Qt here, ever; no SQL, Session
or ORM object in `ui/`.
"""

from zwgk_desktop.ops.base import Changes, read_session, reads, unit_of_work, writes  # noqa: F401
