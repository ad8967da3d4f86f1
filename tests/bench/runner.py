"""Shared helpers for the standalone benchmarks (not collected by pytest).

- `time_process(command, runs, env)`: run a command N times as a whole
  process and return the median wall time;
- `report(name, ours, baseline)`: print `name: ours X s, baseline Y s, ratio Z`;
- `time_process_cpu(command, runs, env)`: median wall AND median CPU seconds
  (user+sys of the child, from `getrusage(RUSAGE_CHILDREN)`), the figure to
  trust on a loaded shared machine; `report_both` prints both ratios;
- `add_big_notice(database, items)`: a notice with tens of thousands of line
  items inserted with SQLAlchemy Core `executemany` (fast), for the
  start-up benchmark and the UI tests of lazy loading;
- `goal_mark(value, goal)` / `verdict(...)`: "✔" or "✗" against a goal
  (lower is better), for the lines every benchmark prints;
- `compile_bytecode()`: `python -m compileall` over the package and the
  migrations, as `dev.py` and the installers do, so a benchmark measures the
  installed app (with PYTHONDONTWRITEBYTECODE set, nothing is compiled at
  import time, and an uncompiled tree would recompile at every start).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIG_NOTICE_TITLE = "青山镇2026年度惠民惠农补贴资金发放明细公示（全镇汇总）"


def time_process(command: list[str], runs: int = 5, env: dict | None = None, cwd: Path = ROOT) -> float:
    """Median wall-clock seconds of `command` run `runs` times as a fresh process; fails loudly on error."""
    times = []
    full_env = {**os.environ, **(env or {})}
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(command, env=full_env, cwd=cwd, capture_output=True, text=True, timeout=300)
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"command failed ({proc.returncode}): {' '.join(command)}\n{proc.stderr[-2000:]}")
        times.append(elapsed)
    return statistics.median(times)


def children_cpu() -> float:
    """User + sys seconds of all finished children so far (0 where rusage doesn't exist: Windows)."""
    try:
        import resource
    except ImportError:
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_process_cpu(command: list[str], runs: int = 5, env: dict | None = None,
                     cwd: Path = ROOT) -> tuple[float, float]:
    """(median wall seconds, median CPU seconds) of `command` run `runs` times as a fresh process."""
    walls, cpus = [], []
    full_env = {**os.environ, **(env or {})}
    for _ in range(runs):
        cpu_before, started = children_cpu(), time.perf_counter()
        proc = subprocess.run(command, env=full_env, cwd=cwd, capture_output=True, text=True, timeout=300)
        walls.append(time.perf_counter() - started)
        cpus.append(children_cpu() - cpu_before)
        if proc.returncode != 0:
            raise SystemExit(f"command failed ({proc.returncode}): {' '.join(command)}\n{proc.stderr[-2000:]}")
    return statistics.median(walls), statistics.median(cpus)


def report_both(name: str, ours: tuple[float, float], baseline: tuple[float, float]) -> str:
    """Print `name: ours W s wall / C s CPU, baseline …, ratio wall R / CPU R`."""
    line = (f"{name}: ours {ours[0]:.3f} s wall / {ours[1]:.3f} s CPU, baseline {baseline[0]:.3f} s wall / "
            f"{baseline[1]:.3f} s CPU, ratio {ours[0] / baseline[0]:.2f} wall / "
            f"{ours[1] / baseline[1] if baseline[1] else float('nan'):.2f} CPU")
    print(line, flush=True)
    return line


def goal_mark(value: float, goal: float) -> str:
    """✔ when `value` meets the goal (lower is better), else ✗."""
    return "✔" if value <= goal else "✗"


def report_goal(name: str, ours: tuple[float, float], baseline: tuple[float, float], goal: float) -> str:
    """`report_both` plus the goal for the ratio and ✔/✗ for wall and CPU."""
    wall = ours[0] / baseline[0]
    cpu = ours[1] / baseline[1] if baseline[1] else float("nan")
    line = (f"{name}: ours {ours[0]:.3f} s wall / {ours[1]:.3f} s CPU, baseline {baseline[0]:.3f} s wall / "
            f"{baseline[1]:.3f} s CPU, ratio {wall:.2f} wall {goal_mark(wall, goal)} / {cpu:.2f} CPU {goal_mark(cpu, goal)}"
            f" (goal ≤ {goal:g})")
    print(line, flush=True)
    return line


def compile_bytecode(root: Path = ROOT) -> None:
    """Compile the package and the migrations to .pyc, as the install step does (see module doc)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "zwgk_desktop"), str(root / "db")],
                   check=True, env=env, capture_output=True)


def load_average() -> str:
    """The 1-minute load average (the machine is shared; say how busy it was)."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "?"


def report(name: str, ours: float, baseline: float) -> str:
    line = f"{name}: ours {ours:.3f} s, baseline {baseline:.3f} s, ratio {ours / baseline:.2f}"
    print(line, flush=True)
    return line


def add_big_notice(database, items: int = 50_000, category: str = "fupin_fund") -> str:
    """Add one notice with `items` line items to a database that has a township; return its id."""
    from sqlalchemy import func, insert, select

    from zwgk_desktop.core.models import Disclosure, DisclosureItem, Household, Township, Village

    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with database.session(user="bench") as session:
        township = session.execute(select(Township)).scalars().first()
        villages = list(session.execute(select(Village.id, Village.name)).all())
        households = list(session.execute(select(Household.id, Household.head_name, Household.id_number, Household.group_name)).all())
        notice = Disclosure(
            township_id=township.id, category=category, title=BIG_NOTICE_TITLE, status="approved",
            year=date.today().year, author="bench",
        )
        session.add(notice)
        session.flush()
        notice_id = notice.id
    rows = []
    for seq in range(1, items + 1):
        household = households[seq % len(households)]
        village = villages[seq % len(villages)]
        rows.append({
            "id": str(uuid.uuid4()), "created_at": now, "updated_at": now, "row_version": 1,
            "disclosure_id": notice_id, "seq": seq, "household_id": household[0], "name": household[1],
            "village_id": village[0], "village_name": village[1], "group_name": household[3],
            "id_number": household[2], "people": 1 + seq % 5, "amount_fen": 67_200 + (seq % 7) * 100,
            "extra": {"subsidy_name": "耕地地力保护补贴", "standard": "112元/亩", "paid_on": "2026-11-01"},
        })
    # Core executemany bypasses the ORM's per-row audit hook on purpose: this is bulk test data.
    with database.engine.begin() as conn:
        conn.execute(insert(DisclosureItem.__table__), rows)
        total = conn.execute(select(func.coalesce(func.sum(DisclosureItem.amount_fen), 0)).where(DisclosureItem.disclosure_id == notice_id)).scalar()
        conn.execute(
            Disclosure.__table__.update().where(Disclosure.id == notice_id).values(item_count=items, total_amount_fen=total, total_people=items)
        )
    return notice_id


def python() -> str:
    return sys.executable
