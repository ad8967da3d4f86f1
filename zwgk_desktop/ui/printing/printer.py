"""Sending a finished PDF to a printer: each page rendered at the printer's resolution and painted on a `QPrinter`.

`new_printer(name, paper, landscape)` makes a high-resolution printer with
paper and orientation set before the print dialog (`ask_print_options`) opens; `print_pdf(path, printer, job)` may run on a
worker thread (Qt allows painting on a QPrinter outside the GUI thread): it
renders page by page (capped at `MAX_PRINT_DPI` so an A3 page stays a few
tens of MB), reports progress, and aborts the print run when the job is
cancelled. The PDF already carries its margins, so the printer prints full
page and each page is fitted (aspect kept) into the paper.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from zwgk_desktop.core.jobs import Job
from zwgk_desktop.errors import Cancelled, ZwgkError
from zwgk_desktop.ui.printing.pdfview import POINTS_PER_INCH, pdf_page_sizes, render_page

MAX_PRINT_DPI = 300
PAPER_SIZES = {"A4": QPageSize.PageSizeId.A4, "A3": QPageSize.PageSizeId.A3, "A5": QPageSize.PageSizeId.A5}


class PrinterUnavailable(ZwgkError):
    code = "printer_unavailable"


def configure_printer(printer: QPrinter, paper: str, landscape: bool) -> None:
    """Paper size and orientation for the print dialog's defaults; full page (the PDF has the margins)."""
    printer.setPageSize(QPageSize(PAPER_SIZES.get(paper.upper(), QPageSize.PageSizeId.A4)))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)


def new_printer(doc_name: str, paper: str, landscape: bool) -> QPrinter:
    """A high-resolution printer for `doc_name`, set to the paper and orientation."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(doc_name)
    configure_printer(printer, paper, landscape)
    return printer


def ask_print_options(printer: QPrinter, parent, title: str) -> bool:
    """The system print dialog for `printer`; False when the clerk cancels it."""
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QDialog

    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    return dialog.exec() == QDialog.DialogCode.Accepted


def print_pdf(path: str | Path, printer: QPrinter, job: Job | None = None, max_dpi: int = MAX_PRINT_DPI) -> int:
    """Print every page of `path` on `printer`; returns the number of pages sent."""
    job = job or Job()
    sizes = pdf_page_sizes(path)
    dpi = max(72, min(printer.resolution() or max_dpi, max_dpi))
    painter = QPainter()
    if not painter.begin(printer):
        raise PrinterUnavailable("无法连接打印机，请检查打印机是否开机、联机，或换一台打印机后重试。")
    try:
        for index, size in enumerate(sizes):
            if job.cancelled:
                printer.abort()
                raise Cancelled()
            job.progress(index, len(sizes), f"正在打印第 {index + 1}/{len(sizes)} 页")
            if index and not printer.newPage():
                raise PrinterUnavailable("打印机没有接受新的一页，打印已中止。请检查打印机后重试。")
            image = render_page(path, index, dpi / POINTS_PER_INCH)
            painter.drawImage(_fitted(painter, QSizeF(size.width, size.height)), image)
        job.progress(len(sizes), len(sizes), "已发送到打印机")
    finally:
        painter.end()
    return len(sizes)


def _fitted(painter: QPainter, page: QSizeF) -> QRectF:
    """The largest rectangle with the page's aspect ratio, centred in the painter's device."""
    device = painter.device()
    width, height = float(device.width()), float(device.height())
    scale = min(width / page.width(), height / page.height())
    w, h = page.width() * scale, page.height() * scale
    return QRectF((width - w) / 2, (height - h) / 2, w, h)
