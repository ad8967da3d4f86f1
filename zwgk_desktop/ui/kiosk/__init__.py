"""The public lookup kiosk (信息查阅点): `KioskWindow` and its launcher `run_kiosk`; the use cases are in `ops.kiosk`."""

from zwgk_desktop.ui.kiosk.window import DEFAULT_IDLE_SECONDS, KioskWindow, run_kiosk

__all__ = ["DEFAULT_IDLE_SECONDS", "KioskWindow", "run_kiosk"]
