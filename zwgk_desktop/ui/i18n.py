"""The one translation helper of the UI: every user-facing string goes through `tr`.

All strings share one Qt translation context ("zwgk"), so a single .ts file
(lupdate over zwgk_desktop/ui) gives an English build; source strings are
Chinese (zh_CN), the language the app ships in.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

CONTEXT = "zwgk"


def tr(text: str) -> str:
    return QCoreApplication.translate(CONTEXT, text)
