"""The install step compiles the package and the migrations, so no start of the app compiles a module even with
PYTHONDONTWRITEBYTECODE set (issue 17)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def load_dev():
    spec = importlib.util.spec_from_file_location("dev_under_test", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fresh_pyc_for(source: Path) -> bool:
    """Whether `source` has a .pyc Python will use as is: its header carries the source's mtime and size."""
    cached = Path(importlib.util.cache_from_source(str(source)))
    if not cached.is_file():
        return False
    header = cached.read_bytes()[:16]
    stat = source.stat()
    return (int.from_bytes(header[4:8], "little") == 0
            and int.from_bytes(header[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF
            and int.from_bytes(header[12:16], "little") == stat.st_size & 0xFFFFFFFF)


def test_dev_install_step_compiles_every_module_and_migration(tmp_path, monkeypatch):
    """`dev.compile_bytecode` leaves a valid .pyc beside every module of the package and every migration, even
    when PYTHONDONTWRITEBYTECODE is set; a module imported afterwards with that setting loads from it."""
    tree = tmp_path / "checkout"
    shutil.copytree(ROOT / "zwgk_desktop", tree / "zwgk_desktop", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "db", tree / "db", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    load_dev().compile_bytecode(sys.executable, tree)
    sources = sorted([*(tree / "zwgk_desktop").rglob("*.py"), *(tree / "db").rglob("*.py")])
    assert len(sources) > 100
    assert [str(s.relative_to(tree)) for s in sources if not fresh_pyc_for(s)] == []
    probe = subprocess.run(
        [sys.executable, "-c", "import zwgk_desktop.ui.app as m, sys; print(m.__spec__.cached)"],
        cwd=tree, env={"PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1", "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True, text=True, timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    assert Path(probe.stdout.strip()).is_file() and str(tree) in probe.stdout
