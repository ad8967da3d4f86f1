"""Lifecycle UI: 今日待办 dashboard, review panel, posting/objection/login dialogs, lifecycle actions, start-up sign-in,
the draft line-item editor and 切换用户.

Qt only here; every use case runs through `zwgk_desktop.ops` (notices,
postings, objections, todo) on `tasks.run_op`; every rule lives in
`zwgk_desktop.core` (lifecycle, postings, objections, users, dashboard).
`install(window)` is the plug-in entry the app calls (see `wiring.py`);
`sign_in` (see `startup.py`) decides who works.

The names below are imported on first use (PEP 562), not with the package:
start-up imports `startup` and `dashboard` to sign in and fill 今日待办
without the editor, the dialogs and the actions (and the roster and notice
services behind them), which come with `install` once 今日待办 is shown.
"""

from __future__ import annotations

from zwgk_desktop.lazy import lazy_exports

_EXPORTS = {
    "LifecycleActions": "actions",
    "CalendarExplanation": "calendar_view",
    "DashboardPage": "dashboard",
    "ItemsEditorDialog": "items_editor",
    "LoginDialog": "login",
    "NewNoticeDialog": "new_notice",
    "ObjectionDialog": "objection",
    "PostingDialog": "posting",
    "NoticeRecordView": "record",
    "ReviewDialog": "review",
    "ReviewPanel": "review",
    "SignIn": "startup",
    "sign_in": "startup",
    "LifecycleWiring": "wiring",
    "install": "wiring",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
