"""Ten years of a large township, for the scale benchmark (issue 17): built once, cached under /tmp.

`scale_data_dir()` returns a data directory holding
- the demo township of today (`services.demo.create_demo`, 2,400 households,
  49 notices in every state: what 今日待办 shows) extended to 30 villages
  and communities with their boards;
- 60,000 households in all (names from the demo's name lists, valid ID
  numbers);
- ten years (2017–2026) of notices: about 100 a year in every category
  (monthly 低保, quarterly 特困, 临时救助, 危房改造, 扶贫项目 and 资金,
  村务 notices), past years 已归档, with about 1,000,000 line items in all
  and one 50,000-line notice of this year; each published one with its
  status history, postings on the township board and the boards of its
  villages, a few objections, a printed poster record;
- 50,000 photo records (start and end photos of the postings, the rest older
  photos), real JPEG originals and thumbnails for a sample of them;
- an audit chain of 20,000 events a year (hash-chained exactly as
  `core.audit` does, continuing the demo's chain, so `audit verify` passes);
- the sync outbox of ten years, all sent.

Everything past the demo is inserted with SQLAlchemy Core `executemany` in
chunks (no ORM, no per-row hooks): a few minutes on a loaded 2-core machine.
The result is kept in `/tmp/zwgk-scale-v<VERSION>-<schema head>/` and reused
by later runs (delete it, or pass `--rebuild`, to build again); benchmarks
work on a copy (`working_copy`) so the cached file stays as built.

Standalone: `.venv/bin/python tests/bench/scale_data.py [--rebuild]` prints the counts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VERSION = 1
VILLAGE_COUNT = 30
HOUSEHOLDS = 60_000
DEMO_HOUSEHOLDS = 2_400
FIRST_YEAR, LAST_YEAR = 2017, 2026
BIG_NOTICE_ITEMS = 50_000
PHOTOS = 50_000
PHOTO_FILE_SAMPLE = 300
AUDIT_PER_YEAR = 20_000
CHUNK = 20_000
SEED = 17
BIG_NOTICE_TITLE = "青山镇2026年度耕地地力保护补贴资金发放明细公示（全镇汇总）"
EXTRA_VILLAGES = (
    "白沙村", "北湖村", "陈庄村", "大桥村", "枫林村", "高塘村", "何湾村", "花园村", "金山村", "孔庄村", "梨树村",
    "马集村", "南岗村", "欧营村", "彭河村", "清泉村", "三里社区", "双井村", "唐店村", "吴楼村", "兴隆社区",
)
# (category, notices a year, line items each, a title pattern)
YEARLY = (
    ("dibao", 12, 4_000, "{y}年{n}月城乡最低生活保障对象审核确认公示"),
    ("tekun", 4, 500, "{y}年第{n}批特困人员认定情况公示"),
    ("linshi", 12, 150, "{y}年{n}月临时救助情况公示"),
    ("weifang", 2, 300, "{y}年第{n}批农村危房改造补助对象公示"),
    ("fupin_project", 4, 20, "{y}年第{n}季度衔接资金项目实施情况公告"),
    ("fupin_fund", 2, 20_000, "{y}年第{n}批惠民惠农补贴资金发放公示"),
    ("generic", 64, 50, "{y}年第{n}期村务财务公开"),
)


def cache_root() -> Path:
    return Path(os.environ.get("ZWGK_SCALE_CACHE", "/tmp"))


def schema_head() -> str:
    from zwgk_desktop.config import Config
    from zwgk_desktop.core.schema import head_revision

    return head_revision(Config.load(cache_root() / "zwgk-scale-probe"))


def cached_dir() -> Path:
    return cache_root() / f"zwgk-scale-v{VERSION}-{schema_head()}"


def scale_data_dir(*, rebuild: bool = False, say=print) -> Path:
    """The cached data dir of the large township (built now if missing or `rebuild`)."""
    target = cached_dir()
    done = target / "BUILT"
    if done.exists() and not rebuild:
        return target / "data"
    if target.exists():
        shutil.rmtree(target)
    started = time.perf_counter()
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    build(partial / "data", say=say)
    partial.rename(target)
    done.write_text(json.dumps(counts(target / "data"), ensure_ascii=False), encoding="utf-8")
    say(f"scale data built in {time.perf_counter() - started:.0f} s: {target / 'data'}")
    return target / "data"


def working_copy(source: Path, target: Path) -> Path:
    """A copy of the data dir to run a benchmark on (the database and the archive)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    return target


# --- building -----------------------------------------------------------------------------------


def now_naive() -> datetime:
    return datetime.now()


