"""Test kit for county sync: a small township with photo files, an in-process or real county server, agreement checks."""

from __future__ import annotations

import hashlib
import io
import os
import random
import signal
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
from PIL import Image
from sqlalchemy import func, select

from zwgk_desktop.config import Config
from zwgk_desktop.core.models import (
    Disclosure, DisclosureItem, NoticeBoard, OutboxEntry, Photo, Posting, PrintedVersion, Township,
)
from zwgk_desktop.core.schema import open_database
from zwgk_desktop.core.townships import init_township
from zwgk_desktop.county.service import issue_enroll_code
from zwgk_desktop.county.store import Blob, Record, open_store

ROOT = Path(__file__).resolve().parents[2]
INPROCESS_URL = "http://localhost"  # the in-process county app (loopback: plain http allowed)


def jpeg_bytes(seed: int, side: int = 256) -> bytes:
    """A real (noisy, so incompressible) JPEG image."""
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def add_photo(session, config: Config, posting: Posting | None, seed: int, side: int = 256) -> Photo:
    data = jpeg_bytes(seed, side)
    sha = hashlib.sha256(data).hexdigest()
    rel = f"photos/{sha[:2]}/{sha}.jpg"
    target = config.archive_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    photo = Photo(sha256=sha, original_name=f"IMG_{seed:04d}.jpg", stored_path=rel, size_bytes=len(data),
                  mime="image/jpeg", width=side, height=side, posting_id=posting.id if posting else None,
                  role="start" if posting else None)
    session.add(photo)
    return photo


def build_township(config: Config, *, notices: int = 3, items: int = 12, photos: int = 2, name: str = "青山镇",
                   photo_side: int = 256):
    """A migrated township DB: villages, notices with line items, postings (some with photos), one printed PDF."""
    database = open_database(config)
    with database.session(user="test") as session:
        init_township(session, name, ["青山村", "桃园村"])
        township = session.execute(select(Township)).scalar_one()
        board = session.execute(select(NoticeBoard)).scalars().first()
        for n in range(notices):
            notice = Disclosure(township_id=township.id, category="dibao", title=f"{name}低保公示第{n + 1}期",
                                year=2026, status="publishing")
            session.add(notice)
            session.flush()
            for i in range(items):
                session.add(DisclosureItem(disclosure_id=notice.id, seq=i + 1, name=f"户主{n}-{i}",
                                           village_name="青山村", people=2, amount_fen=46000))
            posting = Posting(disclosure_id=notice.id, board_id=board.id, posted_on=date(2026, 3, 2),
                              planned_end=date(2026, 3, 9))
            session.add(posting)
            session.flush()
            if n < photos:
                add_photo(session, config, posting, seed=sum(map(ord, name)) * 10 + n, side=photo_side)
        pdf = b"%PDF-1.4\n% test poster\n" + os.urandom(2048)
        sha = hashlib.sha256(pdf).hexdigest()
        rel = f"prints/{sha}.pdf"
        (config.archive_dir / "prints").mkdir(parents=True, exist_ok=True)
        (config.archive_dir / rel).write_bytes(pdf)
        session.add(PrintedVersion(disclosure_id=None, sha256=sha, pages=1, stored_path=rel))
    return database


def enroll_inprocess(config, store, http, township: str = "青山镇", database=None) -> dict:
    from zwgk_desktop.services.sync import enroll

    code = issue_enroll_code(store, township)["code"]
    return enroll(config, INPROCESS_URL, code, "测试机", database=database, http=http)


def test_http(store, timeout: float = 15.0):
    """An httpx client that talks to the county app in this process (Starlette's TestClient)."""
    from starlette.testclient import TestClient

    from zwgk_desktop.county.app import create_app
    from zwgk_desktop.county.faults import FaultPlan

    return TestClient(create_app(store, FaultPlan("")), base_url=INPROCESS_URL)


test_http.__test__ = False


# --- agreement ---------------------------------------------------------------------------


