"""The county staff pages: township list, per-township notices and compliance findings, by the county's own rules."""

from __future__ import annotations

import json

import pytest

from tests.county.test_county_server import api, change, device, push, store  # noqa: F401 (fixtures)
from zwgk_desktop.core.catalogue import default_catalogue_path
from zwgk_desktop.county.admin import publish_catalogue
from zwgk_desktop.county.compliance import check_county


def photo(key, photo_id, posting_id):
    return change(key, "photo", photo_id, posting_id=posting_id, sha256=f"{ord(photo_id[-1]):064x}")


@pytest.fixture
def reported(api, store):  # noqa: F811
    """One township's notices covering every finding, and a clean second township."""
    auth = device(api, store, "青山镇")["Authorization"]
    push(api, auth,
         change("b1", "notice_board", "nb1", name="青山村村务公开栏"),
         change("b2", "notice_board", "nb2", name="桃园村村务公开栏"),
         change("d1", entity_id="d1", category="linshi", title="11月临时救助公示", status="publishing",
                total_amount_fen=180050, period_start="2026-03-02", period_end="2026-03-09"),
         change("p1", "posting", "p1", disclosure_id="d1", board_id="nb1", posted_on="2026-03-02",
                planned_end="2026-03-09"),
         change("p2", "posting", "p2", disclosure_id="d1", board_id="nb2", posted_on="2026-03-02",
                planned_end="2026-03-09"),
         photo("f1", "ph1", "p1"),
         change("d2", entity_id="d2", category="dibao", title="3月低保公示", status="expired"),
         change("p3", "posting", "p3", disclosure_id="d2", board_id="nb1", posted_on="2026-03-02",
                removed_on="2026-03-10"),
         photo("f3", "ph3", "p3"),
         change("d3", entity_id="d3", category="tekun", title="特困认定公示", status="expired"),
         change("d4", entity_id="d4", category="weifang", title="危房改造<script>公示", status="archived"),
         change("p4", "posting", "p4", disclosure_id="d4", board_id="nb1", posted_on="2026-03-02",
                removed_on="2026-03-20"),
         photo("f4", "ph4", "p4"),
         change("o1", "objection", "o1", disclosure_id="d4", status="open", received_on="2026-03-04"))
    clean = device(api, store, "桃园镇")["Authorization"]
    push(api, clean, change("t1", entity_id="t1", category="dibao", title="桃园镇低保公示", status="approved"))
    return store


def test_index_lists_townships_with_counts_and_the_findings(api, reported):
    """The county page names every township, its photo-evidence rate and each finding to follow up."""
    html = api.get("/").text
    assert "青山镇" in html and "桃园镇" in html
    assert "75%" in html and "（3/4）" in html  # 3 of 4 postings photographed
    for label in ("无照片留档", "无张贴记录", "异议未办结"):
        assert label in html
    assert "桃园村村务公开栏" in html
    assert "<script>" not in html and "危房改造&lt;script&gt;公示" in html


def test_township_page_explains_each_finding(api, reported):
    """A township's page shows each notice with its category, status, amount and plain-words findings."""
    checks = {c.name: c for c in check_county(reported)}
    html = api.get(f"/townships/{checks['青山镇'].id}").text
    assert "1/2 处张贴无照片留档：桃园村村务公开栏" in html
    assert "状态为“期满”，但没有任何张贴记录" in html
    assert "3月4日收到的异议尚未办结，公示却已“已归档”" in html
    assert "临时救助" in html and "公示中" in html and "1,800.50" in html
    assert "要求至少到" not in html  # dibao 7 calendar days: posted 3/2, removed 3/10 is enough
    assert "符合要求" in api.get(f"/townships/{checks['桃园镇'].id}").text


def test_the_countys_published_catalogue_sets_the_rule_it_checks(api, reported, tmp_path):
    """After the county publishes a 10-day 低保 rule, a posting removed after 8 days is flagged 公示期不足 with the rule."""
    raw = json.loads(default_catalogue_path().read_text(encoding="utf-8"))
    for item in raw["items"]:
        if item["code"] == "dibao":
            item["rule"] = {"duration": 10, "unit": "calendar", "start_day_counts": False, "roll_forward": False}
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    publish_catalogue(reported, path)
    checks = {c.name: c for c in check_county(reported)}
    html = api.get(f"/townships/{checks['青山镇'].id}").text
    assert "青山村村务公开栏：3月2日张贴，3月10日撤下；规则（10天（自然日），发布次日起算）要求至少到3月12日" in html
    assert "要求至少到3月12日" in api.get("/").text


def test_an_unknown_township_and_an_empty_county_say_so(api, store):  # noqa: F811
    """An empty county explains how townships join; an unknown township id says it is not found."""
    assert "尚无乡镇上报数据" in api.get("/").text
    assert "没有这个乡镇" in api.get("/townships/nope").text
