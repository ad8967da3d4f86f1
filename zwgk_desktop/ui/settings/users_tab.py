"""设置 → 用户: accounts and roles (incl. 村级用户 and their villages), password reset, single-user mode, review rule.

All inline (no modal dialogs): the add and reset forms sit beside the list.
Every action is an `ops.users` use case run through the task manager as the
signed-in user; rights are checked in core (`core.users`): only an
administrator may manage users; before any account exists the first one
must be an administrator. People are named by their 姓名 (the username
where none was given). The 审核与起草分离 switch shows the rule in force —
on by default once two users may review — and a warning whenever the author
of a notice can approve it (single-user mode, a single reviewer, or switched
off by an administrator).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from zwgk_desktop.core.users import ROLE_LABELS
from zwgk_desktop.errors import InvalidInput
from zwgk_desktop.ops import users as users_ops
from zwgk_desktop.ops.users import UsersState
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.settings.common import MessageLabel, card
from zwgk_desktop.ui.widgets import muted_label

COLUMNS = ("用户名", "姓名", "角色", "负责村（社区）", "状态")
ROLES = tuple(ROLE_LABELS)  # admin, clerk, reviewer, village, viewer
ROLE_HINTS = {
    "admin": "管理员：全部功能，管理用户和设置",
    "clerk": "经办人：起草、提交、登记张贴和异议、办结",
    "reviewer": "审核人：审核公示（保密审查、去标识化、公示期）",
    "village": "村级用户：只看本村，登记本村张贴和异议",
    "viewer": "查阅：只能查看",
}


def review_rule_note(state: UsersState) -> tuple[str, str]:
    """(text, look) under the 审核与起草分离 switch: what the rule in force means here, and a warning when an author
    can approve their own notice."""
    rule = state.review_rule
    if state.single_user:
        return tr("⚠ 单用户模式：起草和审核由同一人完成，不符合审核与起草分离的要求。"
                  "有第二人办理时，请添加审核人并关闭单用户模式。"), "warning"
    if rule.enforced:
        if rule.explicit:
            return tr("已开启：起草人不能审核自己起草的公示。"), "muted"
        return tr("已按默认开启：本机有 {n} 名可审核公示的用户，起草人不能审核自己起草的公示。").format(n=rule.reviewers), "muted"
    if rule.reviewers < 2:
        return tr("⚠ 只有 {n} 名用户可以审核公示，这名用户起草的公示只能由本人审核。"
                  "建议添加一名审核人；添加后将自动要求起草人与审核人不同。").format(n=rule.reviewers), "warning"
    return tr("⚠ 已关闭：起草人可以审核自己起草的公示。本机有 {n} 名可审核公示的用户，建议开启。").format(
        n=rule.reviewers), "warning"


class UsersTab(QWidget):
    changed = Signal(str)  # what happened, for tests and the status bar

    def __init__(self, tasks, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self.state: UsersState | None = None
        outer = QHBoxLayout(self)
        outer.setContentsMargins(16, 16, 16, 16)
        outer.setSpacing(14)
        outer.addWidget(self._build_list(), 3)
        outer.addLayout(self._build_forms(), 2)

    # --- layout -----------------------------------------------------------------
    def _build_list(self) -> QWidget:
        frame, layout = card(tr("用户与角色"))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for column in (0, 1, 2, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._user_selected)
        layout.addWidget(self.table, 1)
        self.single_user_box = QCheckBox(tr("单用户模式(&M)：本机只有一人使用，启动时不需登录（以第一个管理员身份操作）"))
        self.single_user_box.clicked.connect(self._toggle_single_user)
        self.reviewer_box = QCheckBox(tr("审核人不得审核自己起草的公示(&N)"))
        self.reviewer_box.clicked.connect(self._toggle_reviewer_rule)
        layout.addWidget(self.single_user_box)
        layout.addWidget(self.reviewer_box)
        self.review_note = MessageLabel()
        layout.addWidget(self.review_note)
        self.message = MessageLabel()
        layout.addWidget(self.message)
        return frame

    def _build_forms(self) -> QVBoxLayout:
        column = QVBoxLayout()
        frame, layout = card(tr("添加用户"))
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.username_edit = QLineEdit()
        self.username_edit.setPlaceholderText(tr("登录用，如 zhangsan"))
        self.display_edit = QLineEdit()
        self.display_edit.setPlaceholderText(tr("如 张三"))
        self.role_box = QComboBox()
        for role in ROLES:
            self.role_box.addItem(tr(ROLE_LABELS[role]), role)
            self.role_box.setItemData(self.role_box.count() - 1, tr(ROLE_HINTS[role]), Qt.ItemDataRole.ToolTipRole)
        self.role_box.currentIndexChanged.connect(self._role_changed)
        self.role_hint = muted_label()
        self.villages_list = QListWidget()
        self.villages_list.setMaximumHeight(110)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(tr("至少 8 位"))
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm_edit.returnPressed.connect(self.add)
        for caption, widget in ((tr("用户名(&U)："), self.username_edit), (tr("姓名(&D)："), self.display_edit),
                                (tr("角色(&R)："), self.role_box), (tr("负责村："), self.villages_list),
                                (tr("初始密码(&P)："), self.password_edit), (tr("确认密码："), self.confirm_edit)):
            label = QLabel(caption)
            label.setBuddy(widget)
            form.addRow(label, widget)
        form.addRow("", self.role_hint)
        layout.addLayout(form)
        self.add_button = QPushButton(tr("添加用户(&A)"))
        self.add_button.clicked.connect(self.add)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignRight)
        column.addWidget(frame)

        frame, layout = card(tr("重置密码"))
        self.reset_target = QLabel(tr("先在左侧选择一个用户。"))
        self.reset_target.setObjectName("muted")
        layout.addWidget(self.reset_target)
        row = QHBoxLayout()
        self.reset_edit = QLineEdit()
        self.reset_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.reset_edit.setPlaceholderText(tr("新密码，至少 8 位"))
        self.reset_edit.returnPressed.connect(self.reset)
        self.reset_button = QPushButton(tr("重置密码(&E)"))
        self.reset_button.clicked.connect(self.reset)
        self.reset_button.setEnabled(False)
        row.addWidget(self.reset_edit, 1)
        row.addWidget(self.reset_button)
        layout.addLayout(row)
        column.addWidget(frame)
        column.addStretch(1)
        self._role_changed()
        return column

    # --- data -------------------------------------------------------------------
    def refresh(self, then=None) -> None:
        """Reload the accounts and switches; `then(state)` runs after they are shown."""

        def show(state: UsersState) -> None:
            self.show_state(state)
            if then is not None:
                then(state)

        self.tasks.run_op(users_ops.users_state, on_success=show, on_failure=self.message.show_error)

    def show_state(self, state: UsersState) -> None:
        self.state = state
        self.table.setRowCount(len(state.users))
        for n, user in enumerate(state.users):
            status = tr("已停用") if not user.active else (tr("已锁定") if user.locked_until else tr("正常"))
            values = (user.username, user.label, tr(user.role_label), "、".join(user.village_names) or "—", status)
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setData(Qt.ItemDataRole.UserRole, user.username)
                self.table.setItem(n, column, item)
        self.single_user_box.setChecked(state.single_user)
        self.reviewer_box.setChecked(state.reviewer_not_author)
        self.review_note.show_message(*review_rule_note(state))
        self.villages_list.clear()
        for name in state.villages:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.villages_list.addItem(item)
        if state.needs_first_admin:
            self.role_box.setCurrentIndex(self.role_box.findData("admin"))
            self.message.show_message(tr("还没有任何用户：请先添加一名管理员。"), "warning")
        self._role_changed()

    def _role_changed(self) -> None:
        role = self.role_box.currentData()
        self.villages_list.setEnabled(role == "village")
        self.role_hint.setText(tr(ROLE_HINTS.get(role, "")))

    def _user_selected(self) -> None:
        username = self.selected_username()
        self.reset_button.setEnabled(bool(username))
        self.reset_target.setText(tr("为“{u}”设置新密码（同时解除锁定）：").format(u=self.person(username)) if username
                                  else tr("先在左侧选择一个用户。"))

    def selected_username(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole) if rows else None

    def person(self, username: str) -> str:
        """How a message names an account: '李四（lisi）', or the username alone where there is no 姓名."""
        user = next((u for u in (self.state.users if self.state else ()) if u.username == username), None)
        if user is None or user.label == user.username:
            return username
        return tr("{name}（{username}）").format(name=user.label, username=username)

    def checked_villages(self) -> list[str]:
        return [self.villages_list.item(i).text() for i in range(self.villages_list.count())
                if self.villages_list.item(i).checkState() == Qt.CheckState.Checked]

    # --- actions ----------------------------------------------------------------
    def _run(self, op, *args, success_text, after=None) -> None:
        """Run a write op; on success reload the list, then say what happened (and `after()`); on failure restore."""

        def reloaded(_state: UsersState) -> None:
            text = success_text() if callable(success_text) else success_text
            self.message.show_message(text, "ok")
            if after is not None:
                after()
            self.changed.emit(text)

        def failed(exc: BaseException) -> None:
            self.message.show_error(exc)
            self.refresh()  # put the check boxes back as stored

        self.tasks.run_op(op, *args, on_success=lambda _result: self.refresh(then=reloaded), on_failure=failed)

    def add(self) -> None:
        username, display = self.username_edit.text().strip(), self.display_edit.text().strip()
        password, role, villages = self.password_edit.text(), self.role_box.currentData(), self.checked_villages()
        if password != self.confirm_edit.text():
            self.message.show_error(InvalidInput(tr("两次输入的密码不一致。")))
            return

        def clear() -> None:
            for edit in (self.username_edit, self.display_edit, self.password_edit, self.confirm_edit):
                edit.clear()

        self._run(users_ops.add_user, username, password, role, display, tuple(villages),
                  success_text=tr("已添加用户“{u}”（{r}）。").format(u=display or username, r=tr(ROLE_LABELS.get(role, role))),
                  after=clear)

    def reset(self) -> None:
        username, password = self.selected_username(), self.reset_edit.text()
        if not username:
            return
        self._run(users_ops.reset_password, username, password,
                  success_text=tr("已为“{u}”重置密码，请当面告知本人并提醒尽快修改。").format(u=self.person(username)),
                  after=self.reset_edit.clear)

    def _toggle_single_user(self, enabled: bool) -> None:
        text = tr("已开启单用户模式：下次启动不需登录。") if enabled else tr("已关闭单用户模式：下次启动需要登录。")
        self._run(users_ops.set_single_user_mode, enabled, success_text=text)

    def _toggle_reviewer_rule(self, enabled: bool) -> None:
        text = tr("已启用：起草人不能审核自己的公示。") if enabled else tr("已关闭：起草人也可以审核自己的公示。")
        self._run(users_ops.set_reviewer_not_author, enabled, success_text=text)
