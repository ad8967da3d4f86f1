"""The county server on a real, throwaway PostgreSQL cluster: enroll, sync, and `county stats` agree with the township.

The cluster is created with the system's `initdb`/`pg_ctl` (PostgreSQL's
`/usr/lib/postgresql/*/bin`, or `ZWGK_PG_BIN`) in a temporary directory,
listening on 127.0.0.1 on a free port, run as a non-root user when the tests
run as root (PostgreSQL refuses root). Skipped with a reason when the
binaries or the `psycopg` driver are missing.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from tests.conftest import run_cli
from tests.county.kit import CountyProcess, assert_agree, build_township, enroll_real, free_port
from zwgk_desktop.config import Config
from zwgk_desktop.core.models import Disclosure, DisclosureItem, Photo, Posting, PrintedVersion
from zwgk_desktop.services.sync import sync_once

PG_BIN_ENV = "ZWGK_PG_BIN"
PG_USER = "zwgk"  # the database role, not the OS user
RUN_AS_CANDIDATES = ("postgres", "zwgk-pg")


def postgres_bin() -> Path | None:
    """The directory holding initdb and pg_ctl (newest installed version), or None."""
    chosen = os.environ.get(PG_BIN_ENV)
    candidates = [Path(chosen)] if chosen else sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0
    )
    on_path = shutil.which("initdb")
    if on_path:
        candidates.insert(0, Path(on_path).parent)
    for folder in reversed(candidates):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def os_user_for_postgres() -> str | None:
    """A non-root OS user to run the server as when we are root (creating one if need be); None when not root."""
    if os.geteuid() != 0:
        return None
    for name in RUN_AS_CANDIDATES:
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", RUN_AS_CANDIDATES[1]],
                   check=True, capture_output=True)
    return RUN_AS_CANDIDATES[1]


def as_user(user: str | None, command: list[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *command] if user else command


class ThrowawayPostgres:
    """initdb + pg_ctl start in a temp dir; `url(dbname)` for SQLAlchemy; `stop()` removes everything."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.user = os_user_for_postgres()
        self.root = Path(tempfile.mkdtemp(prefix="zwgk-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)

    def run(self, *command: str) -> None:
        result = subprocess.run(as_user(self.user, list(command)), capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {result.stdout}\n{result.stderr}")

    def start(self) -> "ThrowawayPostgres":
        self.run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", PG_USER, "-A", "trust", "-E", "UTF8",
                 "--no-locale", "--no-sync")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root} -F -c max_connections=40"
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"), "-o", options,
                 "-w", "-t", "60", "start")
        return self

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={PG_USER} dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
        return self.url(name)

    def stop(self) -> None:
        try:
            self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres():
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("未安装 psycopg（pip install 'psycopg[binary]'），跳过 PostgreSQL 县级库测试")
    bindir = postgres_bin()
    if bindir is None:
        pytest.skip("找不到 PostgreSQL 的 initdb/pg_ctl（apt-get install postgresql，或设置 ZWGK_PG_BIN），跳过")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("以 root 运行但没有 runuser，无法以普通用户启动 PostgreSQL，跳过")
    cluster = ThrowawayPostgres(bindir).start()
    yield cluster
    cluster.stop()


def township_counts(database, config) -> dict:
    """What `county stats` must report for this township."""
    with database.session() as s:
        def count(model):
            return s.execute(select(func.count()).select_from(model)).scalar_one()

        blobs = [config.archive_dir / p for p in s.execute(select(Photo.stored_path)).scalars()]
        blobs += [config.archive_dir / p for p in s.execute(select(PrintedVersion.stored_path)).scalars()]
        return {"name": "青山镇", "disclosures": count(Disclosure), "items": count(DisclosureItem),
                "postings": count(Posting), "photos": count(Photo),
                "blobs_bytes": sum(p.stat().st_size for p in blobs), "blobs_missing": 0}


def test_county_server_on_postgresql_receives_a_township(postgres, tmp_path):
    """On PostgreSQL the county stores a synced township exactly (JSONB documents) and `county stats` matches it."""
    url = postgres.create_database("county_sync")
    config = Config.load(tmp_path / "township")
    database = build_township(config, notices=3, items=12, photos=2)
    county = CountyProcess(tmp_path / "county", db_url=url).start()
    try:
        enroll_real(config, county, database=database)
        report = sync_once(config, database=database)
        assert (report.pending, report.errors, report.conflicts, report.warnings) == (0, 0, 0, [])
        assert report.blobs_uploaded == 3
        assert sync_once(config, database=database).pushed == 0  # idempotent on PostgreSQL too

        code, payload, stderr = run_cli("county", "stats", *county.store_args(), "--json")
        assert code == 0, stderr
        assert payload["townships"] == [township_counts(database, config)]

        store = county.open_store()
        try:
            assert store.engine.dialect.name == "postgresql"
            assert_agree(database, config, store)
            with store.engine.connect() as conn:
                kind = conn.execute(text(
                    "SELECT data_type FROM information_schema.columns "
                    "WHERE table_name = 'county_record' AND column_name = 'data'"
                )).scalar_one()
            assert kind == "jsonb"
        finally:
            store.dispose()
        page = httpx.get(county.url + "/", timeout=10)
        assert page.status_code == 200 and "青山镇" in page.text
    finally:
        county.stop()
        database.dispose()


def test_enrollment_and_reference_feed_on_postgresql(postgres, tmp_path):
    """County CLI commands work against `--db postgresql+psycopg://…`: a code enrolls once, published data is pulled."""
    url = postgres.create_database("county_cli")
    args = ["--data", str(tmp_path / "county"), "--db", url]
    code, payload, stderr = run_cli("county", "enroll", *args, "--township", "青山镇", "--json")
    assert code == 0, stderr
    code, published, stderr = run_cli("county", "publish-standard", *args, "--name", "城乡低保月标准", "--year", "2027",
                                      "--amount-fen", "78000", "--json")
    assert code == 0, stderr
    code, stats, _ = run_cli("county", "stats", *args, "--json")
    assert stats["townships"][0]["name"] == "青山镇" and stats["townships"][0]["disclosures"] == 0
    from zwgk_desktop.county.service import enroll_device, reference_since
    from zwgk_desktop.county.store import open_store

    store = open_store(tmp_path / "county", url)
    try:
        assert enroll_device(store, payload["code"], "pc")["township"] == "青山镇"
        feed = reference_since(store, 0)
        assert [i["data"]["amount_fen"] for i in feed["items"]] == [78000] and feed["cursor"] == published["id"]
    finally:
        store.dispose()
