"""设置 → 村（社区）与公开栏: the township's villages with their groups, and every notice board.

What a clerk or administrator does here, each through one op of
`ops.villages` on the task manager (audited and synced like any change):
add a village (it gets its own 公开栏 and 一组…六组), rename one, merge one
into another (撤并村: its households, boards and village users move; old
notices keep the old name; a roster still naming it is read as the new
village), retire and restore; add and retire groups; add a board with where
it stands and its GPS (photo suggestions use it), change its place, take it
down. The tab listens to `tasks.changed`, so a village added from the
import preview's "添加该村" shows up here too. Questions are asked through
`ask_text` / `ask_choice` / `ask_board`, which tests replace.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from zwgk_desktop.core.townships import TownshipLayout, VillageRow
from zwgk_desktop.ops import villages as village_ops
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.settings.common import MessageLabel, card
from zwgk_desktop.ui.widgets import muted_label

RETIRED_FG = QColor("#8a93a0")
BOARD_COLUMNS = ("公开栏", "所属村（社区）", "位置", "纬度", "经度", "状态")
KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "village" | "group"
NAME_ROLE = Qt.ItemDataRole.UserRole + 2


class BoardDialog(QDialog):
    """Name, village, location and GPS of a new board (or the place of an existing one)."""

    def __init__(self, villages: list[str], parent: QWidget | None = None, *, name: str = "", location: str = "",
                 lat: float | None = None, lon: float | None = None, editing: bool = False):
        super().__init__(parent)
        self.setWindowTitle(tr("修改公开栏位置") if editing else tr("添加公开栏"))
        form = QFormLayout(self)
        self.name_edit = QLineEdit(name)
        self.name_edit.setPlaceholderText(tr("例如 石桥村二组公开栏"))
        self.name_edit.setEnabled(not editing)
        self.village_combo = QComboBox()
        self.village_combo.addItem(tr("（乡镇公开栏）"), None)
        for village in villages:
            self.village_combo.addItem(village, village)
        self.village_combo.setEnabled(not editing)
        self.location_edit = QLineEdit(location)
        self.location_edit.setPlaceholderText(tr("例如 二组晒场旁，便于群众看到的地方"))
        self.lat_spin, self.lon_spin = self._coordinate(-90, 90, lat), self._coordinate(-180, 180, lon)
        for label, widget in ((tr("名称："), self.name_edit), (tr("所属村（社区）："), self.village_combo),
                              (tr("位置："), self.location_edit), (tr("纬度："), self.lat_spin), (tr("经度："), self.lon_spin)):
            form.addRow(label, widget)
        hint = QLabel(tr("纬度、经度可从手机地图读取；照片存档按拍照地点推荐张贴的公开栏时会用到（可不填）。"))
        hint.setWordWrap(True)
        hint.setObjectName("muted")
        form.addRow(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    @staticmethod
    def _coordinate(low: float, high: float, value: float | None) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(low - 1, high)  # the bottom value means "not given"
        spin.setDecimals(6)
        spin.setSpecialValueText(tr("（不填）"))
        spin.setValue(value if value is not None else low - 1)
        return spin

    def values(self) -> dict:
        def coordinate(spin: QDoubleSpinBox) -> float | None:
            return None if spin.value() == spin.minimum() else spin.value()

        return {"name": self.name_edit.text().strip(), "village": self.village_combo.currentData(),
                "location": self.location_edit.text().strip(), "lat": coordinate(self.lat_spin),
                "lon": coordinate(self.lon_spin)}


class VillagesTab(QWidget):
    """The villages tree (groups under each village) and the boards table, with their actions."""

    changed = Signal(str)  # what happened (a Chinese sentence), for tests and the status bar
    loaded = Signal(object)  # the TownshipLayout shown

    def __init__(self, tasks, actor_source=lambda: None, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks, self.actor_source = tasks, actor_source
        self.layout_dto: TownshipLayout | None = None
        self.ask_text = self._ask_text
        self.ask_choice = self._ask_choice
        self.ask_board = self._ask_board
        outer = QHBoxLayout(self)
        outer.setContentsMargins(16, 16, 16, 16)
        outer.setSpacing(14)
        outer.addWidget(self._build_villages(), 5)
        outer.addWidget(self._build_boards(), 6)
        tasks.changed.connect(self._on_changed)

    # --- layout -----------------------------------------------------------------
    def _build_villages(self) -> QWidget:
        frame, layout = card(tr("村（社区）与村民小组"))
        hint = muted_label(tr("导入花名册时按这里的村名核对。撤并村请用“合并到…”：该村的户、公开栏和村级用户会转入合并后的村，"
                         "历史公示仍显示原村名。"))
        layout.addWidget(hint)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([tr("名称"), tr("状态"), tr("户数")])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.tree, 1)
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        self.add_village_button = self._button(tr("添加村(&A)…"), self.add_village, row1)
        self.rename_button = self._button(tr("改名(&R)…"), self.rename_village, row1)
        self.merge_button = self._button(tr("合并到(&G)…"), self.merge_village, row1)
        self.retire_button = self._button(tr("撤销"), self.retire_village, row1)
        self.restore_button = self._button(tr("恢复"), self.restore_village, row1)
        row1.addStretch(1)
        self.add_group_button = self._button(tr("添加组…"), self.add_group, row2)
        self.retire_group_button = self._button(tr("撤销组"), self.retire_group, row2)
        row2.addStretch(1)
        layout.addLayout(row1)
        layout.addLayout(row2)
        self.message = MessageLabel()
        layout.addWidget(self.message)
        return frame

    def _build_boards(self) -> QWidget:
        frame, layout = card(tr("公开栏"))
        self.boards = QTableWidget(0, len(BOARD_COLUMNS))
        self.boards.setHorizontalHeaderLabels([tr(c) for c in BOARD_COLUMNS])
        self.boards.verticalHeader().setVisible(False)
        self.boards.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.boards.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.boards.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.boards.setAlternatingRowColors(True)
        header = self.boards.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column in (0, 1, 3, 4, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.boards.itemSelectionChanged.connect(self._update_buttons)
        layout.addWidget(self.boards, 1)
        row = QHBoxLayout()
        self.add_board_button = self._button(tr("添加公开栏(&B)…"), self.add_board, row)
        self.edit_board_button = self._button(tr("修改位置…"), self.edit_board, row)
        self.retire_board_button = self._button(tr("撤下"), self.retire_board, row)
        row.addStretch(1)
        layout.addLayout(row)
        return frame

    @staticmethod
    def _button(text: str, slot, row: QHBoxLayout) -> QPushButton:
        button = QPushButton(text)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    # --- data -------------------------------------------------------------------
    def refresh(self) -> None:
        self._run(village_ops.load_layout, done=None)

    def _on_changed(self, changes) -> None:
        if changes.touches("villages", "boards") and self.layout_dto is not None:
            self.refresh()

    def _run(self, op, *args, done: str | None, **kwargs) -> None:
        def succeeded(result) -> None:
            layout = result if isinstance(result, TownshipLayout) else result.layout
            self.show_layout(layout)
            if done:
                self.message.show_message(done, "ok")
                self.changed.emit(done)

        self.tasks.run_op(op, *args, on_success=succeeded, on_failure=self.message.show_error,
                          actor=self.actor_source(), owner=self, **kwargs)

    def show_layout(self, layout: TownshipLayout) -> None:
        selected = self.selected_village()
        self.layout_dto = layout
        self.tree.clear()
        for village in layout.villages:
            item = QTreeWidgetItem([village.name, tr(village.status_label), str(village.households)])
            item.setData(0, KIND_ROLE, "village")
            item.setData(0, NAME_ROLE, village.name)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if not village.active:
                for column in range(3):
                    item.setForeground(column, QBrush(RETIRED_FG))
            for group in village.groups:
                child = QTreeWidgetItem([group.name, tr("在用") if group.active else tr("已撤销"), ""])
                child.setData(0, KIND_ROLE, "group")
                child.setData(0, NAME_ROLE, group.name)
                if not group.active:
                    child.setForeground(0, QBrush(RETIRED_FG))
                    child.setForeground(1, QBrush(RETIRED_FG))
                item.addChild(child)
            self.tree.addTopLevelItem(item)
            if village.name == selected:
                self.tree.setCurrentItem(item)
        self.boards.setRowCount(len(layout.boards))
        for row, board in enumerate(layout.boards):
            cells = [board.name, board.village_name or tr("（乡镇）"), board.location,
                     "" if board.lat is None else f"{board.lat:.6f}", "" if board.lon is None else f"{board.lon:.6f}",
                     tr("在用") if board.active else tr("已撤下")]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if not board.active:
                    cell.setForeground(QBrush(RETIRED_FG))
                self.boards.setItem(row, column, cell)
        self._update_buttons()
        self.loaded.emit(layout)

    # --- selection ---------------------------------------------------------------
    def _selected_item(self) -> QTreeWidgetItem | None:
        items = self.tree.selectedItems()
        return items[0] if items else None

    def selected_village(self) -> str | None:
        item = self._selected_item()
        if item is None:
            return None
        if item.data(0, KIND_ROLE) == "group":
            item = item.parent()
        return item.data(0, NAME_ROLE)

    def selected_group(self) -> str | None:
        item = self._selected_item()
        return item.data(0, NAME_ROLE) if item is not None and item.data(0, KIND_ROLE) == "group" else None

    def selected_board(self) -> str | None:
        row = self.boards.currentRow()
        if self.layout_dto is None or not 0 <= row < len(self.layout_dto.boards):
            return None
        return self.layout_dto.boards[row].name

    def select_village(self, name: str) -> None:
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item.data(0, NAME_ROLE) == name:
                self.tree.setCurrentItem(item)
                return

    def select_board(self, name: str) -> None:
        if self.layout_dto is None:
            return
        for row, board in enumerate(self.layout_dto.boards):
            if board.name == name:
                self.boards.selectRow(row)
                return

    def _village_row(self, name: str | None) -> VillageRow | None:
        return self.layout_dto.village(name) if self.layout_dto and name else None

    def _active_villages(self, except_name: str | None = None) -> list[str]:
        if self.layout_dto is None:
            return []
        return [v.name for v in self.layout_dto.villages if v.active and v.name != except_name]

    def _update_buttons(self) -> None:
        village = self._village_row(self.selected_village())
        active = village is not None and village.active
        self.rename_button.setEnabled(village is not None)
        self.merge_button.setEnabled(active and len(self._active_villages(village.name if village else None)) > 0)
        self.retire_button.setEnabled(active)
        self.restore_button.setEnabled(village is not None and not village.active)
        self.add_group_button.setEnabled(active)
        self.retire_group_button.setEnabled(self.selected_group() is not None)
        board = self.layout_dto.board(self.selected_board()) if self.layout_dto and self.selected_board() else None
        self.edit_board_button.setEnabled(board is not None)
        self.retire_board_button.setEnabled(board is not None and board.active)

    # --- questions (replaced in tests) ------------------------------------------------
    def _ask_text(self, title: str, label: str, default: str = "") -> str | None:
        text, ok = QInputDialog.getText(self, title, label, QLineEdit.EchoMode.Normal, default)
        return text.strip() if ok and text.strip() else None

    def _ask_choice(self, title: str, label: str, options: list[str]) -> str | None:
        choice, ok = QInputDialog.getItem(self, title, label, options, 0, False)
        return choice if ok else None

    def _ask_board(self, **current) -> dict | None:
        dialog = BoardDialog(self._active_villages(), self, **current)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None

    # --- actions ---------------------------------------------------------------------
    def add_village(self) -> None:
        name = self.ask_text(tr("添加村（社区）"), tr("村（社区）名称（将同时建立它的公开栏和一组至六组）："))
        if name:
            self._run(village_ops.add_village, name, done=tr("已添加“{name}”及其公开栏。").format(name=name))

    def rename_village(self) -> None:
        old = self.selected_village()
        if not old:
            return
        name = self.ask_text(tr("村（社区）改名"), tr("“{old}”的新名称（以后的公示用新名，历史公示不变）：").format(old=old), old)
        if name and name != old:
            self._run(village_ops.rename_village, old, name, done=tr("“{old}”已改名为“{new}”。").format(old=old, new=name))

    def merge_village(self) -> None:
        old = self.selected_village()
        targets = self._active_villages(old)
        if not old or not targets:
            return
        into = self.ask_choice(tr("撤并村"), tr("把“{old}”并入：").format(old=old), targets)
        if into:
            self._run(village_ops.merge_village, old, into, done=tr("“{old}”已并入“{into}”。").format(old=old, into=into))

    def retire_village(self) -> None:
        name = self.selected_village()
        if name:
            self._run(village_ops.retire_village, name, done=tr("“{name}”已撤销（历史公示保留）。").format(name=name))

    def restore_village(self) -> None:
        name = self.selected_village()
        if name:
            self._run(village_ops.restore_village, name, done=tr("“{name}”已恢复。").format(name=name))

    def add_group(self) -> None:
        village = self.selected_village()
        if not village:
            return
        name = self.ask_text(tr("添加村民小组"), tr("“{village}”的新组名：").format(village=village))
        if name:
            self._run(village_ops.add_group, village, name, done=tr("已添加“{village}{name}”。").format(village=village, name=name))

    def retire_group(self) -> None:
        village, group = self.selected_village(), self.selected_group()
        if village and group:
            self._run(village_ops.retire_group, village, group,
                      done=tr("已撤销“{village}{name}”。").format(village=village, name=group))

    def add_board(self) -> None:
        values = self.ask_board()
        if values and values.get("name"):
            self._run(village_ops.add_board, values["name"], village=values.get("village"),
                      location=values.get("location", ""), lat=values.get("lat"), lon=values.get("lon"),
                      done=tr("已添加公开栏“{name}”。").format(name=values["name"]))

    def edit_board(self) -> None:
        name = self.selected_board()
        board = self.layout_dto.board(name) if self.layout_dto and name else None
        if board is None:
            return
        values = self.ask_board(name=board.name, location=board.location, lat=board.lat, lon=board.lon, editing=True)
        if values:
            self._run(village_ops.update_board, board.name, location=values.get("location"), lat=values.get("lat"),
                      lon=values.get("lon"), done=tr("已更新公开栏“{name}”。").format(name=board.name))

    def retire_board(self) -> None:
        name = self.selected_board()
        if name:
            self._run(village_ops.retire_board, name, done=tr("公开栏“{name}”已撤下（张贴记录保留）。").format(name=name))
