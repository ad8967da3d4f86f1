"""Benchmark: `zwgk photos import` of 200 12-MP JPEGs vs a bare Pillow draft+thumbnail+SHA-256 loop.

Standalone script (not collected by pytest). Run from the repository root:

    .venv/bin/python tests/bench/bench_photos.py [--count 200] [--repeat 3] [--fresh-db] [--with-postings]

The photos (4000×3000, with EXIF) are generated once and cached in the temp
dir; generation is not timed. Both sides run as separate processes over the
same files with a warm page cache. Ours does everything an import does: read
(regular files only), SHA-256, EXIF, draft decode (truncation check), blur
and darkness measures, the quick QR pass (zxing-cpp on the draft), archive
copy with fsync, thumbnail, one DB transaction with audit and outbox rows.
The baseline only decodes at 1/8 scale, thumbnails and hashes, single-threaded.
Goal (issue 17): ratio ≤ 1.0, i.e. use both cores.

The app's modules are byte-compiled first (untimed), as an installed app
ships them. Ours imports into an existing township database (initialised
once, untimed, copied for each run), as on a township PC; `--fresh-db` times creating and
migrating a new database too. `--with-postings` adds a notice posted on the
photos' days, so every photo without a readable QR also gets the
full-resolution QR pass (what a folder of notice-board photos costs when the
posters are too small in the frame for the draft).

Pool: threads, measured against a process pool here (2 cores, 200 photos):
CPU time was the same within noise (Pillow, hashlib and zxing-cpp release
the GIL), and threads share one pixel budget and need no start-up or
pickling — so the importer uses threads (`importer.MAX_WORKERS`).

The two sides run alternately `--repeat` times (so both see the same
machine load) and the report gives, for wall and for CPU time (user+sys of
the child, from `getrusage(RUSAGE_CHILDREN)`), the median and the best of
each side and their ratios. On a shared, loaded machine trust the CPU ratio
and the best-of wall ratio more than a single wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PIL import ImageDraw  # noqa: E402

from tests.services.photos.fixtures import board_image, make_exif  # noqa: E402

SIZE = (4000, 3000)
CACHE_DIR = Path(tempfile.gettempdir()) / "zwgk-bench-photos-12mp-v1"

BASELINE = r"""
import hashlib, io, sys
from pathlib import Path
from PIL import Image
for path in sorted(Path(sys.argv[1]).glob("*.jpg")):
    data = path.read_bytes()
    hashlib.sha256(data).hexdigest()
    with Image.open(io.BytesIO(data)) as im:
        w, h = im.size
        im.draft("RGB", (w // 8, h // 8))
        im.thumbnail((256, 256))
"""


VERIFY_BASELINE = r"""
import hashlib, sys
from pathlib import Path
for path in sorted(Path(sys.argv[1]).rglob("*.*")):
    with open(path, "rb") as fh:
        digest = hashlib.sha256()
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
"""


def generate_photos(count: int) -> Path:
    """200 distinct 12-MP JPEGs with EXIF (cached across runs)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    existing = sorted(CACHE_DIR.glob("*.jpg"))
    if len(existing) >= count:
        return CACHE_DIR
    print(f"generating {count} photos of {SIZE[0]}x{SIZE[1]} in {CACHE_DIR} (not timed)…", file=sys.stderr)
    base = board_image(SIZE, seed=42)
    start = datetime(2026, 3, 2, 8, 0)
    for index in range(count):
        target = CACHE_DIR / f"IMG_{index:04d}.jpg"
        if target.exists():
            continue
        image = base.copy()
        draw = ImageDraw.Draw(image)
        draw.rectangle((40 + index * 7 % 900, 40, 400 + index * 7 % 900, 220), fill=(index % 255, 90, 30))
        exif = make_exif(start + timedelta(minutes=7 * index), orientation=6 if index % 10 == 0 else None)
        tmp = target.with_suffix(".tmp")
        image.save(tmp, "JPEG", quality=90, exif=exif)
        os.replace(tmp, target)
    return CACHE_DIR


def warm_cache(folder: Path) -> None:
    for path in folder.glob("*.jpg"):
        path.read_bytes()


def children_cpu() -> float:
    try:
        import resource
    except ImportError:  # Windows: no rusage, CPU column shows 0
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one child process."""
    cpu_before = children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(command)}\n{proc.stderr[-2000:]}")
    return elapsed, children_cpu() - cpu_before


def ratio_line(baseline_runs: list[tuple[float, float]], ours_runs: list[tuple[float, float]]) -> str:
    """Ratios ours/baseline of the medians and of the bests, wall and CPU."""
    def ratio(pick, index):
        return pick([r[index] for r in ours_runs]) / pick([r[index] for r in baseline_runs])

    return (f"ratio ours/baseline: wall {ratio(statistics.median, 0):.2f} median, {ratio(min, 0):.2f} best "
            f"(goal <= 1.0); CPU {ratio(statistics.median, 1):.2f} median, {ratio(min, 1):.2f} best")


def prepare_data_dir(with_postings: bool) -> Path:
    """A data dir whose database exists (untimed); with a notice posted on the photos' days if asked."""
    data_dir = Path(tempfile.mkdtemp(prefix="zwgk-bench-template-"))
    empty = Path(tempfile.mkdtemp(prefix="zwgk-bench-empty-"))
    subprocess.run([sys.executable, "-m", "zwgk_desktop", "--data-dir", str(data_dir), "photos", "import", str(empty),
                    "--json"], cwd=ROOT, check=True, capture_output=True)
    if with_postings:
        from datetime import date

        from tests.services.photos.conftest import add_posting
        from zwgk_desktop.config import Config
        from zwgk_desktop.core.schema import open_database

        database = open_database(Config.load(data_dir))
        with database.session(user="bench") as session:
            add_posting(session, posted_on=date(2026, 3, 2), planned_end=date(2026, 3, 9), gps=None)
        database.dispose()
    return data_dir


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="runs per side, alternating")
    parser.add_argument("--fresh-db", action="store_true", help="time creating the database too (empty data dir)")
    parser.add_argument("--with-postings", action="store_true",
                        help="a notice posted on the photos' days: photos without a QR get the full-resolution pass")
    args = parser.parse_args()

    folder = generate_photos(args.count)
    files = sorted(folder.glob("*.jpg"))[: args.count]
    subset = Path(tempfile.mkdtemp(prefix="zwgk-bench-src-"))
    for path in files:
        os.link(path, subset / path.name) if hasattr(os, "link") else shutil.copy(path, subset / path.name)
    warm_cache(subset)
    size_mb = sum(p.stat().st_size for p in files) / 1e6

    # As installed (the .deb and setup.exe ship .pyc): compile once, untimed, so that a
    # PYTHONDONTWRITEBYTECODE environment doesn't make every run compile the app from source.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "zwgk_desktop")], check=True)
    template = None if args.fresh_db else prepare_data_dir(args.with_postings)
    baseline_runs, ours_runs, verify_base, verify_ours = [], [], [], []
    try:
        for _ in range(args.repeat):
            baseline_runs.append(timed([sys.executable, "-c", BASELINE, str(subset)]))
            data_dir = Path(tempfile.mkdtemp(prefix="zwgk-bench-data-"))
            if template is not None:
                shutil.copytree(template, data_dir, dirs_exist_ok=True)
            try:
                ours_runs.append(timed([sys.executable, "-m", "zwgk_desktop", "--data-dir", str(data_dir),
                                        "photos", "import", str(subset), "--json"]))
                # `photos verify` re-hashes the archive: vs a bare single-threaded SHA-256 loop over the same files.
                verify_base.append(timed([sys.executable, "-c", VERIFY_BASELINE, str(data_dir / "archive" / "photos")]))
                verify_ours.append(timed([sys.executable, "-m", "zwgk_desktop", "--data-dir", str(data_dir),
                                          "photos", "verify", "--json"]))
            finally:
                shutil.rmtree(data_dir, ignore_errors=True)
    finally:
        shutil.rmtree(subset, ignore_errors=True)
        if template is not None:
            shutil.rmtree(template, ignore_errors=True)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    mode = "fresh database" if args.fresh_db else "existing database" + (" with postings" if args.with_postings else "")
    print(f"photos: {len(files)} JPEG {SIZE[0]}x{SIZE[1]} ({size_mb:.0f} MB), cpus={os.cpu_count()}, "
          f"load={load:.1f}, runs per side={args.repeat}, {mode}")
    print(f"{'':54s} {'median wall':>11s} {'best wall':>10s} {'median CPU':>11s} {'best CPU':>9s}")
    rows = (("baseline (python -c: draft 1/8 + thumbnail + sha256)", baseline_runs),
            ("zwgk photos import (whole process, QR, archive + DB)", ours_runs))
    for label, runs in rows:
        walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
        print(f"{label:54s} {statistics.median(walls):10.2f}s {min(walls):9.2f}s "
              f"{statistics.median(cpus):10.2f}s {min(cpus):8.2f}s")
    print(ratio_line(baseline_runs, ours_runs))
    rows = (("baseline (python -c: sha256 of each archived original)", verify_base),
            ("zwgk photos verify (whole process, DB rows + re-hash)", verify_ours))
    for label, runs in rows:
        walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
        print(f"{label:54s} {statistics.median(walls):10.2f}s {min(walls):9.2f}s "
              f"{statistics.median(cpus):10.2f}s {min(cpus):8.2f}s")
    print("verify " + ratio_line(verify_base, verify_ours))
    return 0


if __name__ == "__main__":
    sys.exit(main())
