"""The old session runner, kept only for the draft line-item editor (`items_editor.py`) until that moves onto
ops; every other lifecycle widget runs ops through `tasks.run_op`. Delete this module when nothing imports it.

`Runner.call(fn(session), on_success, on_failure)` runs `fn` in one transaction as the actor, on the app's
`TaskManager` when given, else right away.
"""

from __future__ import annotations

from typing import Any, Callable

from zwgk_desktop.errors import ZwgkError


class Runner:
    """Run `fn(session)` as `actor` in one transaction, in the background when a TaskManager is given."""

    def __init__(self, database, actor, tasks=None):
        self.database, self.actor, self.tasks = database, actor, tasks

    def call(
        self,
        fn: Callable[[Any], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
    ) -> None:
        def work():
            with self.database.session(user=self.actor.username) as session:
                return fn(session)

        if self.tasks is not None:
            self.tasks.run(work, on_success, on_failure)
            return
        try:
            result = work()
        except ZwgkError as exc:
            on_failure(exc)
            return
        on_success(result)
