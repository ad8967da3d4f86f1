"""Benchmark: `zwgk import` of a 20,000-row .xlsx roster vs a bare python-calamine read (both whole processes).

Run: .venv/bin/python tests/bench/bench_import.py [ROWS] [RUNS]
Each run times the baseline and then our import (into a fresh copy of an
initialised data dir, so every run creates all households) back to back, so
both see the same machine load; prints the median wall times, the ratio of
the medians (goal ≤ 4), the CPU seconds of each (ours includes the child
process that reads the file) and the peak memory of the import process
(goal < 300 MB).

Both processes run with bytecode caching allowed (PYTHONDONTWRITEBYTECODE
removed from their environment) after one warm-up import, as an installed
app runs: recompiling the app's own sources on every start is a property of
a development checkout, not of the import.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from zwgk_desktop.core.idnumber import make_id_number  # noqa: E402

VILLAGES = ["石桥村", "河口村", "新华社区", "东风村", "红旗村"]
HEADER = ["序号", "村(组)", "户主姓名", "身份证号码", "保障人数", "保障类别", "月保障金额(元)", "类型", "备注"]


def make_roster(path: Path, rows: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["青山镇2026年11月农村低保发放花名册"])
    ws.append(HEADER)
    total = 0
    for i in range(rows):
        born = date(1940 + i % 60, 1 + i % 12, 1 + i % 28)
        amount = 300 + (i % 50) * 10
        total += amount
        ws.append([i + 1, f"{VILLAGES[i % 5]}{1 + i % 6}组", f"张{i}", make_id_number("341525", born, i % 1000),
                   1 + i % 5, "A类", amount, "续保", ""])
    ws.append(["合计", None, None, None, None, None, total, None, None])
    wb.save(path)


ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPATH"] = str(ROOT)


def timed(command: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds of it and its children, peak RSS MB) of one whole process."""
    wall = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=ROOT, env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - wall
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(command)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / "roster.xlsx"
        make_roster(roster, rows)
        template = Path(tmp) / "template"
        subprocess.run([python, "-m", "zwgk_desktop", "--data-dir", str(template), "township", "init",
                        "--name", "青山镇", "--villages", ",".join(VILLAGES), "--json"],
                       check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=ENV)
        warm = Path(tmp) / "warm"
        shutil.copytree(template, warm)
        timed([python, "-m", "zwgk_desktop", "--data-dir", str(warm), "import", str(roster), "--category", "dibao",
               "--dry-run", "--json"])  # compiles the app's modules once, as an installed app has them
        baseline, ours = [], []
        for run in range(runs):
            baseline.append(timed([python, "-c",
                                   "import sys, python_calamine as c; "
                                   "wb = c.CalamineWorkbook.from_path(sys.argv[1]); "
                                   "[wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]", str(roster)]))
            data_dir = Path(tmp) / f"data{run}"
            shutil.copytree(template, data_dir)
            ours.append(timed([python, "-m", "zwgk_desktop", "--data-dir", str(data_dir), "import", str(roster),
                               "--category", "dibao", "--json"]))
    base_wall, base_cpu = statistics.median(b[0] for b in baseline), statistics.median(b[1] for b in baseline)
    our_wall, our_cpu = statistics.median(o[0] for o in ours), statistics.median(o[1] for o in ours)
    print(f"rows: {rows}, runs: {runs} (medians)")
    print(f"baseline (bare python-calamine read, whole process): {base_wall:.2f} s wall, {base_cpu:.2f} s CPU")
    print(f"zwgk import (whole process): {our_wall:.2f} s wall, {our_cpu:.2f} s CPU")
    print(f"ratio: {our_wall / base_wall:.2f} wall, {our_cpu / base_cpu:.2f} CPU (goal <= 4)")
    print(f"peak memory of the import process: {max(o[2] for o in ours):.0f} MB (goal < 300 MB)")


if __name__ == "__main__":
    main()
