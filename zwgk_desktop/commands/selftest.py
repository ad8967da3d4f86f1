"""Command `self-test`: prove an installation works (fresh database, poster, photo round trip).

Installers run it right after installing; it works in a throwaway data dir
and never touches the user's data.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from zwgk_desktop.cli import HUMAN_KEY, json_flag


def register(sub) -> None:
    json_flag(sub.add_parser("self-test", help="自检：新建数据库、生成公示海报、照片存档往返")).set_defaults(handler=run_self_test)


def check_database(config, state: dict) -> str:
    from zwgk_desktop.core.schema import open_database
    from zwgk_desktop.core.townships import init_township

    database = open_database(config)
    state["database"] = database
    with database.session(user="self-test") as session:
        init_township(session, "自检镇", ["自检村"])
    return f"数据库已建立（{config.db_path.name}）"


def check_fonts(config, state: dict) -> str:
    from zwgk_desktop.services.fonts import missing_glyphs

    missing = missing_glyphs("公示㛃𠮷", config)
    if missing:
        raise RuntimeError(f"字体缺少字符：{''.join(missing)}")
    return "字体覆盖基本区及扩展A、B区（㛃 𠮷）"


def check_poster(config, state: dict) -> str:
    from zwgk_desktop.core.disclosures import create_disclosure, refresh_totals
    from zwgk_desktop.core.models import DisclosureItem
    from zwgk_desktop.core.townships import require_township
    from zwgk_desktop.core.users import Actor
    from zwgk_desktop.ops.printing import PosterRequest, print_poster

    out = config.data_dir / "self-test-poster.pdf"
    with state["database"].session(user="self-test") as session:
        township = require_township(session)
        notice = create_disclosure(session, township.id, "generic", "自检公告", body="这是一份自检公告。")
        session.add(DisclosureItem(disclosure_id=notice.id, seq=1, name="王㛃", village_name="自检村", amount_fen=12345))
        session.flush()
        refresh_totals(session, notice)
        notice_id = notice.id
    result = print_poster(state["database"], Actor(username="self-test", role="admin"), config, PosterRequest(notice_id), out)
    if result.pages < 1 or result.missing_glyphs:
        raise RuntimeError(f"海报异常：{result.pages} 页，缺字 {result.missing_glyphs}")
    return f"海报 {result.pages} 页，SHA-256 {result.sha256[:12]}…"


def check_photo(config, state: dict) -> str:
    from PIL import Image

    from zwgk_desktop.services.photos import import_photos, verify_archive

    photo = config.data_dir / "self-test.jpg"
    image = Image.new("RGB", (640, 480), (200, 210, 220))
    exif = Image.Exif()
    exif[0x0132] = "2026:11:23 10:00:00"
    image.save(photo, quality=90, exif=exif)
    report = import_photos(state["database"], config, [photo])
    if not report.imported:
        raise RuntimeError(f"照片未能存档：{report.rejected}")
    with state["database"].session() as session:
        verified = verify_archive(session, config)
    if verified["missing"] or verified["modified"]:
        raise RuntimeError(f"照片校验失败：{verified}")
    return f"照片存档并校验 {verified['checked']} 张"


CHECKS = (("database", check_database), ("fonts", check_fonts), ("poster", check_poster), ("photo", check_photo))


def run_self_test(args, ctx) -> dict:
    from zwgk_desktop.config import Config

    checks = []
    state: dict = {}
    with tempfile.TemporaryDirectory(prefix="zwgk-self-test-") as tmp:
        config = Config.load(Path(tmp) / "data")
        for name, check in CHECKS:
            started = time.perf_counter()
            try:
                message, ok = check(config, state), True
            except Exception as exc:  # noqa: BLE001 - a self-test reports every failure
                message, ok = f"{type(exc).__name__}: {exc}", False
            checks.append({"name": name, "ok": ok, "message": message, "seconds": round(time.perf_counter() - started, 3)})
            if not ok and name == "database":
                break
        if "database" in state:
            state["database"].dispose()
    ok = all(c["ok"] for c in checks) and len(checks) == len(CHECKS)
    lines = [f"{'✔' if c['ok'] else '✘'} {c['name']}: {c['message']}" for c in checks]
    return {"ok": ok, "checks": checks, HUMAN_KEY: "\n".join(lines)} if ok else _failed(checks, lines)


def _failed(checks, lines) -> dict:
    from zwgk_desktop.errors import ZwgkError

    raise ZwgkError("自检未通过：\n" + "\n".join(lines), code="self_test_failed", result={"ok": False, "checks": checks})
