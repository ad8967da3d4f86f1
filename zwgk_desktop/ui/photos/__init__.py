"""照片存档 page (photo evidence archive UI): import, link to postings, gallery, viewer, exports, verification.

`install(window)` puts `PhotosPage` in the main window's `photos` slot, built
(with Pillow) when the page is first opened (`window.add_lazy_page`). The
page runs the use cases of `zwgk_desktop.ops.photos` through the window's
task manager (bound to its database and signed-in actor); all photo rules
live in `zwgk_desktop.services.photos`; this package is Qt only.
"""

from __future__ import annotations

from zwgk_desktop.ui.i18n import tr

__all__ = ["PhotosPage", "install"]


def __getattr__(name: str):
    """`PhotosPage`, imported on first use (it pulls in Pillow)."""
    if name == "PhotosPage":
        from zwgk_desktop.ui.photos.page import PhotosPage

        return PhotosPage
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def install(window) -> None:
    """Replace the placeholder 照片存档 page of `window` with the real one (built when first shown or asked
    for with `window.page("photos")`, its splitter and columns restored from the window's settings)."""

    def status(text: str) -> None:
        window.statusBar().showMessage(text, 10000)

    def photos_page():
        from zwgk_desktop.ui.photos.page import PhotosPage

        return PhotosPage(window.config, window.tasks, window, status=status)

    window.add_lazy_page("photos", tr("照片存档"), photos_page)
