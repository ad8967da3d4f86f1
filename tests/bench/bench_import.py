"""Benchmark: `zwgk import` of a 20,000-row .xlsx roster vs a bare python-calamine read (both whole processes).

Run: .venv/bin/python tests/bench/bench_import.py [ROWS]
Prints both wall times, the ratio (goal ≤ 4) and the import's peak memory (goal < 300 MB).
"""

from __future__ import annotations

import resource
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


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / "roster.xlsx"
        make_roster(roster, rows)
        data_dir = Path(tmp) / "data"
        subprocess.run([python, "-m", "zwgk_desktop", "--data-dir", str(data_dir), "township", "init",
                        "--name", "青山镇", "--villages", ",".join(VILLAGES), "--json"],
                       check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
        baseline = timed([python, "-c",
                          "import sys, python_calamine as c; "
                          "wb = c.CalamineWorkbook.from_path(sys.argv[1]); "
                          "[wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names]", str(roster)])
        ours = timed([python, "-m", "zwgk_desktop", "--data-dir", str(data_dir), "import", str(roster),
                      "--category", "dibao", "--json"])
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"rows: {rows}")
    print(f"baseline (bare python-calamine read, whole process): {baseline:.2f} s")
    print(f"zwgk import (whole process): {ours:.2f} s")
    print(f"ratio: {ours / baseline:.2f} (goal <= 4)")
    print(f"peak memory of child processes: {peak_mb:.0f} MB (goal < 300 MB)")


if __name__ == "__main__":
    main()
