"""Start-up benchmark: app start → main window shown → 今日待办 filled → notice list loaded, on a demo
township plus a 50,000-line notice.

Standalone (not collected by pytest): `.venv/bin/python tests/bench/bench_startup.py [--runs N]`.
Baseline: a bare PySide6 process that shows an empty QMainWindow and quits
the same way (QTimer.singleShot(0) after show), both under
QT_QPA_PLATFORM=offscreen, each timed as a whole process (median of N runs).
Points, each against that same baseline (issue 17):
- "main window shown": the first paint of the window (frame, navigation, a
  placeholder for the first page) — goal ≤ 1.5×;
- "今日待办 filled": the to-do list on screen — goal ≤ 3×. On an everyday
  start that is the list remembered when the app last closed
  (`core.start_snapshot`: same day, database and catalogue files untouched),
  shown before the database layer is even imported;
- "今日待办 read from the database": the database opened, the user signed
  in (single-user mode) and the list read live (no goal; it replaces the
  remembered one, and was the "filled" point until stop 23);
- "notice list loaded": the 公示管理 list loaded too (no goal; kept from
  the first version of this benchmark).
Each line gives wall and CPU time (user+sys of the child process) and both
ratios: on a shared, loaded machine the CPU ratio is the steadier figure.
The package is compiled to .pyc first, as the install step does.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.runner import (  # noqa: E402
    add_big_notice,
    compile_bytecode,
    load_average,
    report_both,
    report_goal,
    time_process,
    time_process_cpu,
)

BASELINE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("baseline")
window.resize(1360, 840)
window.show()
QTimer.singleShot(0, window.close)
sys.exit(app.exec())
"""
SHOWN_GOAL = 1.5
TODAY_GOAL = 3.0


def build_data_dir(target: Path, households: int) -> None:
    from zwgk_desktop.config import Config
    from zwgk_desktop.core.schema import open_database
    from zwgk_desktop.services.demo import create_demo

    config = Config.load(target)
    database = open_database(config)
    with database.session(user="bench") as session:
        create_demo(session, households=households)
    add_big_notice(database, 50_000)
    database.dispose()


def app_command(data_dir: Path) -> list[str]:
    return [sys.executable, "-m", "zwgk_desktop", "--data-dir", str(data_dir), "gui"]


def measure(data_dir: Path, runs: int, env: dict) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) of the app to each start-up point on `data_dir`."""
    app = app_command(data_dir)
    return {
        "shown": time_process_cpu(app, runs, {**env, "ZWGK_EXIT_AFTER_SHOWN": "1"}),
        "today": time_process_cpu(app, runs, {**env, "ZWGK_EXIT_AFTER_SHOWN": "today"}),
        "today-live": time_process_cpu(app, runs, {**env, "ZWGK_EXIT_AFTER_SHOWN": "today-live"}),
        "ready": time_process_cpu(app, runs, {**env, "ZWGK_EXIT_AFTER_SHOWN": "ready"}),
    }


def which_list(data_dir: Path, env: dict) -> str:
    """What one more "today" start prints: whether the list on screen was remembered or read live."""
    proc = subprocess.run(app_command(data_dir), env={**os.environ, **env, "ZWGK_EXIT_AFTER_SHOWN": "today"},
                          capture_output=True, text=True, timeout=300)
    return proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "(nothing)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--households", type=int, default=2400)
    args = parser.parse_args()
    env = {"QT_QPA_PLATFORM": "offscreen"}
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="zwgk-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        build_data_dir(data_dir, args.households)
        time_process(app_command(data_dir), 1, {**env, "ZWGK_EXIT_AFTER_SHOWN": "ready"})  # warm caches (fonts, disk)
        print(f"load average before: {load_average()}", flush=True)
        baseline = time_process_cpu([sys.executable, "-c", BASELINE], args.runs, env)
        points = measure(data_dir, args.runs, env)
        print(f"a 'today' run says: {which_list(data_dir, env)}", flush=True)
        print(f"load average after: {load_average()}", flush=True)
    report_goal("startup: main window shown", points["shown"], baseline, SHOWN_GOAL)
    report_goal("startup: 今日待办 filled", points["today"], baseline, TODAY_GOAL)
    report_both("startup: 今日待办 read from the database", points["today-live"], baseline)
    report_both("startup: notice list loaded", points["ready"], baseline)


if __name__ == "__main__":
    main()
