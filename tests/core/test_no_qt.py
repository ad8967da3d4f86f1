"""The core, services, ops and commands never import Qt (so they run headless, in the CLI and on the county side)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import importlib, pkgutil, sys
import zwgk_desktop.core, zwgk_desktop.services, zwgk_desktop.ops, zwgk_desktop.commands, zwgk_desktop.county
for pkg in (zwgk_desktop.core, zwgk_desktop.services, zwgk_desktop.ops, zwgk_desktop.commands, zwgk_desktop.county):
    for mod in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(mod.name)
bad = sorted(m for m in sys.modules if m.startswith("PySide6"))
print(",".join(bad))
"""


def test_core_services_ops_and_commands_import_without_pyside6():
    """Importing every module of core, services, ops, commands and county loads no PySide6."""
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"Qt leaked into the core: {proc.stdout}"
