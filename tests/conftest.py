"""Shared fixtures: a fresh data dir per test, a migrated database, and a demo township copied from one prepared file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from zwgk_desktop.config import Config  # noqa: E402
from zwgk_desktop.core.schema import open_database  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEMO_HOUSEHOLDS = 300


@pytest.fixture
def config(tmp_path) -> Config:
    return Config.load(tmp_path / "data")


@pytest.fixture
def database(config):
    db = open_database(config)
    yield db
    db.dispose()


@pytest.fixture
def session(database):
    with database.session(user="tester") as s:
        yield s


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """One demo database built per test run; tests get copies (as Anki copies a prepared collection)."""
    from zwgk_desktop.services.demo import create_demo

    cfg = Config.load(tmp_path_factory.mktemp("demo-template"))
    db = open_database(cfg)
    with db.session(user="demo") as s:
        create_demo(s, households=DEMO_HOUSEHOLDS, seed=7)
    db.dispose()
    return cfg.db_path


@pytest.fixture
def demo_config(tmp_path, demo_template) -> Config:
    cfg = Config.load(tmp_path / "demo")
    cfg.ensure_data_dir()
    shutil.copy2(demo_template, cfg.db_path)
    return cfg


@pytest.fixture
def demo_db(demo_config):
    db = open_database(demo_config)
    yield db
    db.dispose()


class CliResult(tuple):
    """(exit code, parsed JSON or None, stderr), with `.stdout` and `.returncode` for tests that want them."""

    def __new__(cls, code: int, payload, stderr: str, stdout: str):
        result = super().__new__(cls, (code, payload, stderr))
        result.stdout = stdout
        return result

    @property
    def returncode(self) -> int:
        return self[0]

    @property
    def stderr(self) -> str:
        return self[2]


def run_cli(*args: str, data_dir: Path | str | None = None, env: dict | None = None, timeout: int = 120,
            input: str | None = None) -> CliResult:
    """Run `python -m zwgk_desktop` as a whole process (this checkout's code); the one CLI helper of the suite."""
    command = [sys.executable, "-m", "zwgk_desktop"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    if data_dir is not None:
        environment.pop("ZWGK_DATA_DIR", None)
    proc = subprocess.run(
        command + list(args), capture_output=True, text=True, timeout=timeout, env=environment, cwd=ROOT, input=input,
    )
    payload = None
    if "--json" in args and proc.stdout.strip():
        payload = json.loads(proc.stdout)
    return CliResult(proc.returncode, payload, proc.stderr, proc.stdout)
