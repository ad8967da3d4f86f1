"""The public lookup kiosk (信息查阅点): `KioskWindow`, `run_kiosk`; data access in `lookup` (no Qt)."""

from zwgk_desktop.ui.kiosk.window import DEFAULT_IDLE_SECONDS, KioskWindow, run_kiosk

__all__ = ["DEFAULT_IDLE_SECONDS", "KioskWindow", "run_kiosk"]
