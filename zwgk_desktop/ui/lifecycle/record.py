"""NoticeRecordView (流转记录): one notice's versions, 公示期, status history, postings with their photo evidence,
objections (also those of earlier versions) and 情况说明, read-only.

Shown as a tab beside the line items on the 公示管理 page. `load(id)` runs
`ops.notices.notice_record` and shows the `NoticeRecord` DTO; people appear
by 姓名. Evidence reads ✔ (a clear photo), ⚠ with the flag (a photo that is
not evidence) or ✘ (none) — never ✔ for a flagged photo. An open objection
can be activated (Enter / double-click) to ask for handling through
`resolve_requested(objection_id)`; while photos are missing, a reviewer gets
a 登记情况说明 button (`explain_requested(disclosure_id)`). The view reloads
by itself when photos, postings or objections change (`tasks.changed`).
"""

from __future__ import annotations

from datetime import datetime, timezone

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from zwgk_desktop.ops.notices import NoticeRecord, notice_record
from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.lifecycle.common import WARNING_STYLE, message_label, message_of, show_message
from zwgk_desktop.ui.widgets import muted_label

ID_ROLE = Qt.ItemDataRole.UserRole
OPEN_COLOUR = QColor("#b42318")
FLAGGED_COLOUR = QColor("#93370d")
MUTED_COLOUR = QColor("#6a7380")
KIND_WORDS = {"objection": "异议复查后更正名单", "content": "更正", "typo": "更正文字错误"}
RELOAD_ON = ("photos",)  # notices, postings and objections reload through the page's detail (detail_loaded)

__all__ = ["NoticeRecord", "NoticeRecordView"]