def township_snapshot(database, config) -> dict:
    """What the county should hold: (entity, id) → row_version, items per notice, blob hashes."""
    from zwgk_desktop.services.sync.runner import COMPARED_ENTITIES
    from zwgk_desktop.services.sync.push import model_for

    rows, items = {}, {}
    with database.session() as s:
        for entity in COMPARED_ENTITIES:
            for row in s.execute(select(model_for(entity))).scalars():
                rows[(entity, row.id)] = row.row_version
        for disclosure_id, n in s.execute(
            select(DisclosureItem.disclosure_id, func.count()).group_by(DisclosureItem.disclosure_id)
        ).all():
            items[disclosure_id] = n
        hashes = {p.sha256: hashlib.sha256((config.archive_dir / p.stored_path).read_bytes()).hexdigest()
                  for p in s.execute(select(Photo)).scalars()}
        hashes.update({p.sha256: hashlib.sha256((config.archive_dir / p.stored_path).read_bytes()).hexdigest()
                       for p in s.execute(select(PrintedVersion)).scalars()})
    return {"rows": rows, "items": items, "hashes": hashes}


def county_snapshot(store) -> dict:
    rows, items = {}, {}
    with store.session() as s:
        for r in s.execute(select(Record).where(Record.deleted.is_(False))).scalars():
            if r.entity == "disclosure_items":
                items[r.entity_id] = r.item_count
            else:
                rows[(r.entity, r.entity_id)] = r.row_version
        blobs = {b.sha256: hashlib.sha256(store.blob_path(b.sha256).read_bytes()).hexdigest()
                 for b in s.execute(select(Blob)).scalars()}
    return {"rows": rows, "items": items, "hashes": blobs}


def assert_agree(database, config, store) -> None:
    ours, theirs = township_snapshot(database, config), county_snapshot(store)
    assert theirs["rows"] == ours["rows"]
    assert theirs["items"] == ours["items"]
    assert theirs["hashes"] == ours["hashes"]
    assert all(k == v for k, v in theirs["hashes"].items())
    with database.session() as s:
        states = dict(s.execute(select(OutboxEntry.state, func.count()).group_by(OutboxEntry.state)).all())
    assert set(states) == {"sent"}


# --- a real server in a subprocess ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CountyProcess:
    """`python -m zwgk_desktop county serve` on 127.0.0.1, restartable on the same port and data."""

    def __init__(self, data_dir: Path, *, faults: str = "", cert: Path | None = None, key: Path | None = None,
                 db_url: str | None = None, env: dict | None = None):
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.faults = faults
        self.cert, self.key = cert, key
        self.db_url = db_url
        self.env = dict(env or {})
        self.proc: subprocess.Popen | None = None

    def store_args(self) -> list[str]:
        """`--data DIR [--db URL]` for `zwgk county ...` commands against this server's store."""
        return ["--data", str(self.data_dir), *(["--db", self.db_url] if self.db_url else [])]

    def open_store(self):
        return open_store(self.data_dir, self.db_url)

    @property
    def url(self) -> str:
        return f"{'https' if self.cert else 'http'}://127.0.0.1:{self.port}"

    def start(self, faults: str | None = None) -> "CountyProcess":
        env = {**os.environ, "ZWGK_COUNTY_FAULTS": self.faults if faults is None else faults,
               "ZWGK_COUNTY_FAULTS_ADMIN": "1", **self.env}
        command = [sys.executable, "-m", "zwgk_desktop", "county", "serve", *self.store_args(),
                   "--port", str(self.port)]
        if self.cert:
            command += ["--cert", str(self.cert), "--key", str(self.key)]
        self.proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"county server exited: {self.proc.stderr.read().decode()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("county server did not start")

    def set_faults(self, spec: str) -> None:
        httpx.post(f"{self.url}/_test/faults", json={"spec": spec}, verify=False).raise_for_status()

    def wait_exit(self, timeout: float = 10) -> int:
        return self.proc.wait(timeout)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        if self.proc is not None and self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None


def enroll_real(config, county: CountyProcess, township: str = "青山镇", database=None) -> dict:
    from zwgk_desktop.services.sync import enroll

    store = county.open_store()
    try:
        code = issue_enroll_code(store, township)["code"]
    finally:
        store.dispose()
    return enroll(config, county.url, code, "测试机", database=database)


def township_template(folder: Path, **kwargs) -> Path:
    """Build a township data dir once (DB + archive) to be copied per test."""
    cfg = Config.load(folder)
    build_township(cfg, **kwargs).dispose()
    return folder


def copy_township(template: Path, dest: Path):
    """A fresh copy of a prepared township data dir: (config, opened database)."""
    import shutil

    shutil.copytree(template, dest)
    cfg = Config.load(dest)
    return cfg, open_database(cfg)
