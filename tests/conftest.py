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
    """(exit code, parsed JSON or None, stderr), with `.stdout`, `.returncode` and (when measured) `.peak_mb`."""

    def __new__(cls, code: int, payload, stderr: str, stdout: str, peak_mb: float | None = None):
        result = super().__new__(cls, (code, payload, stderr))
        result.stdout, result.peak_mb = stdout, peak_mb
        return result

    @property
    def returncode(self) -> int:
        return self[0]

    @property
    def stderr(self) -> str:
        return self[2]


# Started from a small launcher: a process started from the (large) test process would inherit its peak
# resident set until exec (Linux keeps it across exec) and report it as its own.
PEAK_LAUNCHER = (
    "import os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[1:])\n"
    "_, status, usage = os.wait4(p.pid, 0)\n"
    "sys.stderr.write('PEAK_KB=%d\\n' % usage.ru_maxrss)\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def run_cli(*args: str, data_dir: Path | str | None = None, env: dict | None = None, timeout: int = 120,
            input: str | None = None, measure_peak: bool = False) -> CliResult:
    """Run `python -m zwgk_desktop` as a whole process (this checkout's code); the one CLI helper of the suite.
    With `measure_peak`, `.peak_mb` is the peak resident set of that process and the children it reaped."""
    command = [sys.executable, "-m", "zwgk_desktop"]
    if measure_peak:
        command = [sys.executable, "-c", PEAK_LAUNCHER, *command]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    environment.pop("PYTHONUNBUFFERED", None)  # buffered output, as a user's shell runs it (`cli.exit_now` flushes)
    if data_dir is not None:
        environment.pop("ZWGK_DATA_DIR", None)
    proc = subprocess.run(
        command + list(args), capture_output=True, text=True, timeout=timeout, env=environment, cwd=ROOT, input=input,
    )
    payload = None
    if "--json" in args and proc.stdout.strip():
        payload = json.loads(proc.stdout)
    peak_mb = None
    if measure_peak:
        peak_mb = int(proc.stderr.rsplit("PEAK_KB=", 1)[1].split()[0]) / 1024
    return CliResult(proc.returncode, payload, proc.stderr, proc.stdout, peak_mb)
