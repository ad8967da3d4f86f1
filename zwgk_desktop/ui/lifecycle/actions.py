"""LifecycleActions: the 公示管理 page's lifecycle buttons/menu as QActions, enabled by status and role.

The main window creates one, adds `actions()` to a toolbar or context menu
and calls `set_current(disclosure_id, status)` when the selection changes.
Each action runs its op (`ops.notices`, `ops.postings`, `ops.objections`)
through `tasks.run_op` as the logged-in actor, asking for a reason where one
is required, and emits `changed(disclosure_id)` afterwards (for a correction:
the new version's id) so the page can select it; the pages reload by
themselves on `tasks.changed`. A disabled action's tooltip says why (role or
status). The questions it asks (`ask_reason`, `confirm`) and the failure
report (`report_failure`) are plain attributes, so tests and scripts can
answer them without a modal box; `failed(message)` is emitted for every
failure as well, and warnings of a success (single-user self review) are
kept in `last_warnings`.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QInputDialog, QMessageBox, QWidget

from zwgk_desktop.core.status import (
    CORRECTABLE,
    EDITABLE,
    LIVE,
    OPEN_FOR_OBJECTIONS,
    POSTABLE,
    WITHDRAWABLE,
    Status,
    status_label,
)
from zwgk_desktop.core.users import PERMISSION_LABELS
from zwgk_desktop.ops.notices import (
    archive_notice,
    conclude_notice,
    correct_notice,
    explain_missing_evidence,
    notice_record,
    submit_notice,
    withdraw_notice,
)
from zwgk_desktop.ops.objections import list_objections
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.common import message_of
from zwgk_desktop.ui.lifecycle.objection import ObjectionDialog
from zwgk_desktop.ui.lifecycle.posting import PostingDialog
from zwgk_desktop.ui.lifecycle.review import ReviewDialog, ReviewPanel  # noqa: F401 (ReviewPanel re-exported)

# action key -> (label, statuses it applies to, permission)
ACTION_SPECS = {
    "submit": (tr("提交审核(&U)"), EDITABLE, "edit"),
    "review": (tr("审核(&V)…"), (Status.PENDING_REVIEW,), "review"),
    "post": (tr("登记张贴(&P)…"), POSTABLE, "post"),
    "objection": (tr("登记异议(&Y)…"), OPEN_FOR_OBJECTIONS, "objection"),
    "resolve": (tr("办理异议(&H)…"), OPEN_FOR_OBJECTIONS, "objection"),
    "conclude": (tr("期满办结(&J)"), (Status.PUBLISHING,), "conclude"),
    "archive": (tr("归档(&G)"), (Status.EXPIRED,), "conclude"),
    "explain": (tr("登记情况说明(&S)…"), LIVE, "review"),
    "correct": (tr("更正(&E)…"), CORRECTABLE, "edit"),
    "withdraw": (tr("撤回(&W)…"), WITHDRAWABLE, "edit"),
}
MIN_EXPLANATION = 10


def plain_label(text: str) -> str:
    """'审核(&V)…' → '审核…': a label without its mnemonic, for tooltips and messages."""
    return re.sub(r"\(&\w\)", "", text).replace("&", "")


class LifecycleActions(QObject):
    """QActions for the selected notice; `changed(disclosure_id)` after every successful action."""

    changed = Signal(str)
    failed = Signal(str)  # the Chinese message of a failed action
    photo_requested = Signal(str, str)  # posting id, role (start|end): for the photos page
    show_requested = Signal(str)  # disclosure id (or "" with a category in `last_category`) to show in 公示管理

    def __init__(self, tasks, actor, parent_widget: QWidget, *, today: Callable[[], date] | None = None,
                 poster_renderer=None):
        super().__init__(parent_widget)
        self.tasks, self.actor = tasks, actor
        self.parent_widget = parent_widget
        self.today = today or date.today
        self.poster_renderer = poster_renderer  # (notice id, folder) -> proof PDF, for the review dialog
        self.current_id: str | None = None
        self.current_status: str | None = None
        self.last_category: str | None = None
        self.last_dialog: QDialog | None = None
        self.last_key: str | None = None  # the action last started (for "what happened" messages)
        self.last_warnings: list[str] = []
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
        self.set_current(self.current_id, self.current_status)

    def action(self, key: str) -> QAction:
        return self._actions[key]

    def set_current(self, disclosure_id: str | None, status: str | None) -> None:
        """Enable what the selected notice's status and the user's role allow."""
        self.current_id, self.current_status = disclosure_id, status
        for key in ACTION_SPECS:
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

    def _run(self, op, *args, done_id: Callable[[object], str] | None = None, **kwargs) -> None:
        nid = self.current_id
        self.last_warnings = []

        def succeeded(result) -> None:
            self.last_warnings = list(getattr(result, "warnings", []) or [])
            self.changed.emit(done_id(result) if done_id else nid)

        self.tasks.run_op(op, *args, actor=self.actor, on_success=succeeded, on_failure=self._fail, **kwargs)

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
        self._run(submit_notice, nid)

    def do_review(self, nid: str) -> QDialog:
        dialog = ReviewDialog(self.tasks, self.actor, nid, self.parent_widget, today=self.today(),
                              renderer=self.poster_renderer)

        def reviewed(disclosure_id: str) -> None:
            result = dialog.panel.last_result
            self.last_warnings = list(result.warnings) if result is not None else []
            self.changed.emit(disclosure_id)

        dialog.panel.approved.connect(reviewed)
        dialog.panel.returned.connect(reviewed)
        return self._keep(dialog)

    def do_post(self, nid: str) -> QDialog:
        dialog = PostingDialog(self.tasks, self.actor, nid, self.parent_widget, today=self.today())

        def posted(result) -> None:
            self.last_warnings = list(result.warnings)
            self.changed.emit(result.disclosure_id)

        dialog.posted.connect(posted)
        return self._keep(dialog)

    def do_objection(self, nid: str) -> QDialog:
        dialog = ObjectionDialog(self.tasks, self.actor, disclosure_id=nid, parent=self.parent_widget, today=self.today())
        dialog.saved.connect(lambda row: self.changed.emit(row.disclosure_id))
        return self._keep(dialog)

    def do_resolve(self, nid: str) -> None:
        """Handle the oldest open objection of the notice (the record tab lists them all)."""
        self.tasks.run_op(list_objections, nid, actor=self.actor, on_failure=self._fail,
                          on_success=lambda rows: self._resolve_first([o.id for o in rows
                                                                       if o.status == "open" and o.disclosure_id == nid]))

    def _resolve_first(self, open_ids: list[str]) -> None:
        if not open_ids:
            self.report_failure(tr("该公示没有未办结的异议。"))
            return
        self.resolve_objection(open_ids[0])

    def resolve_objection(self, objection_id: str) -> QDialog:
        self.last_key = "resolve"
        dialog = ObjectionDialog(self.tasks, self.actor, objection_id=objection_id, parent=self.parent_widget,
                                 today=self.today())
        dialog.saved.connect(lambda res: self.changed.emit(res.correction_id or res.objection.disclosure_id))
        return self._keep(dialog)

    def do_conclude(self, nid: str) -> None:
        self._run(conclude_notice, nid, today=self.today())

    def do_archive(self, nid: str) -> None:
        """Say first what evidence is missing (archiving would be refused); else confirm and archive."""
        self.tasks.run_op(notice_record, nid, actor=self.actor, on_failure=self._fail,
                          on_success=lambda record: self._archive_checked(nid, record))

    def _archive_checked(self, nid: str, record) -> None:
        gaps = [g for g in record.evidence_gaps if not g["excused"]]
        if gaps:
            self.report_failure(tr("还不能归档：{gaps}。请补拍清晰的照片并关联到对应张贴，或由审核人登记情况说明后再归档。").format(
                gaps="；".join(g["text"] for g in gaps)))
            self.failed.emit(tr("缺留档照片，不能归档。"))
            return
        excused = [g for g in record.evidence_gaps if g["excused"]]
        evidence = (tr("留档照片：{n} 处缺照片已登记情况说明。").format(n=len(excused)) if excused
                    else tr("留档照片：每块公开栏的张贴照和期满照均已齐全。"))
        if self.confirm(tr("归档"), tr("归档后公示将锁定为只读，不能再修改，也不能再关联或解除照片。\n{evidence}\n确定归档吗？").format(
                evidence=evidence)):
            self._run(archive_notice, nid)

    def do_explain(self, nid: str) -> None:
        text = self._reason(tr("登记情况说明"), tr(
            "缺少清晰的张贴照或期满照且无法补拍时，由审核人写明情况（不少于{n}个字），"
            "将随公示存档并打印在留档证据单上：").format(n=MIN_EXPLANATION))
        if text is not None:
            self._run(explain_missing_evidence, nid, text)

    def do_withdraw(self, nid: str) -> None:
        reason = self._reason(tr("撤回公示"), tr("撤回原因（必填）："))
        if reason is not None:
            self._run(withdraw_notice, nid, reason)

    def do_correct(self, nid: str) -> None:
        reason = self._reason(tr("更正公示"), tr(
            "更正原因（必填）：\n将生成新版本草稿，原公示标记为已撤回；更正后的名单须重新张贴，公示期重新计算。"))
        if reason is not None:
            self._run(correct_notice, nid, reason, done_id=lambda result: result.disclosure_id)

    # --- 今日待办 routing -------------------------------------------------------
    def open_todo(self, item) -> None:
        """Route a dashboard `TodoItem` about a notice to the place to act (a request's item, with a
        `request_id`, is the 依申请公开 page's: `ui.requests` routes it)."""
        if getattr(item, "request_id", None):
            return
        self.last_category = item.category
        if item.kind == "review_pending" and self.actor.can("review"):
            self.last_key = "review"
            self.do_review(item.disclosure_id)
        elif item.kind in ("photo_start", "photo_end"):
            self.photo_requested.emit(item.posting_id, "start" if item.kind == "photo_start" else "end")
        elif item.kind in ("objection_stale", "objection_open") and self.actor.can("objection"):
            self.resolve_objection(item.objection_id)
        else:
            self.show_requested.emit(item.disclosure_id or "")
