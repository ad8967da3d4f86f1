"""Start-up benchmark: app start → main window shown, on a demo township plus a 50,000-line notice.

Standalone (not collected by pytest): `.venv/bin/python tests/bench/bench_startup.py [--runs N]`.
Baseline: a bare PySide6 process that shows an empty QMainWindow and quits
the same way (QTimer.singleShot(0) after show), both under
QT_QPA_PLATFORM=offscreen, each timed as a whole process (median of N runs).
Also reports "ours until the notice list is loaded" against the same baseline.
Each line gives wall and CPU time (user+sys of the child process) and both
ratios: on a shared, loaded machine the CPU ratio is the steadier figure.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.runner import add_big_notice, report_both, time_process, time_process_cpu  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--households", type=int, default=2400)
    args = parser.parse_args()
    env = {"QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryDirectory(prefix="zwgk-bench-") as tmp:
        data_dir = Path(tmp) / "data"
        build_data_dir(data_dir, args.households)
        app = [sys.executable, "-m", "zwgk_desktop", "--data-dir", str(data_dir), "gui"]
        time_process(app, 1, {**env, "ZWGK_EXIT_AFTER_SHOWN": "1"})  # warm caches (.pyc, fonts)
        baseline = time_process_cpu([sys.executable, "-c", BASELINE], args.runs, env)
        shown = time_process_cpu(app, args.runs, {**env, "ZWGK_EXIT_AFTER_SHOWN": "1"})
        ready = time_process_cpu(app, args.runs, {**env, "ZWGK_EXIT_AFTER_SHOWN": "ready"})
    report_both("startup: main window shown", shown, baseline)
    report_both("startup: notice list loaded", ready, baseline)


if __name__ == "__main__":
    main()
