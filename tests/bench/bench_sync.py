"""Benchmark: first county sync of the demo township vs a bare httpx upload of the same bytes; and a no-change sync.

Run: `.venv/bin/python tests/bench/bench_sync.py [HOUSEHOLDS] [PHOTOS]` (defaults 2000 and 200).
Builds the demo township (`services.demo`), adds PHOTOS archived photo files of
~2–3 MB (Photo rows + files written directly), starts two real county servers
on 127.0.0.1, then times
  1. `sync_once` (outbox → batches, missing-hash query, resumable 1 MB chunks,
     reference pull, sanity count) against county A;
  2. the baseline: one process posting the same prebuilt JSON batches and
     PUTting each blob in one request with plain httpx against county B.
Prints both times and the ratio (goal ≤ 1.5), then times a sync with nothing new (goal ≤ 0.2 s).
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import select  # noqa: E402

from tests.county.kit import CountyProcess, enroll_real  # noqa: E402
from zwgk_desktop.config import Config  # noqa: E402
from zwgk_desktop.core.models import OutboxEntry, Photo, Posting  # noqa: E402
from zwgk_desktop.core.schema import open_database  # noqa: E402
from zwgk_desktop.county.service import issue_enroll_code  # noqa: E402
from zwgk_desktop.county.store import open_store  # noqa: E402
from zwgk_desktop.services.demo import create_demo  # noqa: E402
from zwgk_desktop.services.sync import sync_once  # noqa: E402
from zwgk_desktop.services.sync.blobs import local_blobs  # noqa: E402
from zwgk_desktop.services.sync.push import BATCH_SIZE, build_records  # noqa: E402


def add_photos(database, config, count: int) -> int:
    total = 0
    with database.session() as session:
        postings = list(session.execute(select(Posting)).scalars())
        for n in range(count):
            data = b"\xff\xd8\xff\xe0" + os.urandom(2_000_000 + (n * 7919) % 1_000_000)
            sha = hashlib.sha256(data).hexdigest()
            rel = f"photos/{sha[:2]}/{sha}.jpg"
            target = config.archive_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            total += len(data)
            posting = postings[n % len(postings)] if postings else None
            session.add(Photo(sha256=sha, original_name=f"IMG_{n:04d}.jpg", stored_path=rel, size_bytes=len(data),
                              mime="image/jpeg", width=4000, height=3000, posting_id=posting.id if posting else None))
    return total


def prebuilt_batches(database) -> list[list[dict]]:
    with database.session() as session:
        entries = list(session.execute(
            select(OutboxEntry).where(OutboxEntry.state == "pending").order_by(OutboxEntry.seq)
        ).scalars())
        entries = [e for e in entries if e.entity != "app_user"]
        return [build_records(session, entries[i : i + BATCH_SIZE]) for i in range(0, len(entries), BATCH_SIZE)]


def bare_upload(url: str, token: str, batches: list[list[dict]], files: dict[str, Path]) -> float:
    started = time.perf_counter()
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as http:
        for batch in batches:
            http.post("/api/v1/changes", json={"records": batch}).raise_for_status()
        for sha, path in files.items():
            data = path.read_bytes()
            http.put(f"/api/v1/blobs/{sha}", params={"offset": 0, "total": len(data)}, content=data).raise_for_status()
    return time.perf_counter() - started


def main() -> None:
    households = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    photos = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    work = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    config = Config.load(work / "township")
    database = open_database(config)
    with database.session(user="bench") as session:
        create_demo(session, households=households, seed=1)
    photo_bytes = add_photos(database, config, photos)
    batches = prebuilt_batches(database)
    files = local_blobs(database, config)
    records = sum(len(b) for b in batches)
    print(f"demo: {households} households, {records} records in {len(batches)} batches, "
          f"{len(files)} files / {photo_bytes / 1e6:.0f} MB of photos")

    ours, base = CountyProcess(work / "county-a").start(), CountyProcess(work / "county-b").start()
    try:
        store = open_store(base.data_dir)
        code = issue_enroll_code(store, "青山镇")["code"]
        store.dispose()
        token = httpx.post(base.url + "/api/v1/enroll", json={"code": code, "device_name": "bench"}).json()["token"]
        baseline = bare_upload(base.url, token, batches, files)

        enroll_real(config, ours, database=database)
        started = time.perf_counter()
        report = sync_once(config, database=database)
        first = time.perf_counter() - started
        assert report.pending == 0 and report.errors == 0, report

        started = time.perf_counter()
        again = sync_once(config, database=database)
        nochange = time.perf_counter() - started
    finally:
        ours.stop()
        base.stop()
        database.dispose()
    print(f"baseline (bare httpx, same batches and bytes): {baseline:.2f} s")
    print(f"zwgk sync_once first sync: {first:.2f} s  (pushed {report.pushed}, blobs {report.blobs_uploaded})")
    print(f"ratio: {first / baseline:.2f}  (goal <= 1.5)")
    print(f"no-change sync: {nochange:.3f} s  (goal <= 0.2 s; pushed {again.pushed})")


if __name__ == "__main__":
    main()
