"""Shared bits of the 照片存档 page: translation, flag chips, evidence marks, inline message styles.

Flag codes come from `services.photos.quality`; here they get the short
labels shown on chips (the long explanation stays the tooltip).
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QLabel, QWidget

from zwgk_desktop.services.photos.quality import FLAG_LABELS, FLAG_ORDER
from zwgk_desktop.ui.i18n import tr

FLAG_SHORT_LABELS = {
    "no_exif_time": "无拍摄时间",
    "low_resolution": "分辨率低",
    "blurry": "照片模糊",
    "time_mismatch": "拍摄时间不符",
    "too_dark": "光线太暗",
    "wrong_version": "旧版仍在张贴",
    "foreign_qr": "非本镇二维码",
}

OK_COLOR = "#1b7a3a"
MISSING_COLOR = "#b42318"
FLAGGED_COLOR = "#b54708"
FLAG_FG, FLAG_BG = "#93370d", "#fef0c7"
ERROR_STYLE = "color:#b42318;background:#fef3f2;border:1px solid #fecdca;border-radius:6px;padding:8px 10px;"
WARNING_STYLE = "color:#93370d;background:#fffaeb;border:1px solid #fedf89;border-radius:6px;padding:8px 10px;"
OK_STYLE = "color:#05603a;background:#ecfdf3;border:1px solid #abefc6;border-radius:6px;padding:8px 10px;"
INFO_STYLE = "color:#1f2733;background:#f2f6fc;border:1px solid #d5e1f5;border-radius:6px;padding:8px 10px;"


def flag_label(code: str) -> str:
    return tr(FLAG_SHORT_LABELS.get(code, code))


def flag_labels(flags) -> list[str]:
    ordered = [f for f in FLAG_ORDER if f in flags] + sorted(set(flags) - set(FLAG_ORDER))
    return [flag_label(flag) for flag in ordered]


def flags_tooltip(flags) -> str:
    return "\n".join(tr(FLAG_LABELS.get(flag, flag)) for flag in flags)


def flag_chips_html(flags) -> str:
    """Flags as small orange chips after a ⚠ (rich text), or a green 'no problems' note."""
    if not flags:
        return f"<span style='color:{OK_COLOR}'>{escape(tr('无质量问题'))}</span>"
    chip = f"<span style='color:{FLAG_FG};background:{FLAG_BG};'>&nbsp;{{}}&nbsp;</span>"
    return f"<span style='color:{FLAGGED_COLOR}'><b>⚠</b></span> " + "&nbsp; ".join(
        chip.format(escape(label)) for label in flag_labels(flags))


def qr_html(text: str) -> str:
    """The photo's QR verification line, green when every part is ✔, orange when any is ⚠."""
    if not text:
        return escape(tr("照片中没有本系统打印的公示二维码"))
    color = FLAGGED_COLOR if "⚠" in text else OK_COLOR
    return f"<span style='color:{color}'>{escape(text)}</span>"


def mark(present: bool) -> str:
    return "✔" if present else "✘"


def mark_color(symbol: str) -> str:
    """Colour of an evidence mark: ✔ green, ⚠ orange (a flagged photo never counts), ✘ red."""
    return {"✔": OK_COLOR, "⚠": FLAGGED_COLOR}.get(symbol, MISSING_COLOR)


def evidence_mark_html(symbol: str, label: str) -> str:
    return f"<span style='color:{mark_color(symbol)}'><b>{symbol}</b> {escape(label)}</span>"


def posting_evidence_html(posting) -> str:
    """A posting's start/end evidence: ✔ clear photo, ⚠ only flagged ones, ✘ none."""
    return (evidence_mark_html(posting.start_mark, tr("张贴照")) + "&nbsp;&nbsp;"
            + evidence_mark_html(posting.end_mark, tr("期满照")))


def mark_html(present: bool, label: str) -> str:
    color = OK_COLOR if present else MISSING_COLOR
    return f"<span style='color:{color}'><b>{mark(present)}</b> {escape(label)}</span>"


def evidence_html(has_start: bool, has_end: bool) -> str:
    return mark_html(has_start, tr("张贴照")) + "&nbsp;&nbsp;" + mark_html(has_end, tr("期满照"))


def show_message(label: QLabel, text: str, style: str) -> None:
    label.setText(text)
    label.setStyleSheet(f"QLabel {{ {style} }}")
    label.setVisible(bool(text))


def message_label(parent: QWidget | None = None) -> QLabel:
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, size // 1024)} KB"
