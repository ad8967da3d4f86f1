"""Lifecycle UI: 今日待办 dashboard, review panel, posting/objection/login dialogs, lifecycle actions, start-up sign-in,
the draft line-item editor and 切换用户.

Qt only here; every use case runs through `zwgk_desktop.ops` (notices,
postings, objections, todo) on `tasks.run_op`; every rule lives in
`zwgk_desktop.core` (lifecycle, postings, objections, users, dashboard).
`install(window)` is the plug-in entry the app calls (see `wiring.py`);
`sign_in` (see `startup.py`) decides who works.
"""

from zwgk_desktop.ui.lifecycle.actions import LifecycleActions
from zwgk_desktop.ui.lifecycle.calendar_view import CalendarExplanation
from zwgk_desktop.ui.lifecycle.dashboard import DashboardPage
from zwgk_desktop.ui.lifecycle.items_editor import ItemsEditorDialog
from zwgk_desktop.ui.lifecycle.login import LoginDialog
from zwgk_desktop.ui.lifecycle.new_notice import NewNoticeDialog
from zwgk_desktop.ui.lifecycle.objection import ObjectionDialog
from zwgk_desktop.ui.lifecycle.posting import PostingDialog
from zwgk_desktop.ui.lifecycle.record import NoticeRecordView
from zwgk_desktop.ui.lifecycle.review import ReviewDialog, ReviewPanel
from zwgk_desktop.ui.lifecycle.startup import SignIn, sign_in
from zwgk_desktop.ui.lifecycle.wiring import LifecycleWiring, install

__all__ = [
    "CalendarExplanation", "DashboardPage", "ItemsEditorDialog", "LifecycleActions", "LifecycleWiring", "LoginDialog",
    "NewNoticeDialog", "NoticeRecordView",
    "ObjectionDialog", "PostingDialog", "ReviewDialog", "ReviewPanel", "SignIn", "install", "sign_in",
]
