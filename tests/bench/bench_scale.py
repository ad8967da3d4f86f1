"""Scale benchmark (issue 17): ten years of a large township against the demo township, the same operation on both.

Standalone (not collected by pytest): `.venv/bin/python tests/bench/bench_scale.py [--runs N] [--rebuild]`.
Data: `tests/bench/scale_data.py` (30 villages, 60,000 households, ~1,000 notices with ~1,000,000 line items
and one of 50,000 lines, 50,000 photo records, 200,000 audit events; built once and cached under /tmp) and the
demo township plus one 50,000-line notice (the start-up benchmark's data, cached beside it). Each run works on
copies. Measured, each with its goal and ✔/✗:
1. start-up to 今日待办 read from the database (not the list remembered at the last close), whole process
   (`zwgk gui`, wall and CPU) — ≤ 1.5 × the demo's;
2. 公示管理 search by name, per keystroke after the first (the query the page runs, typing three full names
   character by character) — ≤ 100 ms;
3. opening the 50,000-line notice to its first rows (what the detail pane loads: the notice, its line
   count, the first page of 500 lines) — ≤ 300 ms;
4. 统计报表 for one year (the op the page runs) — ≤ 1 s;
5. `audit verify`: rows per second on both (linear: the large township's rate at least 2/3 of the demo's);
6. `backup create` against a plain copy of the same files (each copied and flushed to disk): speed at least
   50 % of the copy's;
7. a sync with nothing to send, against a real county server process on 127.0.0.1 — ≤ 0.2 s. The demo
   township is enrolled and synced for real first; the large township is enrolled and put in the state ten
   years of syncing leave (every change sent, every file confirmed by the county: `scale_data.mark_synced`),
   since pushing ten years through a first sync would take hours. Its county holds none of its rows, so
   the sanity count after the sync warns (as it would on a county that lost them), which is not a failure.
In-process timings are the median of N runs after one warm-up; CPU is the process time (all threads).
The machine is shared: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.runner import (  # noqa: E402
    compile_bytecode,
    goal_mark,
    load_average,
    time_process,
    time_process_cpu,
)
from tests.bench.scale_data import cache_root, scale_data_dir, schema_head, working_copy  # noqa: E402

STARTUP_GOAL = 1.5
KEYSTROKE_GOAL_S = 0.100
OPEN_GOAL_S = 0.300
STATS_GOAL_S = 1.0
AUDIT_LINEAR_GOAL = 2 / 3
BACKUP_SPEED_GOAL = 0.5
SYNC_GOAL_S = 0.2
DEMO_VERSION = 1


def say(line: str) -> None:
    print(line, flush=True)


def demo_data_dir() -> Path:
    """The demo township plus a 50,000-line notice (as bench_startup builds it), cached beside the scale data."""
    from tests.bench.bench_startup import build_data_dir

    target = cache_root() / f"zwgk-scale-demo-v{DEMO_VERSION}-{schema_head()}"
    if not (target / "BUILT").exists():
        shutil.rmtree(target, ignore_errors=True)
        build_data_dir(target / "data", 2400)
        (target / "BUILT").write_text("ok", encoding="utf-8")
    return target / "data"


def median_of(fn: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """(median wall, median CPU seconds, last result) of `fn()` over `runs` runs after one warm-up."""
    result = fn()
    walls, cpus = [], []
    for _ in range(runs):
        cpu, wall = time.process_time(), time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def line(name: str, scale: str, demo: str, verdict: str) -> str:
    text = f"scale: {name}: large township {scale}; demo {demo}; {verdict}"
    say(text)
    return text


class Township:
    """One data dir opened for the in-process measurements (as the signed-in administrator would)."""

    def __init__(self, data_dir: Path):
        from zwgk_desktop.config import Config
        from zwgk_desktop.core.schema import open_database
        from zwgk_desktop.core.users import SYSTEM_ACTOR

        self.config = Config.load(data_dir)
        self.database = open_database(self.config, quick_check=False)
        self.actor = SYSTEM_ACTOR

    def close(self) -> None:
        self.database.dispose()

    # --- what the pages run ------------------------------------------------------------------------------------
    def search(self, text: str):
        """The notice list's query for a search text (the op of 公示管理 where it exists, else its core query)."""
        try:
            from zwgk_desktop.ops.notices import list_notices
        except ImportError:
            from zwgk_desktop.core.disclosures import list_disclosures
            from zwgk_desktop.ops.base import read_session

            with read_session(self.database, self.actor) as session:
                return list_disclosures(session, search=text)
        return list_notices(self.database, self.actor, search=text)

    def open_notice(self, notice_id: str, page_size: int = 500):
        """What the detail pane loads for a notice: the notice, its line count and the first page of lines."""
        try:
            from zwgk_desktop.ops.notices import load_notice
        except ImportError:
            from zwgk_desktop.core.disclosures import count_items, item_page, show_disclosure
            from zwgk_desktop.ops.base import read_session

            with read_session(self.database, self.actor) as session:
                detail = show_disclosure(session, notice_id)
                return detail, count_items(session, detail.id), item_page(session, detail.id, 0, page_size)
        return load_notice(self.database, self.actor, notice_id, page_size=page_size)

    def statistics(self, year: int):
        from zwgk_desktop.ops.statistics import year_statistics

        return year_statistics(self.database, self.actor, year)

    def verify_audit(self) -> int:
        """Verify the audit chain; the number of events checked."""
        try:
            from zwgk_desktop.ops.audit import verify_audit
        except ImportError:
            from zwgk_desktop.core.audit import verify_chain
            from zwgk_desktop.ops.base import read_session

            with read_session(self.database, self.actor) as session:
                report = verify_chain(session)
        else:
            report = verify_audit(self.database, self.actor, county=False)
        assert report.ok, report
        return report.checked

    def backup(self, dest: Path):
        try:
            from zwgk_desktop.ops.backup import create_backup
        except ImportError:
            from zwgk_desktop.services.backup import create_backup as service

            return service(self.config, dest, database=self.database)
        return create_backup(self.database, self.actor, dest)

    def sync(self):
        """One sync as the desktop runs it (`ops.sync.sync_now`); its report (`services.sync.SyncReport`)."""
        from zwgk_desktop.ops.sync import sync_now

        return sync_now(self.database, self.actor).report

    # --- facts for the measurements ------------------------------------------------------------------------------
    def biggest_notice(self) -> str:
        from sqlalchemy import select

        from zwgk_desktop.core.models import Disclosure

        with self.database.session() as session:
            return session.execute(select(Disclosure.id).order_by(Disclosure.item_count.desc()).limit(1)).scalar_one()

    def common_names(self, count: int = 3) -> list[str]:
        """The most frequent three-character names on notice lines (what a clerk types)."""
        from sqlalchemy import func, select

        from zwgk_desktop.core.models import DisclosureItem

        with self.database.session() as session:
            rows = session.execute(
                select(DisclosureItem.name).where(func.length(DisclosureItem.name) == 3)
                .group_by(DisclosureItem.name).order_by(func.count().desc()).limit(count)).scalars()
            return list(rows)

    def last_full_year(self) -> int:
        from sqlalchemy import func, select

        from zwgk_desktop.core.models import Disclosure

        with self.database.session() as session:
            years = sorted(session.execute(select(Disclosure.year).group_by(Disclosure.year)
                                           .having(func.count() > 0)).scalars())
        return years[-2] if len(years) > 1 else years[-1]

    def newest_year(self) -> int:
        from sqlalchemy import func, select

        from zwgk_desktop.core.models import Disclosure

        with self.database.session() as session:
            return session.execute(select(func.max(Disclosure.year))).scalar_one()

    def backup_sources(self) -> list[Path]:
        from zwgk_desktop.config import SETTINGS_FILE

        files = [self.config.db_path]
        files += sorted(p for p in self.config.archive_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
        settings = self.config.data_dir / SETTINGS_FILE
        return files + ([settings] if settings.is_file() else [])


# --- the measurements ------------------------------------------------------------------------------------------


def measure_startup(scale_dir: Path, demo_dir: Path, runs: int) -> str:
    # Read from the database, not the list remembered at the last close (which takes the same time on any data).
    env = {"QT_QPA_PLATFORM": "offscreen", "ZWGK_EXIT_AFTER_SHOWN": "today-live"}

    def app(data_dir: Path) -> list[str]:
        return [sys.executable, "-m", "zwgk_desktop", "--data-dir", str(data_dir), "gui"]

    for data_dir in (scale_dir, demo_dir):  # first start: single-user account, page check, caches
        time_process(app(data_dir), 1, env)
    demo = time_process_cpu(app(demo_dir), runs, env)
    scale = time_process_cpu(app(scale_dir), runs, env)
    wall, cpu = scale[0] / demo[0], scale[1] / demo[1]
    return line("start-up to 今日待办 read from the database", f"{scale[0]:.3f} s wall / {scale[1]:.3f} s CPU",
                f"{demo[0]:.3f} s / {demo[1]:.3f} s",
                f"ratio {wall:.2f} wall {goal_mark(wall, STARTUP_GOAL)} / {cpu:.2f} CPU {goal_mark(cpu, STARTUP_GOAL)} "
                f"(goal ≤ {STARTUP_GOAL:g})")


def keystroke_times(township: Township, names: list[str], runs: int) -> tuple[float, int]:
    """Median seconds of one keystroke after the first (each name typed character by character), results seen."""
    times, found = [], 0
    for _ in range(runs):
        for name in names:
            township.search(name[:1])  # the first keystroke
            for end in range(2, len(name) + 1):
                started = time.perf_counter()
                found = max(found, len(township.search(name[:end])))
                times.append(time.perf_counter() - started)
    return statistics.median(times), found


def measure_search(scale: Township, demo: Township, runs: int) -> str:
    names = scale.common_names()
    scale_s, scale_rows = keystroke_times(scale, names, runs)
    demo_s, _rows = keystroke_times(demo, demo.common_names(), runs)
    return line(f"公示管理 search by name, per keystroke after the first ({'、'.join(names)}; up to {scale_rows} notices)",
                f"{scale_s * 1000:.1f} ms", f"{demo_s * 1000:.1f} ms",
                f"goal ≤ {KEYSTROKE_GOAL_S * 1000:.0f} ms {goal_mark(scale_s, KEYSTROKE_GOAL_S)}")


def measure_open(scale: Township, demo: Township, runs: int) -> str:
    scale_id, demo_id = scale.biggest_notice(), demo.biggest_notice()
    scale_t = median_of(lambda: scale.open_notice(scale_id), runs)
    demo_t = median_of(lambda: demo.open_notice(demo_id), runs)
    return line("opening the 50,000-line notice to its first 500 rows", f"{scale_t[0] * 1000:.1f} ms",
                f"{demo_t[0] * 1000:.1f} ms", f"goal ≤ {OPEN_GOAL_S * 1000:.0f} ms {goal_mark(scale_t[0], OPEN_GOAL_S)}")


def measure_statistics(scale: Township, demo: Township, runs: int) -> str:
    year, demo_year = scale.last_full_year(), demo.newest_year()
    scale_t = median_of(lambda: scale.statistics(year), runs)
    demo_t = median_of(lambda: demo.statistics(demo_year), runs)
    return line(f"统计报表 for one year ({year})", f"{scale_t[0]:.3f} s wall / {scale_t[1]:.3f} s CPU",
                f"{demo_t[0]:.3f} s ({demo_year})", f"goal ≤ {STATS_GOAL_S:g} s {goal_mark(scale_t[0], STATS_GOAL_S)}")


def measure_audit(scale: Township, demo: Township) -> str:
    rates = []
    for township in (scale, demo):
        started = time.perf_counter()
        checked = township.verify_audit()
        rates.append((checked, checked / (time.perf_counter() - started)))
    (scale_rows, scale_rate), (demo_rows, demo_rate) = rates
    share = scale_rate / demo_rate
    return line("audit verify", f"{scale_rows:,} events at {scale_rate:,.0f} rows/s",
                f"{demo_rows:,} events at {demo_rate:,.0f} rows/s",
                f"rate {share:.2f} × the demo's (linear: goal ≥ {AUDIT_LINEAR_GOAL:.2f}) "
                f"{'✔' if share >= AUDIT_LINEAR_GOAL else '✗'}")


def plain_copy(files: list[Path], dest: Path) -> float:
    """Seconds to copy `files` into `dest` and flush each to disk (what a careful person does by hand)."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    started = time.perf_counter()
    for n, source in enumerate(files):
        target = dest / f"{n:06d}-{source.name}"
        shutil.copyfile(source, target)
        fd = os.open(target, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return time.perf_counter() - started


def backup_speed(township: Township, work: Path, runs: int) -> tuple[float, float, int]:
    """(median backup seconds, median plain copy seconds, bytes) over `runs` alternating runs."""
    files = township.backup_sources()
    size = sum(f.stat().st_size for f in files)
    ours, copies = [], []
    for n in range(runs):
        copies.append(plain_copy(files, work / "copy"))
        shutil.rmtree(work / "copy", ignore_errors=True)
        dest = work / f"backup-{n}"
        started = time.perf_counter()
        township.backup(dest)
        ours.append(time.perf_counter() - started)
        shutil.rmtree(dest, ignore_errors=True)
    return statistics.median(ours), statistics.median(copies), size


def measure_backup(scale: Township, demo: Township, work: Path, runs: int) -> str:
    ours, copy, size = backup_speed(scale, work / "scale-backup", runs)
    demo_ours, demo_copy, demo_size = backup_speed(demo, work / "demo-backup", runs)
    speed = copy / ours
    return line(f"backup create ({size / 1e6:.0f} MB)",
                f"{ours:.2f} s vs plain copy {copy:.2f} s: {speed:.0%} of its speed",
                f"{demo_ours:.2f} s vs {demo_copy:.2f} s ({demo_size / 1e6:.0f} MB): {demo_copy / demo_ours:.0%}",
                f"goal ≥ {BACKUP_SPEED_GOAL:.0%} {'✔' if speed >= BACKUP_SPEED_GOAL else '✗'}")


def measure_sync(scale: Township, demo: Township, work: Path, runs: int) -> str:
    from tests.bench.scale_data import mark_synced
    from tests.county.kit import CountyProcess, enroll_real

    county = CountyProcess(work / "county").start()
    try:
        results = []
        for township, ten_years in ((scale, True), (demo, False)):
            enroll_real(township.config, county, database=township.database)
            township.config = type(township.config).load(township.config.data_dir)  # with the county's address
            if ten_years:
                mark_synced(township.database)
            township.sync()  # first sync: the demo's rows and files (the large township: its few new changes)
            results.append(median_of(township.sync, runs))
    finally:
        county.stop()
    (scale_wall, scale_cpu, report), (demo_wall, _cpu, _report) = results
    return line("sync with nothing to send", f"{scale_wall:.3f} s wall / {scale_cpu:.3f} s CPU (pushed {report.pushed})",
                f"{demo_wall:.3f} s", f"goal ≤ {SYNC_GOAL_S:g} s {goal_mark(scale_wall, SYNC_GOAL_S)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="build the large township again")
    parser.add_argument("--only", nargs="*", default=None,
                        help="some of: startup search open stats audit backup sync")
    args = parser.parse_args()
    wanted = set(args.only or ("startup", "search", "open", "stats", "audit", "backup", "sync"))
    compile_bytecode()
    scale_source = scale_data_dir(rebuild=args.rebuild, say=say)
    demo_source = demo_data_dir()
    lines = []
    with tempfile.TemporaryDirectory(prefix="zwgk-bench-scale-") as tmp:
        work = Path(tmp)
        say("copying the data …")
        scale_dir = working_copy(scale_source, work / "scale")
        demo_dir = working_copy(demo_source, work / "demo")
        say(f"load average before: {load_average()}")
        if "startup" in wanted:
            lines.append(measure_startup(scale_dir, demo_dir, args.runs))
        scale, demo = Township(scale_dir), Township(demo_dir)
        try:
            if "search" in wanted:
                lines.append(measure_search(scale, demo, args.runs))
            if "open" in wanted:
                lines.append(measure_open(scale, demo, args.runs))
            if "stats" in wanted:
                lines.append(measure_statistics(scale, demo, args.runs))
            if "audit" in wanted:
                lines.append(measure_audit(scale, demo))
            if "backup" in wanted:
                lines.append(measure_backup(scale, demo, work, args.runs))
            if "sync" in wanted:
                lines.append(measure_sync(scale, demo, work, args.runs))
        finally:
            scale.close()
            demo.close()
        say(f"load average after: {load_average()}")
    say("\n".join(["", "summary:", *lines]))


if __name__ == "__main__":
    main()