def _local_time(iso: str) -> str:
    """'2026-03-02T08:15:00' (UTC) → local 'YYYY-MM-DD HH:MM'."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


BOARDS_NAMED = 3
ROLE_WORDS = {"start": "张贴照", "end": "期满照"}


def evidence_summary(gaps: list[dict]) -> str:
    """'缺张贴照 10 处（青山镇政务公开栏、青山村村务公开栏、桃园村村务公开栏等）；张贴照不合格 1 处（…：画面模糊）'."""
    from zwgk_desktop.core.postings import PHOTO_FLAG_LABELS

    groups: dict[tuple[str, str], list[dict]] = {}
    for gap in gaps:
        groups.setdefault((gap["role"], gap["state"]), []).append(gap)
    parts = []
    for (role, state), members in groups.items():
        names = "、".join(g["board_name"] for g in members[:BOARDS_NAMED]) + (tr("等") if len(members) > BOARDS_NAMED else "")
        if state == "flagged":
            flags = "、".join(dict.fromkeys(PHOTO_FLAG_LABELS.get(f, f) for g in members for f in g["flags"]))
            parts.append(tr("⚠ {role}不合格 {n} 处（{names}：{flags}）").format(
                role=ROLE_WORDS.get(role, role), n=len(members), names=names, flags=flags))
        else:
            parts.append(tr("缺{role} {n} 处（{names}）").format(role=ROLE_WORDS.get(role, role), n=len(members), names=names))
    return "；".join(parts)


class NoticeRecordView(QWidget):
    """Versions, 公示期, 流转记录, 张贴 (with evidence), 异议 and 情况说明 of the selected notice."""

    loaded = Signal(object)  # NoticeRecord
    resolve_requested = Signal(str)  # objection id
    explain_requested = Signal(str)  # disclosure id

    def __init__(self, tasks, actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.tasks, self.actor = tasks, actor
        self.record: NoticeRecord | None = None
        self._generation = 0
        self.versions = muted_label(parent=self)
        self.period = QLabel(self)
        self.period.setWordWrap(True)
        self.evidence = message_label(self)
        self.explain_button = QPushButton(tr("登记情况说明(&S)…"), self)
        self.explain_button.setToolTip(tr("无法补拍的张贴照/期满照，由审核人写明原因（不少于10个字）后才能办结、归档"))
        self.explain_button.setVisible(False)
        self.explain_button.clicked.connect(lambda: self.record and self.explain_requested.emit(self.record.disclosure_id))
        evidence_row = QHBoxLayout()
        evidence_row.addWidget(self.evidence, 1)
        evidence_row.addWidget(self.explain_button, 0, Qt.AlignmentFlag.AlignTop)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("recordTree")
        self.tree.setHeaderLabels([tr("日期"), tr("事项"), tr("经办"), tr("说明")])
        self.tree.setColumnWidth(0, 190)
        self.tree.setColumnWidth(1, 250)
        self.tree.setColumnWidth(2, 110)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 2px; }")
        self.message = message_label(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.versions)
        layout.addWidget(self.period)
        layout.addLayout(evidence_row)
        layout.addWidget(self.message)
        layout.addWidget(self.tree, 1)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemDoubleClicked.connect(self._activated)
        tasks.changed.connect(self._on_changed)

    def set_actor(self, actor) -> None:
        """Load records as another user from now on (切换用户)."""
        self.actor = actor

    def clear(self) -> None:
        self._generation += 1
        self.record = None
        self.tree.clear()
        self.versions.clear()
        self.period.clear()
        show_message(self.evidence, "")
        self.explain_button.setVisible(False)

    def load(self, disclosure_id: str) -> None:
        self._generation += 1
        generation = self._generation
        self.tasks.run_op(notice_record, disclosure_id, actor=self.actor,
                          on_success=lambda record: self._show(generation, record), on_failure=self._fail,
                          owner=self)

    def _on_changed(self, changes) -> None:
        if self.record is not None and changes.touches(*RELOAD_ON):
            self.load(self.record.disclosure_id)

    # --- showing ---------------------------------------------------------------
    def _show(self, generation: int, record: NoticeRecord) -> None:
        if generation != self._generation:
            return
        self.record = record
        show_message(self.message, "")
        self.versions.setText(self._versions_text(record))
        self.versions.setVisible(bool(self.versions.text()))
        self.period.setText(tr("公示期：{text}").format(text=record.period_text) if record.period_text else "")
        self.period.setVisible(bool(record.period_text))
        open_gaps = [g for g in record.evidence_gaps if not g["excused"]]
        if open_gaps:
            show_message(self.evidence, tr("留档照片未齐，办结、归档前须补齐或由审核人登记情况说明：")
                         + evidence_summary(open_gaps), WARNING_STYLE)
        else:
            show_message(self.evidence, "")
        self.explain_button.setVisible(bool(open_gaps) and self.actor.can("review"))
        self.tree.clear()
        self._section(tr("流转记录（{n}）").format(n=len(record.history)), [
            (_local_time(h.at), h.label, h.by_name or h.by_user, h.reason, None, None) for h in record.history
        ])
        self._section(tr("张贴（{n} 处）").format(n=len(record.postings)), [self._posting_row(p) for p in record.postings])
        self._section(
            tr("异议（{n} 件，未办结 {m} 件）").format(n=len(record.objections), m=len(record.open_objections)),
            [self._objection_row(o, self.actor.can("objection"), record) for o in record.objections],
        )
        if record.exceptions:
            self._section(tr("情况说明（{n}）").format(n=len(record.exceptions)), [
                (_local_time(e.recorded_at), e.board_name or tr("全部公开栏"), e.recorded_by_name, e.text, None, None)
                for e in record.exceptions
            ])
        self.loaded.emit(record)

    def _versions_text(self, record: NoticeRecord) -> str:
        if len(record.versions) <= 1:
            return ""
        parts = []
        for v in record.versions:
            text = tr("第{n}版（{status}）").format(n=v["version"], status=v["status_label"])
            if v.get("correction_kind"):
                text += tr("·{kind}").format(kind=KIND_WORDS.get(v["correction_kind"], v["correction_kind"]))
            parts.append(f"<b>{text}</b>" if v["id"] == record.disclosure_id else text)
        text = tr("版本：") + " → ".join(parts)
        if record.correction:
            text += "<br>" + tr("更正说明：{text}").format(text=record.correction["text"])
        return text

    def _section(self, title: str, rows: list[tuple]) -> None:
        top = QTreeWidgetItem([title])
        font = top.font(0)
        font.setBold(True)
        top.setFont(0, font)
        top.setFirstColumnSpanned(True)
        self.tree.addTopLevelItem(top)
        top.setFirstColumnSpanned(True)
        for when, what, who, note, ident, colour in rows:
            child = QTreeWidgetItem([when, what, who, note])
            child.setToolTip(3, note)
            if ident:
                child.setData(0, ID_ROLE, ident)
            if colour is not None:
                for column in range(4):
                    child.setForeground(column, QBrush(colour))
            top.addChild(child)
        if not rows:
            empty = QTreeWidgetItem(["", tr("无")])
            empty.setForeground(1, QBrush(MUTED_COLOUR))
            top.addChild(empty)
        top.setExpanded(True)

    @staticmethod
    def _posting_row(p) -> tuple:
        note = tr("公示期 {period}").format(period=p.period_text or "—")
        if p.removed_on:
            note += tr("；{day} 撤下").format(day=p.removed_on)
        note += "；" + p.start_photo.get("text", "") + "　" + p.end_photo.get("text", "")
        if p.exception:
            note += tr("；情况说明：{text}").format(text=p.exception)
        flagged = "flagged" in (p.start_photo.get("state"), p.end_photo.get("state"))
        return (p.posted_on, tr("张贴于 {board}").format(board=p.board_name), p.posted_by_name or p.posted_by, note, None,
                FLAGGED_COLOUR if flagged else None)

    @staticmethod
    def _objection_row(o, can_resolve: bool, record: NoticeRecord) -> tuple:
        version = tr("第{n}版 · ").format(n=o.version) if o.version != record.version else ""
        led_to = ""
        if o.correction_id:
            led_to = tr("；异议成立，已更正名单（第{n}版）").format(n=o.version + 1)
        who = o.recorded_by_name or o.recorded_by
        if o.status == "open":
            what = version + tr("异议（{channel}，{who}）· 未办结").format(channel=o.channel or "—", who=o.from_name)
            note = o.content + (tr("　（双击或按回车办理）") if can_resolve else "")
            return o.received_on, what, who, note, o.id, OPEN_COLOUR
        what = version + tr("异议（{channel}，{who}）· {closed} 办结").format(
            channel=o.channel or "—", who=o.from_name, closed=o.closed_on or "")
        note = tr("{content}；结果：{result}").format(content=o.content, result=o.result) + led_to
        return o.received_on, what, who, note, None, None

    # --- acting ----------------------------------------------------------------
    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        objection_id = item.data(0, ID_ROLE)
        if objection_id:
            self.resolve_requested.emit(objection_id)

    def _fail(self, exc: BaseException) -> None:
        show_message(self.message, message_of(exc))
