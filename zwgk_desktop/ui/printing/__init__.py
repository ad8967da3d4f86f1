"""Printing in the desktop app: the 公示 poster print dialog and the 明白卡 page.

`install(window)` (called by `ui.app` for every module in `EXTENSION_MODULES`):
- registers the 明白卡 page (`CardsPage`) under the key "cards";
- makes the 公示管理 page's 打印公示 action open the dialog through the page's
  `set_print_handler` hook, and adds "预览张贴稿…" (any selected notice; an
  unapproved one previews with its 草稿/样稿 watermark) through `add_actions`.
  On a page without those hooks it adds its own "打印公示…" action
  (Ctrl+Shift+P, context menu, toolbar or detail header).
`open_poster_dialog(window, disclosure_id)` opens `PosterPrintDialog`
(window-modal, non-blocking) and returns it.

Nothing heavy is imported by `install`: the 明白卡 page is registered with
`window.add_lazy_page` and built (ReportLab, Pillow, PDFium…) when it is
first opened; the dialog and the page classes are imported when used
(the names below are still importable from this package).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QToolBar, QToolButton

from zwgk_desktop.ui.i18n import tr

log = logging.getLogger(__name__)
POSTER_ACTION_NAME = "printPosterAction"
PROOF_ACTION_NAME = "proofPosterAction"
POSTER_LABEL = "打印公示"

__all__ = [
    "CardsPage", "PdfPreview", "PosterPrintDialog", "ServiceItemsEditor", "install", "open_poster_dialog",
    "pdf_page_sizes", "render_page",
]
_LAZY = {
    "CardsPage": "zwgk_desktop.ui.printing.cards_page",
    "PdfPreview": "zwgk_desktop.ui.printing.pdfview",
    "pdf_page_sizes": "zwgk_desktop.ui.printing.pdfview",
    "render_page": "zwgk_desktop.ui.printing.pdfview",
    "PosterPrintDialog": "zwgk_desktop.ui.printing.poster_dialog",
    "ServiceItemsEditor": "zwgk_desktop.ui.printing.service_items_editor",
}


def __getattr__(name: str):
    """The page and dialog classes, imported on first use (they pull in ReportLab, Pillow and PDFium)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


def open_poster_dialog(window, disclosure_id: str):
    """Open the poster print dialog (`PosterPrintDialog`) for one notice over `window` and return it
    (it renders at once)."""
    from zwgk_desktop.ui.printing.poster_dialog import PosterPrintDialog

    dialog = PosterPrintDialog(
        window.database, window.config, window.tasks, disclosure_id, window,
        actor=getattr(window, "actor", None), status_bar=window.statusBar(),
    )
    dialog.finished.connect(lambda _code: _dispose_when_idle(dialog))
    dialog.open()
    return dialog


def _dispose_when_idle(dialog) -> None:
    """Delete a closed dialog once its background work has come back (its callbacks touch widgets)."""
    if dialog.strip.busy:
        dialog.strip.finished.connect(dialog.deleteLater)
    else:
        dialog.deleteLater()


def install(window) -> None:
    """Add the 明白卡 page (built when first opened) and the 公示管理 page's print action to the main window."""

    def cards_page():
        from zwgk_desktop.ui.printing.cards_page import CardsPage

        return CardsPage(window.database, window.config, window.tasks, window, status_bar=window.statusBar())

    window.add_lazy_page("cards", tr("明白卡"), cards_page)
    install_poster_action(window)


def install_poster_action(window) -> QAction | None:
    """Wire 打印公示 on the 公示管理 page; returns the action that opens the dialog (None: no page).

    With the page's `set_print_handler` hook, its own 打印公示 action (approved
    notices only) opens the dialog, and a 预览张贴稿 action (any notice: proof
    copy with the 草稿/样稿 watermark) is added through `add_actions`.
    Without the hook, an own 打印公示 action goes on the toolbar or the detail header.
    """
    page = getattr(window, "disclosures_page", None)
    if page is None:
        return None
    set_handler = getattr(page, "set_print_handler", None)
    if callable(set_handler):
        set_handler(lambda disclosure_id: open_poster_dialog(window, disclosure_id))
        action = _selection_action(window, page, tr("预览张贴稿(&R)…"), PROOF_ACTION_NAME,
                                   tr("预览所选公示的张贴稿；未审核的公示带“草稿/样稿”水印，只供校对"))
        add_actions = getattr(page, "add_actions", None)
        if callable(add_actions):
            add_actions([action])
        else:
            page.addAction(action)
        return action
    action = _selection_action(window, page, tr("打印公示(&D)…"), POSTER_ACTION_NAME,
                               tr("预览并打印所选公示的张贴稿（A4/A3，纵向/横向），或另存为 PDF"))
    action.setShortcut(QKeySequence("Ctrl+Shift+P"))
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    page.addAction(action)
    view = getattr(page, "view", None)
    if view is not None:
        view.addAction(action)
        if view.contextMenuPolicy() == Qt.ContextMenuPolicy.DefaultContextMenu:
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    if _page_has_print_entry(page, action):
        return action
    toolbar = page.findChild(QToolBar)
    if toolbar is not None:
        toolbar.addAction(action)
    else:
        _add_header_button(page, action)
    return action


def _selection_action(window, page, text: str, name: str, tip: str) -> QAction:
    """An action on the selected notice, enabled while one is selected."""
    action = QAction(text, page)
    action.setObjectName(name)
    action.setToolTip(tip)
    action.setEnabled(bool(page.selected_id()))
    action.triggered.connect(lambda _checked=False: _print_selected(window))
    page.selection_changed.connect(lambda row: action.setEnabled(row is not None))
    return action


def _page_has_print_entry(page, action: QAction) -> bool:
    buttons = any(POSTER_LABEL in b.text().replace("&", "") for b in page.findChildren(QAbstractButton))
    actions = any(
        POSTER_LABEL in a.text().replace("&", "") for bar in page.findChildren(QToolBar) for a in bar.actions() if a is not action
    )
    return buttons or actions


def _add_header_button(page, action: QAction) -> None:
    """A button for the action in the detail header's title row, next to the status pill."""
    header = getattr(getattr(page, "detail", None), "header", None)
    layout = header.layout() if header is not None else None
    title_row = layout.itemAt(0).layout() if layout is not None and layout.count() else None
    if title_row is None:
        log.info("公示管理 page has no toolbar or detail header; print action is in the context menu only")
        return
    button = QToolButton(header)
    button.setObjectName("printPosterButton")
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    button.setStyleSheet(
        "QToolButton { padding: 3px 12px; border: 1px solid #b9c7da; border-radius: 5px; background: #ffffff; color: #1f4f99; }"
        "QToolButton:hover { background: #eef4fd; } QToolButton:disabled { color: #9aa3ae; }"
    )
    title_row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)


def _print_selected(window) -> None:
    page = window.disclosures_page
    disclosure_id = page.selected_id()
    if disclosure_id:
        open_poster_dialog(window, disclosure_id)
    else:
        window.statusBar().showMessage(tr("请先在公示列表中选择要打印的公示。"), 6000)
