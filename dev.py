#!/usr/bin/env python3
"""Developer bootstrap: the README's two commands.

    python3 dev.py run    # create .venv, install, start the app (demo township on first run)
    python3 dev.py test   # create .venv, install with test extras, run the whole suite

Everything an install needs is here, so a fresh clone on a machine that has
only python3 works (system libraries for Qt and poppler are installed with
apt-get when running as root on Debian/Ubuntu/UOS/Kylin). The package and
the migrations are compiled to bytecode at install and before every run
(`compile_bytecode`): with PYTHONDONTWRITEBYTECODE set, Python would
otherwise compile every module again at every start of the app.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
DATA_DIR = ROOT / ".zwgk-data"
# Qt's xcb/offscreen platform plugins, poppler for PDF checks, xvfb for screenshots.
APT_PACKAGES = [
    "libegl1", "libgl1", "libxkbcommon0", "libxkbcommon-x11-0", "libfontconfig1", "libdbus-1-3", "libglib2.0-0",
    "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0", "libxcb-xinerama0", "libxcb-randr0",
    "libxcb-render-util0", "libxcb-image0", "poppler-utils", "xvfb",
    "postgresql", "chromium",  # county store tests on PostgreSQL; the county page in a real browser
]


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_system_packages() -> None:
    if not sys.platform.startswith("linux") or not shutil.which("dpkg") or not shutil.which("apt-get"):
        return
    missing = [p for p in APT_PACKAGES if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode != 0]
    if not missing:
        return
    if os.geteuid() != 0:
        print(f"[dev] 缺少系统软件包（请用 sudo 安装）：{' '.join(missing)}", file=sys.stderr)
        return
    print(f"[dev] apt-get install {' '.join(missing)}", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=False, env=env)


def ensure_venv(extras: str) -> Path:
    python = venv_python()
    if not python.exists():
        print("[dev] creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'base'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        target = f".[{extras}]" if extras else "."
        print(f"[dev] pip install -e {target}", file=sys.stderr)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True, cwd=ROOT)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", target], check=True, cwd=ROOT)
        compile_bytecode(python)
        stamp.write_text(digest)
    return python


def compile_bytecode(python: Path | str, root: Path = ROOT) -> None:
    """`python -m compileall` over the package and the migrations (only changed files are compiled again),
    even when PYTHONDONTWRITEBYTECODE is set: the app then never compiles its own modules at start-up."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    targets = [str(root / name) for name in ("zwgk_desktop", "db") if (root / name).is_dir()]
    subprocess.run([str(python), "-m", "compileall", "-q", *targets], check=True, cwd=root, env=env,
                   stdout=subprocess.DEVNULL)


def run_app(args: list[str]) -> int:
    ensure_system_packages()
    python = ensure_venv("")
    compile_bytecode(python)
    command = [str(python), "-m", "zwgk_desktop", "--data-dir", str(DATA_DIR), "gui", "--demo-if-empty", *args]
    return subprocess.call(command, cwd=ROOT)


def run_tests(args: list[str]) -> int:
    ensure_system_packages()
    python = ensure_venv("test")
    compile_bytecode(python)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if not any(arg == "-n" or arg.startswith("-n") and arg[2:].isdigit() for arg in args):
        args = ["-n", "auto", *args]  # one worker per core (pytest-xdist): the suite is mostly whole processes
    code = subprocess.call([str(python), "-m", "pytest", *args], cwd=ROOT, env=env)
    if code == 5:  # pytest: no tests collected — a suite that runs nothing must not pass
        print("[dev] pytest collected no tests: failing", file=sys.stderr)
    return code


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    return run_app(argv[1:]) if argv[0] == "run" else run_tests(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
