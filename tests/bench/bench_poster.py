"""Benchmark: `zwgk print poster` of a 20,000-line notice vs LibreOffice converting the same roster .xlsx to PDF.

Run: .venv/bin/python tests/bench/bench_poster.py [ROWS] [RUNS]
Both sides are whole processes timed in the same run (median of RUNS).
Prints wall time and CPU time (user + sys of the child processes, which stays
meaningful on a loaded machine) for both, and both ratios (goal ≤ 0.4).
Without `soffice` on PATH the comparison is skipped with a message and only
our times are printed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.runner import add_big_notice, python, report_both, time_process_cpu  # noqa: E402

GOAL_RATIO = 0.4
HEADER = ["序号", "村(组)", "受益户", "项目/补贴名称", "补助标准", "金额(元)", "发放日期"]


def verdicts(name: str, ours: tuple[float, float], baseline: tuple[float, float], goal: float) -> None:
    """Print whether the wall ratio and the CPU ratio each meet `goal`."""
    for label, index in (("wall", 0), ("CPU", 1)):
        ratio = ours[index] / baseline[index] if baseline[index] else float("nan")
        print(f"{name}: {label} ratio {ratio:.2f} {'meets' if ratio <= goal else 'misses'} the goal ≤ {goal}")


def prepare_data_dir(data_dir: Path, rows: int) -> str:
    """A demo township plus one approved notice with `rows` line items; returns the notice id."""
    subprocess.run(
        [python(), "-m", "zwgk_desktop", "--data-dir", str(data_dir), "demo", "--households", "300", "--json"],
        cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
    )
    from zwgk_desktop.config import Config
    from zwgk_desktop.core.schema import open_database

    database = open_database(Config.load(data_dir))
    try:
        return add_big_notice(database, rows)
    finally:
        database.dispose()


def export_roster(data_dir: Path, notice_id: str, target: Path) -> None:
    """The same lines as an .xlsx a clerk would otherwise print from a spreadsheet program."""
    import openpyxl
    from sqlalchemy import select

    from zwgk_desktop.config import Config
    from zwgk_desktop.core.models import DisclosureItem
    from zwgk_desktop.core.schema import open_database

    database = open_database(Config.load(data_dir))
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("公示名单")
    sheet.append(["青山镇惠民惠农补贴资金发放公示"])
    sheet.append(HEADER)
    with database.session() as session:
        query = select(DisclosureItem).where(DisclosureItem.disclosure_id == notice_id).order_by(DisclosureItem.seq)
        for item in session.execute(query).scalars():
            extra = item.extra or {}
            sheet.append([
                item.seq, f"{item.village_name}{item.group_name}", item.name, extra.get("subsidy_name", ""),
                extra.get("standard", ""), (item.amount_fen or 0) / 100, extra.get("paid_on", ""),
            ])
    database.dispose()
    workbook.save(target)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory(prefix="bench-poster-") as tmp:
        work = Path(tmp)
        data_dir = work / "data"
        notice_id = prepare_data_dir(data_dir, rows)
        out = work / "poster.pdf"
        ours_cmd = [python(), "-m", "zwgk_desktop", "--data-dir", str(data_dir), "print", "poster", notice_id, "-o", str(out), "--json"]
        ours = time_process_cpu(ours_cmd, runs=runs)
        result = json.loads(subprocess.run(ours_cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout)
        print(f"poster: {rows} rows → {result['pages']} pages, {out.stat().st_size / 1e6:.1f} MB, sha256 {result['sha256'][:16]}…")

        soffice = shutil.which("soffice") or shutil.which("libreoffice")
        if not soffice:
            print(f"poster {rows} rows: ours {ours[0]:.3f} s wall, {ours[1]:.3f} s CPU; baseline skipped (soffice not installed: "
                  "apt-get install -y libreoffice-calc-nogui)")
            return
        roster = work / "roster.xlsx"
        export_roster(data_dir, notice_id, roster)
        profile = (work / "lo-profile").as_uri()
        baseline_cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(work / "lo"), str(roster)]
        subprocess.run(baseline_cmd, check=True, capture_output=True, timeout=600)  # first start builds the profile
        baseline = time_process_cpu(baseline_cmd, runs=runs)
        name = f"poster {rows} rows vs soffice xlsx→pdf"
        report_both(name, ours, baseline)
        verdicts(name, ours, baseline, GOAL_RATIO)


if __name__ == "__main__":
    main()
