"""Fixtures for poster tests: generated rosters as `PosterData`, and poppler helpers to read the real PDFs."""

from __future__ import annotations

import random
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest

from zwgk_desktop.core.calendar import default_calendar
from zwgk_desktop.core.catalogue import get_entry
from zwgk_desktop.core.periods import NoticePeriod
from zwgk_desktop.core.verification import qr_payload, verification_code
from zwgk_desktop.services.printing.poster import PosterData

RARE_A = "\u36c3"  # 㛃
RARE_B = "\U00020bb7"  # 𠮷
TOWNSHIP_PHONE = "0551-6123456"
COUNTY_PHONE = "0551-12345"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"
VILLAGES = ["东风村", "红旗村", "新华社区", "石桥村", "柳树湾村"]


def dibao_items(count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    items = []
    for _ in range(count):
        items.append(
            {
                "village": f"{rng.choice(VILLAGES)}{rng.randint(1, 9)}组",
                "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
                "people": rng.randint(1, 6),
                "level": rng.choice(["A类", "B类", "C类"]),
                "amount": rng.randint(20_000, 150_000),
                "change_type": rng.choice(["新增", "调整", "停保"]),
                "remark": "",
            }
        )
    return items


def make_poster_data(items: list[dict], *, category: str = "dibao", status: str = "approved", **overrides) -> PosterData:
    values = dict(
        notice_id="6f1c2d3e-0000-4000-8000-1234567890ab",
        version=1,
        township="青山镇",
        county="云溪县",
        entry=get_entry(category),
        title="2026年11月城乡低保拟保障对象公示",
        period_start=date(2026, 11, 2),
        period_end=date(2026, 11, 9),
        period=NoticePeriod.from_result(default_calendar().period_end(date(2026, 11, 2), get_entry(category).rule)),
        issuer="青山镇人民政府",
        township_phone=TOWNSHIP_PHONE,
        county_phone=COUNTY_PHONE,
        issue_date=date(2026, 11, 2),
        year=2026,
        items=items,
        total_households=len(items),
        total_people=sum(int(i.get("people") or 0) for i in items),
        total_amount_fen=sum(int(i.get("amount") or 0) for i in items),
        status=status,
    )
    if status in ("approved", "publishing", "expired", "archived"):
        code = verification_code("t-1", values["notice_id"], values["version"])
        values.update(verification_code=code, qr_text=qr_payload(code))
    values.update(overrides)
    return PosterData(**values)


@pytest.fixture
def roster() -> list[dict]:
    items = dibao_items(40)
    items[0]["name"] = "张" + RARE_A
    items[1]["name"] = "李" + RARE_B
    return items


def pdftotext(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def pdfinfo(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def page_size(pdf: Path) -> tuple[float, float]:
    match = re.search(r"([\d.]+) x ([\d.]+) pts", pdfinfo(pdf)["Page size"])
    return float(match.group(1)), float(match.group(2))


def pdffonts(pdf: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]
