"""LifecycleActions: the 公示管理 page's lifecycle buttons/menu as QActions, enabled by status and role.

The main window creates one, adds `actions()` to a toolbar or context menu
and calls `set_current(disclosure_id, status)` when the selection changes.
Each action runs the core use case as the logged-in actor, asking for a
reason where one is required, and emits `changed(disclosure_id)` afterwards
(for a correction: the new version's id) so the page can reload.
A disabled action's tooltip says why (role or status). The questions it asks
(`ask_reason`, `confirm`) and the failure report (`report_failure`) are
plain attributes, so tests and scripts can answer them without a modal box;
`failed(message)` is emitted for every failure as well.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QInputDialog, QMessageBox, QVBoxLayout, QWidget

from zwgk_desktop.core import lifecycle
from zwgk_desktop.core.objections import list_objections
from zwgk_desktop.core.status import EDITABLE, OPEN_FOR_OBJECTIONS, POSTABLE, Status, status_label
from zwgk_desktop.core.users import PERMISSION_LABELS
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.common import Runner, message_of
from zwgk_desktop.ui.lifecycle.objection import ObjectionDialog
from zwgk_desktop.ui.lifecycle.posting import PostingDialog
from zwgk_desktop.ui.lifecycle.review import ReviewPanel

# action key -> (label, statuses it applies to, permission)
ACTION_SPECS = {
    "submit": (tr("提交审核(&U)"), EDITABLE, "edit"),
    "review": (tr("审核(&V)…"), (Status.PENDING_REVIEW,), "review"),
    "post": (tr("登记张贴(&P)…"), POSTABLE, "post"),
    "objection": (tr("登记异议(&Y)…"), OPEN_FOR_OBJECTIONS, "objection"),
    "resolve": (tr("办理异议(&H)…"), OPEN_FOR_OBJECTIONS, "objection"),
    "conclude": (tr("期满办结(&J)"), (Status.PUBLISHING,), "conclude"),
    "archive": (tr("归档(&G)"), (Status.EXPIRED,), "conclude"),
    "correct": (tr("更正(&E)…"), lifecycle.CORRECTABLE_STATUSES, "edit"),
    "withdraw": (tr("撤回(&W)…"), lifecycle.WITHDRAWABLE_STATUSES, "edit"),
}


def plain_label(text: str) -> str:
    """'审核(&V)…' → '审核…': a label without its mnemonic, for tooltips and messages."""
    return re.sub(r"\(&\w\)", "", text).replace("&", "")


class ReviewDialog(QDialog):
    """A ReviewPanel in a dialog (Esc closes); closes itself after approve/return."""

    def __init__(self, database, actor, disclosure_id: str, tasks=None, parent: QWidget | None = None,
                 today: date | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("审核公示"))
        self.resize(860, 620)
        self.panel = ReviewPanel(database, actor, tasks, self, today=today)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setText(tr("关闭"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(close)
        self.panel.approved.connect(lambda _id: self.accept())
        self.panel.returned.connect(lambda _id: self.accept())
        self.panel.load(disclosure_id)


class LifecycleActions(QObject):
    """QActions for the selected notice; `changed(disclosure_id)` after every successful action."""

    changed = Signal(str)
    failed = Signal(str)  # the Chinese message of a failed action
    photo_requested = Signal(str, str)  # posting id, role (start|end): for the photos page
    show_requested = Signal(str)  # disclosure id (or "" with a category in `last_category`) to show in 公示管理

    def __init__(self, database, actor, parent_widget: QWidget, tasks=None,
                 *, today: Callable[[], date] | None = None):
        super().__init__(parent_widget)
        self.database, self.actor, self.tasks = database, actor, tasks
        self.parent_widget = parent_widget
        self.today = today or date.today
        self.runner = Runner(database, actor, tasks)
        self.current_id: str | None = None
        self.current_status: str | None = None
        self.last_category: str | None = None
        self.last_dialog: QDialog | None = None
        self.last_key: str | None = None  # the action last started (for "what happened" messages)
        self.ask_reason: Callable[[str, str], str | None] = self._ask_reason_dialog
        self.confirm: Callable[[str, str], bool] = self._confirm_dialog
        self.report_failure: Callable[[str], None] = self._warning_dialog
        self._actions: dict[str, QAction] = {}
        for key, (label, _statuses, _perm) in ACTION_SPECS.items():
            action = QAction(label, parent_widget)
            action.setObjectName(f"lifecycle_{key}")
            action.triggered.connect(lambda _checked=False, k=key: self.trigger(k))
            self._actions[key] = action
        self._actions["post"].setShortcut(QKeySequence("Ctrl+Shift+P"))
        self._actions["submit"].setShortcut(QKeySequence("Ctrl+Shift+U"))
        self.set_current(None, None)

    def actions(self) -> list[QAction]:
        return list(self._actions.values())

    def set_actor(self, actor) -> None:
        """Act as another user from now on (切换用户); re-enable the actions for the selected notice."""
        self.actor = actor
        self.runner = Runner(self.database, actor, self.tasks)
        self.set_current(self.current_id, self.current_status)

    def action(self, key: str) -> QAction:
        return self._actions[key]

    def set_current(self, disclosure_id: str | None, status: str | None) -> None:
        """Enable what the selected notice's status and the user's role allow."""
        self.current_id, self.current_status = disclosure_id, status
        for key, (_label, statuses, perm) in ACTION_SPECS.items():
            why_not = self.why_disabled(key, disclosure_id, status)
            action = self._actions[key]
            action.setEnabled(why_not is None)
            action.setToolTip(why_not or plain_label(action.text()))

    def why_disabled(self, key: str, disclosure_id: str | None, status: str | None) -> str | None:
        """Why the action can't be used now, in Chinese (None when it can)."""
        _label, statuses, perm = ACTION_SPECS[key]
        if not self.actor.can(perm):
            return tr("您的角色（{role}）无权{what}。如需办理，请联系管理员。").format(
                role=self.actor.role_label, what=PERMISSION_LABELS.get(perm, perm))
        if not disclosure_id:
            return tr("请先在列表中选择一条公示。")
        if status not in statuses:
            allowed = "、".join(status_label(s) for s in statuses)
            return tr("当前状态为“{now}”；只有“{allowed}”的公示可以这样办理。").format(now=status_label(status or ""), allowed=allowed)
        return None

    # --- running -----------------------------------------------------------------
    def trigger(self, key: str) -> None:
        if not self.current_id:
            return
        self.last_key = key
        getattr(self, f"do_{key}")(self.current_id)

    def _run(self, fn, done_id: Callable[[object], str] | None = None) -> None:
        nid = self.current_id
        self.runner.call(fn, lambda r: self.changed.emit(done_id(r) if done_id else nid), self._fail)

    def _fail(self, exc: BaseException) -> None:
        text = message_of(exc)
        self.failed.emit(text)
        self.report_failure(text)

    def _reason(self, title: str, prompt: str) -> str | None:
        return self.ask_reason(title, prompt)

    # --- the default questions (modal; replaced in tests) -------------------------
    def _ask_reason_dialog(self, title: str, prompt: str) -> str | None:
        text, ok = QInputDialog.getMultiLineText(self.parent_widget, title, prompt)
        return text if ok else None

    def _confirm_dialog(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self.parent_widget, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _warning_dialog(self, text: str) -> None:
        QMessageBox.warning(self.parent_widget, tr("操作未完成"), text)

    def _keep(self, dialog: QDialog) -> QDialog:
        self.last_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def do_submit(self, nid: str) -> None:
        self._run(lambda s: lifecycle.submit(s, self.actor, nid))

    def do_review(self, nid: str) -> QDialog:
        dialog = ReviewDialog(self.database, self.actor, nid, self.tasks, self.parent_widget, today=self.today())
        dialog.panel.approved.connect(self.changed)
        dialog.panel.returned.connect(self.changed)
        return self._keep(dialog)

    def do_post(self, nid: str) -> QDialog:
        dialog = PostingDialog(self.database, self.actor, nid, self.tasks, self.parent_widget, today=self.today())
        dialog.posted.connect(lambda result: self.changed.emit(result.disclosure_id))
        return self._keep(dialog)

    def do_objection(self, nid: str) -> QDialog:
        dialog = ObjectionDialog(self.database, self.actor, disclosure_id=nid, parent=self.parent_widget, today=self.today())
        dialog.saved.connect(lambda row: self.changed.emit(row.disclosure_id))
        return self._keep(dialog)

    def do_resolve(self, nid: str) -> None:
        """Handle the oldest open objection of the notice (the record tab lists them all)."""
        self.runner.call(lambda s: [o.id for o in list_objections(s, nid) if o.status == "open"], self._resolve_first, self._fail)

    def _resolve_first(self, open_ids: list[str]) -> None:
        if not open_ids:
            self.report_failure(tr("该公示没有未办结的异议。"))
            return
        self.resolve_objection(open_ids[0])

    def resolve_objection(self, objection_id: str) -> QDialog:
        self.last_key = "resolve"
        dialog = ObjectionDialog(self.database, self.actor, objection_id=objection_id, parent=self.parent_widget,
                                 today=self.today())
        dialog.saved.connect(lambda res: self.changed.emit(res.correction_id or res.objection.disclosure_id))
        return self._keep(dialog)

    def do_conclude(self, nid: str) -> None:
        today = self.today()
        self._run(lambda s: lifecycle.conclude(s, self.actor, nid, today=today))

    def do_archive(self, nid: str) -> None:
        if self.confirm(tr("归档"), tr("归档后公示将锁定为只读，不能再修改。确定归档吗？")):
            self._run(lambda s: lifecycle.archive(s, self.actor, nid))

    def do_withdraw(self, nid: str) -> None:
        reason = self._reason(tr("撤回公示"), tr("撤回原因（必填）："))
        if reason is not None:
            self._run(lambda s: lifecycle.withdraw(s, self.actor, nid, reason))

    def do_correct(self, nid: str) -> None:
        reason = self._reason(tr("更正公示"), tr("更正原因（必填）：\n将生成新版本草稿，原公示标记为已撤回。"))
        if reason is not None:
            self._run(lambda s: lifecycle.correct(s, self.actor, nid, reason).id, done_id=lambda new_id: new_id)

    # --- 今日待办 routing -------------------------------------------------------
    def open_todo(self, item) -> None:
        """Route a dashboard `TodoItem` to the place to act."""
        self.last_category = item.category
        if item.kind == "review_pending" and self.actor.can("review"):
            self.last_key = "review"
            self.do_review(item.disclosure_id)
        elif item.kind in ("photo_start", "photo_end"):
            self.photo_requested.emit(item.posting_id, "start" if item.kind == "photo_start" else "end")
        elif item.kind == "objection_stale" and self.actor.can("objection"):
            self.resolve_objection(item.objection_id)
        else:
            self.show_requested.emit(item.disclosure_id or "")
