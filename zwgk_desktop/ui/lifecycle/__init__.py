"""Lifecycle widgets: 今日待办 dashboard, review panel, posting/objection/login dialogs, lifecycle actions.

Qt only here; every rule lives in `zwgk_desktop.core` (lifecycle, postings,
objections, users, dashboard).
"""

from zwgk_desktop.ui.lifecycle.actions import LifecycleActions, ReviewDialog
from zwgk_desktop.ui.lifecycle.calendar_view import CalendarExplanation
from zwgk_desktop.ui.lifecycle.dashboard import DashboardPage
from zwgk_desktop.ui.lifecycle.login import LoginDialog
from zwgk_desktop.ui.lifecycle.objection import ObjectionDialog
from zwgk_desktop.ui.lifecycle.posting import PostingDialog
from zwgk_desktop.ui.lifecycle.review import ReviewPanel

__all__ = [
    "CalendarExplanation", "DashboardPage", "LifecycleActions", "LoginDialog", "ObjectionDialog",
    "PostingDialog", "ReviewDialog", "ReviewPanel",
]