def new_id() -> str:
    return str(uuid.uuid4())


def build(data_dir: Path, *, say=print) -> None:
    from zwgk_desktop.config import Config
    from zwgk_desktop.core.schema import open_database
    from zwgk_desktop.core.townships import init_township
    from zwgk_desktop.services.demo import COUNTY, TOWNSHIP, VILLAGES, create_demo

    config = Config.load(data_dir)
    database = open_database(config)
    say("building: demo township …")
    with database.session(user="demo") as session:
        create_demo(session, households=DEMO_HOUSEHOLDS, seed=2026)
    with database.session(user="demo") as session:
        init_township(session, TOWNSHIP, [*VILLAGES, *EXTRA_VILLAGES], county_name=COUNTY)
    builder = Builder(database, config, random.Random(SEED), say)
    builder.households()
    builder.notices()
    builder.photos()
    builder.audit()
    builder.outbox()
    with database.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.dispose()


class Builder:
    def __init__(self, database, config, rng: random.Random, say):
        from sqlalchemy import select

        from zwgk_desktop.core.models import Household, NoticeBoard, Township, Village

        self.database, self.config, self.rng, self.say = database, config, rng, say
        self.now = now_naive()
        with database.session() as session:
            self.township_id = session.execute(select(Township.id)).scalar_one()
            self.villages = [tuple(r) for r in session.execute(select(Village.id, Village.name).order_by(Village.sort_order))]
            self.boards = {v: b for b, v in session.execute(select(NoticeBoard.id, NoticeBoard.village_id))}
            self.people = [tuple(r) for r in session.execute(
                select(Household.id, Household.head_name, Household.id_number, Household.village_id, Household.group_name,
                       Household.member_count))]
        self.village_names = dict(self.villages)
        self.postings: list[tuple[str, str, date, date]] = []  # (posting id, notice id, posted, end)

    def insert(self, table, rows: list[dict]) -> None:
        from sqlalchemy import insert

        with self.database.engine.begin() as conn:
            for start in range(0, len(rows), CHUNK):
                conn.execute(insert(table), rows[start:start + CHUNK])

    def stamp(self, day: date) -> dict:
        at = datetime.combine(day, datetime.min.time()) + timedelta(hours=9, seconds=self.rng.randrange(8 * 3600))
        return {"id": new_id(), "created_at": at, "updated_at": at, "row_version": 1}

    # --- households ---------------------------------------------------------------------------------
    def households(self) -> None:
        from zwgk_desktop.core.idnumber import make_id_number
        from zwgk_desktop.core.models import Household
        from zwgk_desktop.services.demo import GIVEN, GROUPS, REGION_CODE, SURNAMES

        rng = self.rng
        used = {p[2] for p in self.people}
        rows = []
        while len(self.people) + len(rows) < HOUSEHOLDS:
            village_id, village = self.villages[len(rows) % len(self.villages)]
            birth = date(1938, 1, 1) + timedelta(days=rng.randrange(365 * 62))
            number = make_id_number(REGION_CODE, birth, rng.randrange(1, 999))
            if number in used:
                continue
            used.add(number)
            group = rng.choice(GROUPS)
            row = {
                **self.stamp(date(FIRST_YEAR, 1, 1) + timedelta(days=rng.randrange(3000))),
                "village_id": village_id, "group_name": group, "head_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                "id_number": number, "member_count": rng.choice((1, 2, 2, 3, 3, 4, 4, 5, 6)),
                "phone": f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
                "bank_account": f"6217{rng.randrange(10**15):015d}", "address": f"{village}{group}{rng.randint(1, 200)}号",
                "helper_name": rng.choice(SURNAMES) + rng.choice(GIVEN), "helper_phone": f"13{rng.randrange(10**9):09d}",
            }
            rows.append(row)
        self.insert(Household.__table__, rows)
        self.people += [(r["id"], r["head_name"], r["id_number"], r["village_id"], r["group_name"], r["member_count"])
                        for r in rows]
        self.say(f"building: {len(self.people):,} households")

    # --- notices --------------------------------------------------------------------------------------
    def notices(self) -> None:
        from zwgk_desktop.core.models import (
            Disclosure,
            DisclosureItem,
            Objection,
            Posting,
            PrintedVersion,
            StatusChange,
        )

        rng = self.rng
        total_items = 0
        notices, changes, postings, objections, prints = [], [], [], [], []
        plan = []
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            for category, per_year, items, pattern in YEARLY:
                count = per_year if year < LAST_YEAR else max(1, per_year * 10 // 12)  # this year: until November
                for n in range(1, count + 1):
                    plan.append((year, category, n, per_year, items, pattern))
        plan.append((LAST_YEAR, "fupin_fund", 0, 1, BIG_NOTICE_ITEMS, BIG_NOTICE_TITLE))
        for index, (year, category, n, per_year, items, pattern) in enumerate(plan):
            big = n == 0
            size = items if big else max(1, int(items * rng.uniform(0.6, 1.4)))
            # spread over the year (this year's end in November, before the demo's current notices)
            start = date(year, 1, 2) + timedelta(days=(max(n, 1) - 1) * (300 // per_year) + rng.randrange(10))
            end = start + timedelta(days=7)
            status = "approved" if big else ("withdrawn" if index % 97 == 13 else "archived")
            notice = {
                **self.stamp(start - timedelta(days=10)), "township_id": self.township_id, "category": category,
                "title": pattern if big else "青山镇" + pattern.format(y=year, n=n), "body": "", "issuer": "青山镇人民政府",
                "supervise_phone": "0557-5021234", "status": status, "version": 1, "replaces_id": None, "year": year,
                "period_start": None if big else start, "period_end": None if big else end, "author": "clerk",
                "approved_by": "reviewer", "approved_at": datetime.combine(start - timedelta(days=3), datetime.min.time()),
                "item_count": 0, "total_amount_fen": 0, "total_people": 0,
            }
            items_rows, amount, people = self.items(notice["id"], category, size, notice["created_at"])
            notice.update(item_count=len(items_rows), total_amount_fen=amount, total_people=people)
            total_items += len(items_rows)
            notices.append(notice)
            self.insert_notice_items(Disclosure, DisclosureItem, notice, items_rows)
            if big:
                continue
            changes += self.history(notice, start, end, status)
            if status == "archived":
                villages = sorted({r["village_id"] for r in items_rows if r["village_id"]})[:6] or [self.villages[0][0]]
                for board_id in [self.boards[None], *(self.boards[v] for v in villages if v in self.boards)]:
                    posting = {**self.stamp(start), "disclosure_id": notice["id"], "board_id": board_id,
                               "posted_on": start, "planned_end": end, "removed_on": end + timedelta(days=1),
                               "posted_by": "clerk", "note": ""}
                    postings.append(posting)
                    self.postings.append((posting["id"], notice["id"], start, end))
                prints.append({**self.stamp(start - timedelta(days=1)), "disclosure_id": notice["id"], "kind": "poster",
                               "sha256": hashlib.sha256(notice["id"].encode()).hexdigest(), "pages": 1 + size // 40,
                               "paper": "A4", "stored_path": "", "printed_by": "clerk", "planned_posted_on": None,
                               "period": None})
                if index % 11 == 0:
                    objections.append({**self.stamp(start + timedelta(days=2)), "disclosure_id": notice["id"],
                                       "received_on": start + timedelta(days=2), "from_name": "", "channel": "电话",
                                       "content": "对名单有疑问", "handling": "入户核实", "result": "情况属实，名单无误",
                                       "status": "resolved", "changes_list": False, "closed_on": end,
                                       "recorded_by": "clerk"})
            if index % 50 == 0:
                self.say(f"building: {index + 1}/{len(plan)} notices, {total_items:,} line items")
        self.insert(StatusChange.__table__, changes)
        self.insert(Posting.__table__, postings)
        self.insert(Objection.__table__, objections)
        self.insert(PrintedVersion.__table__, prints)
        self.say(f"building: {len(notices)} notices, {total_items:,} line items, {len(postings):,} postings")

    def insert_notice_items(self, disclosure, item, notice: dict, items_rows: list[dict]) -> None:
        from sqlalchemy import insert

        with self.database.engine.begin() as conn:
            conn.execute(insert(disclosure.__table__), [notice])
            for start in range(0, len(items_rows), CHUNK):
                conn.execute(insert(item.__table__), items_rows[start:start + CHUNK])

    def items(self, notice_id: str, category: str, size: int, at: datetime) -> tuple[list[dict], int, int]:
        rng = self.rng
        picked = rng.sample(range(len(self.people)), min(size, len(self.people))) if size < len(self.people) else []
        rows, amount_total, people_total = [], 0, 0
        for seq in range(1, size + 1):
            person = self.people[picked[seq - 1] if picked else (seq * 7919) % len(self.people)]
            household_id, name, id_number, village_id, group, members = person
            amount = {"dibao": 68_000, "tekun": 95_000, "linshi": 120_000, "weifang": 2_000_000,
                      "fupin_project": 15_000_000, "fupin_fund": 67_200}.get(category, 0) + rng.randrange(0, 500) * 100
            people = members if category in ("dibao", "tekun") else 1
            extra = {"standard": "每人每月680元"} if category == "dibao" else (
                {"subsidy_name": "耕地地力保护补贴", "standard": "112元/亩"} if category == "fupin_fund" else {})
            rows.append({
                "id": new_id(), "created_at": at, "updated_at": at, "row_version": 1, "disclosure_id": notice_id,
                "seq": seq, "household_id": household_id, "name": name, "village_id": village_id,
                "village_name": self.village_names.get(village_id, ""), "group_name": group, "id_number": id_number,
                "people": people, "amount_fen": amount if category != "generic" else None, "extra": extra,
            })
            amount_total += amount if category != "generic" else 0
            people_total += people
        return rows, amount_total, people_total

    def history(self, notice: dict, start: date, end: date, status: str) -> list[dict]:
        steps = [("draft", "pending_review", start - timedelta(days=8)), ("pending_review", "approved", start - timedelta(days=3)),
                 ("approved", "publishing", start), ("publishing", "expired", end), ("expired", "archived", end + timedelta(days=5))]
        if status == "withdrawn":
            steps = steps[:2] + [("approved", "withdrawn", start - timedelta(days=1))]
        return [{**self.stamp(day), "disclosure_id": notice["id"], "from_status": a, "to_status": b, "by_user": "clerk",
                 "reason": ""} for a, b, day in steps]

    # --- photos ---------------------------------------------------------------------------------------
    def photos(self) -> None:
        from sqlalchemy import func, select

        from zwgk_desktop.core.models import Photo

        rng = self.rng
        with self.database.session() as session:
            existing = session.execute(select(func.count(Photo.id))).scalar() or 0
        rows = []
        for n in range(PHOTOS - existing):
            # a start and an end photo for every posting of the past years, then older unlinked photos
            posting = self.postings[n // 2] if n < 2 * len(self.postings) else None
            role = None if posting is None else ("start" if n % 2 == 0 else "end")
            if posting is None:
                taken_day = date(FIRST_YEAR, 1, 1) + timedelta(days=rng.randrange(3500))
            else:
                taken_day = posting[2] if role == "start" else posting[3]
            sha = hashlib.sha256(f"scale-photo-{n}".encode()).hexdigest()
            rows.append({
                **self.stamp(taken_day), "sha256": sha, "original_name": f"IMG_{n:05d}.jpg",
                "stored_path": f"photos/{sha[:2]}/{sha}.jpg", "size_bytes": 2_800_000 + n % 900_000, "mime": "image/jpeg",
                "width": 4000, "height": 3000, "taken_at": datetime.combine(taken_day, datetime.min.time()) + timedelta(hours=10),
                "taken_at_offset": "+08:00", "gps_lat": None, "gps_lon": None, "device_make": "HUAWEI",
                "device_model": "nova 5", "flags": [], "posting_id": posting[0] if posting else None, "role": role,
                "imported_by": "clerk",
            })
        self.insert(Photo.__table__, rows)
        self.photo_files(rows[:PHOTO_FILE_SAMPLE])
        self.say(f"building: {existing + len(rows):,} photo records, {PHOTO_FILE_SAMPLE} with files and thumbnails")

    def photo_files(self, rows: list[dict]) -> None:
        """Real JPEG originals (small ones: the content does not matter here) and their cached thumbnails."""
        from PIL import Image

        from zwgk_desktop.services.photos.archive import cache_path

        for n, row in enumerate(rows):
            image = Image.new("RGB", (800, 600), ((n * 37) % 255, (n * 91) % 255, (n * 53) % 255))
            target = self.config.archive_dir / row["stored_path"]
            target.parent.mkdir(parents=True, exist_ok=True)
            image.save(target, "JPEG", quality=90, comment=f"zwgk scale sample {n}".encode())  # unique bytes
            thumb = cache_path(self.config, "thumbs", row["sha256"], 256)
            thumb.parent.mkdir(parents=True, exist_ok=True)
            image.resize((256, 192)).save(thumb, "JPEG", quality=85)
        # The records must name the real files: fix hash and size of the sample.
        from sqlalchemy import update

        from zwgk_desktop.core.models import Photo

        with self.database.engine.begin() as conn:
            for row in rows:
                path = self.config.archive_dir / row["stored_path"]
                data = path.read_bytes()
                sha = hashlib.sha256(data).hexdigest()
                stored = f"photos/{sha[:2]}/{sha}.jpg"
                (self.config.archive_dir / stored).parent.mkdir(parents=True, exist_ok=True)
                path.rename(self.config.archive_dir / stored)
                old_thumb = cache_path(self.config, "thumbs", row["sha256"], 256)
                new_thumb = cache_path(self.config, "thumbs", sha, 256)
                new_thumb.parent.mkdir(parents=True, exist_ok=True)
                old_thumb.rename(new_thumb)
                conn.execute(update(Photo.__table__).where(Photo.__table__.c.id == row["id"]).values(
                    sha256=sha, stored_path=stored, size_bytes=len(data)))

    # --- audit chain and outbox ----------------------------------------------------------------------------
    def audit(self) -> None:
        from sqlalchemy import select

        from zwgk_desktop.core.audit import event_digest, keyed_digest
        from zwgk_desktop.core.models import AuditEvent

        key = self.database.install_key  # keyed exactly as `core.audit.AuditChain` writes (plain without a key)

        rng = self.rng
        with self.database.session() as session:
            prev = session.execute(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).scalar() or ""
        actions = (("insert", "household"), ("update", "household"), ("insert", "disclosure"), ("status", "disclosure"),
                   ("insert", "posting"), ("insert", "photo"), ("print", "disclosure"), ("import", "disclosure"))
        rows = []
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            for n in range(AUDIT_PER_YEAR):
                at = datetime(year, 1, 1, 8) + timedelta(seconds=n * (365 * 86400 // AUDIT_PER_YEAR) + rng.randrange(60),
                                                         microseconds=rng.randrange(1_000_000))
                action, entity = actions[n % len(actions)]
                entity_id = new_id()
                summary = {"n": n, "year": year} if action != "status" else {"from": "approved", "to": "publishing"}
                fields = (prev, at, "clerk", action, entity, entity_id, summary)
                digest = keyed_digest(key, *fields) if key is not None else event_digest(*fields)
                rows.append({"at": at, "user": "clerk", "action": action, "entity": entity, "entity_id": entity_id,
                             "summary": summary, "prev_hash": prev, "hash": digest,
                             "key_id": key.key_id if key is not None else ""})
                prev = digest
        self.insert(AuditEvent.__table__, rows)
        self.say(f"building: {len(rows):,} audit events")

    def outbox(self) -> None:
        from sqlalchemy import update

        from zwgk_desktop.core.models import OutboxEntry

        entities = ("household", "disclosure", "disclosure_items", "status_change", "posting", "photo", "objection")
        rows = [{"key": new_id(), "entity": entities[n % len(entities)], "entity_id": new_id(), "op": "upsert",
                 "payload": {}, "created_at": self.now - timedelta(minutes=n), "state": "sent", "attempts": 1, "error": "",
                 "sent_at": self.now - timedelta(minutes=n)} for n in range(150_000)]
        self.insert(OutboxEntry.__table__, rows)
        with self.database.engine.begin() as conn:
            conn.execute(update(OutboxEntry.__table__).values(state="sent", sent_at=self.now, attempts=1))
        self.say(f"building: {len(rows):,} sent outbox entries (everything sent)")


def mark_synced(database) -> None:
    """Put the township in the state ten years of syncing leave: every change sent, every file (photo, printed
    PDF) confirmed by the county, the weekly full check of files just done."""
    from sqlalchemy import text, update

    from zwgk_desktop.core.models import OutboxEntry
    from zwgk_desktop.services.sync import receipts

    now = receipts.utcnow()
    with database.engine.begin() as conn:
        conn.execute(update(OutboxEntry.__table__).where(OutboxEntry.__table__.c.state == "pending")
                     .values(state="sent", sent_at=now, attempts=1))
        for table in ("photo", "printed_version"):
            conn.execute(text(f"INSERT OR IGNORE INTO synced_blob (sha256, confirmed_at) "
                              f"SELECT sha256, :now FROM {table} WHERE sha256 != ''"), {"now": now})
    receipts.record_full_check(database, now)


def counts(data_dir: Path) -> dict:
    """Rows per table and the file size, read with sqlite3 (no schema upgrade)."""
    import sqlite3

    path = data_dir / "zwgk.sqlite3"
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = ("village", "household", "disclosure", "disclosure_item", "posting", "photo", "audit_event", "outbox_entry")
        result = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()
    result["megabytes"] = round(path.stat().st_size / 1e6)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="build again even if the cache exists")
    args = parser.parse_args()
    data_dir = scale_data_dir(rebuild=args.rebuild)
    print(json.dumps({"data_dir": str(data_dir), **counts(data_dir)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
