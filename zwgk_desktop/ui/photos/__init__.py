"""照片存档 page (photo evidence archive UI): import, link to postings, gallery, viewer, exports, verification.

`install(window)` puts `PhotosPage` in the main window's `photos` slot. The
page runs the use cases of `zwgk_desktop.ops.photos` through the window's
task manager (bound to its database and signed-in actor); all photo rules
live in `zwgk_desktop.services.photos`; this package is Qt only.
"""

from __future__ import annotations

from zwgk_desktop.ui.i18n import tr
from zwgk_desktop.ui.photos.page import PhotosPage

__all__ = ["PhotosPage", "install"]


def install(window) -> PhotosPage:
    """Replace the placeholder 照片存档 page of `window` with the real one."""

    def status(text: str) -> None:
        window.statusBar().showMessage(text, 10000)

    page = PhotosPage(window.config, window.tasks, window, status=status)
    restore = getattr(window, "settings", None)
    if restore is not None:
        page.restore_state(window.settings)
    window.add_page("photos", tr("照片存档"), page)
    return page
