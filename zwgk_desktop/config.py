"""The one place for settings and paths.

`Config.load(data_dir)` resolves the data directory (argument, then
`ZWGK_DATA_DIR`, then the platform's user data dir), the resource and
migration directories (a checkout, an installed package or a PyInstaller
bundle) and the tunables; the result is passed down, never re-read.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

from zwgk_desktop import APP_NAME
from zwgk_desktop.errors import DataDirError

DATA_DIR_ENV = "ZWGK_DATA_DIR"
SETTINGS_FILE = "settings.json"
DB_FILE = "zwgk.sqlite3"


def bundle_root() -> Path:
    """Directory holding `resources/` and `db/`: the PyInstaller bundle or the source tree."""
    return _bundle_root(os.environ.get("ZWGK_BUNDLE_ROOT") or None, getattr(sys, "_MEIPASS", None))


@lru_cache(maxsize=8)
def _bundle_root(override: str | None, frozen: str | None) -> Path:
    # Cached: hot paths (the catalogue behind every notice row) ask for it thousands of times, and
    # resolving the source path costs system calls each time.
    if override:
        return Path(override)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


@dataclass
class Settings:
    """Tunables kept in `settings.json` inside the data dir (all optional)."""

    county_url: str = ""
    county_ca_file: str = ""
    http_timeout_s: float = 15.0
    sync_interval_s: int = 300
    photo_min_long_side: int = 1600
    photo_max_pixels: int = 120_000_000
    photo_time_mismatch_days: int = 3
    backup_dir: str = ""
    backup_keep: int = 7

    @classmethod
    def from_file(cls, path: Path) -> "Settings":
        if not path.exists():
            return cls()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})


@dataclass
class Config:
    data_dir: Path
    root: Path = field(default_factory=bundle_root)
    settings: Settings = field(default_factory=Settings)

    @classmethod
    def load(cls, data_dir: str | os.PathLike | None = None) -> "Config":
        chosen = data_dir or os.environ.get(DATA_DIR_ENV) or default_data_dir()
        path = Path(chosen).expanduser().resolve()
        return cls(data_dir=path, settings=Settings.from_file(path / SETTINGS_FILE))

    # --- paths -------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILE

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "archive"

    @property
    def photos_dir(self) -> Path:
        return self.archive_dir / "photos"

    @property
    def prints_dir(self) -> Path:
        return self.archive_dir / "prints"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "db-backups"

    @property
    def resources_dir(self) -> Path:
        return self.root / "resources"

    @property
    def migrations_dir(self) -> Path:
        return self.root / "db"

    @property
    def fonts_dir(self) -> Path:
        return self.resources_dir / "fonts"

    def ensure_data_dir(self) -> None:
        """Create the data dir and prove it is writable, or raise a Chinese `DataDirError`."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            import tempfile

            # a probe of its own: two processes starting at once must not remove each other's
            with tempfile.TemporaryFile(dir=self.data_dir, prefix=".write-test-") as probe:
                probe.write(b"ok")
        except OSError as exc:
            raise DataDirError(
                f"数据目录 {self.data_dir} 无法写入（{exc.strerror or exc}）。"
                "请检查磁盘空间和文件夹权限，或用 --data-dir 指定其他目录。"
            ) from exc

    def save_settings(self) -> None:
        from dataclasses import asdict

        self.ensure_data_dir()
        from zwgk_desktop.fileio import write_text_atomically

        write_text_atomically(self.data_dir / SETTINGS_FILE, json.dumps(asdict(self.settings), ensure_ascii=False, indent=2))
