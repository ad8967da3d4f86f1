"""Who is working: decide at start-up between the first-run wizard, single-user mode and the login dialog.

`sign_in(database, config, demo_if_empty=...)` returns a `SignIn` (the
`Actor` plus what the app should still do) or None when the user cancelled
(nothing written). The order:
1. an empty database without accounts and no `--demo-if-empty` → the
   first-run wizard (township, villages, administrator); its administrator
   is the actor;
2. an empty database with `--demo-if-empty`, or a township set up from the
   command line without any user → single-user mode with an administrator
   account created for it (random password: the account is only used
   without login; `zwgk user reset` sets one), so a newcomer sees the app
   at once;
3. single-user mode switched on → its administrator, no dialog;
4. otherwise → the login dialog.
An empty database with `--demo-if-empty` also asks for the demo township
(again, if an earlier attempt was cancelled after the account was made).
Dialogs are shown through `run_dialog` (default `exec()`), so tests answer
them without blocking. `read_start_state` is one read (in single-user mode
it names the actor too); the desktop does it on its opening thread and
passes it in. Every database step is an `ops.users` use case,
called directly: this runs before the main window and its task manager
exist, with nobody signed in yet (`GUEST_ACTOR` reads, `SETUP_ACTOR`
creates the single-user administrator).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtWidgets import QDialog

from zwgk_desktop.core.users import GUEST_ACTOR, SETUP_ACTOR, Actor
from zwgk_desktop.ops import users as users_ops
from zwgk_desktop.ops.users import StartState
from zwgk_desktop.ui.i18n import tr


@dataclass(frozen=True)
class SignIn:
    """The result of start-up: who acts, whether to create the demo township, a status-bar note."""

    actor: Actor
    create_demo: bool = False
    note: str = ""


def read_start_state(database) -> StartState:
    return users_ops.start_state(database, GUEST_ACTOR)


def adopt_single_user(database) -> Actor:
    """A township without accounts: its single-user administrator, created now."""
    return users_ops.adopt_single_user(database, SETUP_ACTOR, tr("管理员"))


def resume_single_user(database) -> Actor:
    return users_ops.single_user_actor(database, GUEST_ACTOR)


def default_run_dialog(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


def sign_in(
    database,
    config,
    *,
    demo_if_empty: bool = False,
    run_dialog: Callable[[QDialog], bool] = default_run_dialog,
    state: StartState | None = None,
) -> SignIn | None:
    """The actor for this session, or None if the user cancelled the wizard or the login; `state` is the
    `read_start_state` the caller has already read (the desktop reads it on its opening thread)."""
    state = state or read_start_state(database)
    if state.empty and state.needs_admin and not demo_if_empty:
        return _first_run(database, config, run_dialog)
    create_demo = state.empty and demo_if_empty
    if state.needs_admin:
        actor = adopt_single_user(database)
        note = tr("单用户模式：无需登录，以管理员身份使用。需要多人分工时，请在“设置”中添加用户并关闭单用户模式。")
        return SignIn(actor, create_demo=create_demo, note=note)
    if not state.login_required:
        return SignIn(state.single_user or resume_single_user(database), create_demo=create_demo)
    from zwgk_desktop.ui.lifecycle.login import LoginDialog

    dialog = LoginDialog(database, state.township)
    try:
        if not run_dialog(dialog) or dialog.actor is None:
            return None
        return SignIn(dialog.actor, create_demo=create_demo)
    finally:
        dialog.deleteLater()


def _first_run(database, config, run_dialog) -> SignIn | None:
    from zwgk_desktop.ui.first_run import FirstRunWizard

    wizard = FirstRunWizard(database, config)
    try:
        if not run_dialog(wizard) or wizard.result_summary is None:
            return None
        username, summary = wizard.answers().admin_username, wizard.result_summary
    finally:
        wizard.deleteLater()
    actor = users_ops.actor_named(database, username)
    note = tr("设置完成：已建立{township}和 {n} 个村（社区）。可在“公示管理”点“导入花名册”开始第一条公示。").format(
        township=summary["township"], n=len(summary["villages"]))
    return SignIn(actor, note=note)
