"""zwgk_desktop: offline township notice-board disclosure (乡镇公示栏政务公开) desktop app."""

__version__ = "0.1.0"
APP_NAME = "zwgk_desktop"
