"""Printing a stored notice: masked through core.privacy, recorded as a PrintedVersion with an archived copy, and the `zwgk print poster` CLI."""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from tests.conftest import run_cli
from zwgk_desktop.core.disclosures import create_disclosure
from zwgk_desktop.core.models import CatalogItem, Disclosure, DisclosureItem, PrintedVersion
from zwgk_desktop.errors import NotFound
from zwgk_desktop.core.users import Actor
from zwgk_desktop.ops.printing import PosterRequest, print_poster
from zwgk_desktop.services.printing.poster import EmptyNotice, build_poster_data

CLERK = Actor(username="clerk1", role="clerk")

from .conftest import pdftotext


def _notice(session, category: str, status: str) -> Disclosure:
    return session.execute(
        select(Disclosure).where(Disclosure.category == category, Disclosure.status == status).limit(1)
    ).scalar_one()


def test_print_records_printed_version_and_archives_the_pdf(demo_db, demo_config, tmp_path):
    """An approved 低保 notice prints, and a PrintedVersion row holds its SHA-256, pages and the archived copy."""
    out = tmp_path / "poster.pdf"
    with demo_db.session() as s:
        notice_id = _notice(s, "dibao", "approved").id
    result = print_poster(demo_db, CLERK, demo_config, PosterRequest(notice_id), out)
    assert result.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
    with demo_db.session() as s:
        record = s.execute(select(PrintedVersion).where(PrintedVersion.disclosure_id == notice_id)).scalar_one()
        assert (record.sha256, record.pages, record.paper, record.printed_by) == (result.sha256, result.pages, "A4", "clerk1")
    stored = demo_config.archive_dir / record.stored_path
    assert stored.read_bytes() == out.read_bytes()


def test_poster_from_database_shows_public_values_only(demo_db, tmp_path):
    """Line items are masked for the public: names shown, no ID number or bank account anywhere on the poster."""
    with demo_db.session() as s:
        notice = _notice(s, "dibao", "approved")
        data = build_poster_data(s, notice.id)
        ids = [i for (i,) in s.execute(select(DisclosureItem.id_number).where(DisclosureItem.disclosure_id == notice.id)) if i]
        names = [n for (n,) in s.execute(select(DisclosureItem.name).where(DisclosureItem.disclosure_id == notice.id))]
    assert data.items and all("id_number" not in item and "bank_account" not in item for item in data.items)
    from zwgk_desktop.services.printing.poster import render_poster

    out = tmp_path / "p.pdf"
    render_poster(data, out)
    text = pdftotext(out)
    assert names[0] in text
    assert ids and not any(i[-6:] in text for i in ids)
    assert not re.search(r"\d{15,}", text)


def test_name_policy_from_the_catalogue_item_masks_names(demo_db, tmp_path):
    """A county that chose 姓*末字 for 低保 gets masked names on the poster."""
    with demo_db.session() as s:
        s.execute(select(CatalogItem).where(CatalogItem.code == "dibao")).scalar_one().name_mask = "surname_last"
    with demo_db.session() as s:
        notice = _notice(s, "dibao", "approved")
        data = build_poster_data(s, notice.id)
        full_names = [n for (n,) in s.execute(select(DisclosureItem.name).where(DisclosureItem.disclosure_id == notice.id))]
    shown = [item["name"] for item in data.items]
    assert all("*" in name for name in shown if len(name) >= 2)
    assert not set(shown) & {n for n in full_names if len(n) >= 2}


def test_empty_table_notice_and_unknown_id_are_clear_errors(demo_db, demo_config, tmp_path):
    """A 低保 notice with no items and an unknown id both fail with Chinese messages and record nothing."""
    with demo_db.session() as s:
        township_id = _notice(s, "dibao", "approved").township_id
        empty_id = create_disclosure(s, township_id, "dibao", "空名单公示").id
    with pytest.raises(EmptyNotice, match="名单明细"):
        print_poster(demo_db, CLERK, demo_config, PosterRequest(empty_id), tmp_path / "e.pdf")
    with pytest.raises(NotFound, match="找不到"):
        print_poster(demo_db, CLERK, demo_config, PosterRequest("no-such-id"), tmp_path / "n.pdf")
    with demo_db.session() as s:
        assert s.execute(select(PrintedVersion).where(PrintedVersion.disclosure_id == empty_id)).first() is None


def test_cli_print_poster_json(demo_config, tmp_path):
    """`zwgk print poster ID -o OUT --paper A3 --landscape --json` prints pages, sha256, missing_glyphs and path; a draft gets the watermark."""
    from zwgk_desktop.core.schema import open_database

    db = open_database(demo_config)
    with db.session() as s:
        draft_id = _notice(s, "linshi", "draft").id
    db.dispose()
    out = tmp_path / "cli.pdf"
    code, payload, stderr = run_cli("print", "poster", draft_id, "-o", str(out), "--paper", "a3", "--landscape", "--json", data_dir=demo_config.data_dir)
    assert code == 0, stderr
    assert payload["pages"] >= 1 and payload["missing_glyphs"] == [] and payload["path"] == str(out)
    assert payload["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert "草稿" in pdftotext(out)
    code, payload, _ = run_cli("print", "poster", "no-such-id", "-o", str(tmp_path / "x.pdf"), "--json", data_dir=demo_config.data_dir)
    assert code == 1 and payload["error"]["code"] == "not_found"


def test_cached_masking_matches_privacy_public_row(demo_db):
    """The poster's per-value masking cache gives exactly what core.privacy.public_row gives, row by row."""
    from zwgk_desktop.core.catalogue import get_entry
    from zwgk_desktop.core.privacy import Audience, public_row
    from zwgk_desktop.services.printing.poster import _item_values, _village_cell

    with demo_db.session() as s:
        for category in ("dibao", "linshi", "fupin_project"):
            notice = _notice(s, category, "approved")
            data = build_poster_data(s, notice.id)
            entry = get_entry(category)
            items = s.execute(select(DisclosureItem).where(DisclosureItem.disclosure_id == notice.id).order_by(DisclosureItem.seq)).scalars()
            expected = []
            for item in items:
                values = _item_values(item)
                _village_cell(entry, values)
                expected.append(public_row(entry, values, Audience.PUBLIC))
            assert data.items == expected


def _village_with_lines(session, notice_id):
    from zwgk_desktop.core.models import Village

    village_id = session.execute(
        select(DisclosureItem.village_id).where(DisclosureItem.disclosure_id == notice_id, DisclosureItem.village_id.is_not(None))
        .limit(1)
    ).scalar_one()
    return session.get(Village, village_id)


def test_village_part_prints_only_that_villages_lines_with_its_own_totals(demo_db, demo_config, tmp_path):
    """`village_id` gives that village's board its own poster: its households only, its totals, "（村名）" after the title."""
    out = tmp_path / "village.pdf"
    with demo_db.session() as s:
        notice = _notice(s, "dibao", "approved")
        village = _village_with_lines(s, notice.id)
        rows = s.execute(select(DisclosureItem.name, DisclosureItem.village_id, DisclosureItem.amount_fen,
                                DisclosureItem.extra).where(DisclosureItem.disclosure_id == notice.id)).all()
        notice_id, village_name, village_id = notice.id, village.name, village.id
    result = print_poster(demo_db, CLERK, demo_config, PosterRequest(notice_id, village_id=village_id), out)
    ours = [r for r in rows if r.village_id == village_id]
    others = {r.name for r in rows if r.village_id != village_id} - {r.name for r in ours}
    text = pdftotext(out)
    flat = text.replace("\n", "").replace(" ", "")
    assert f"（{village_name}）" in flat and result.as_json()["village"] == village_name
    assert all(r.name in text for r in ours)
    assert others and not any(name in text for name in others)
    counted = [r for r in ours if (r.extra or {}).get("change_type") != "停保"]  # 停保: listed, not counted
    assert f"共{len(counted)}户" in flat
    if len(counted) < len(ours):
        assert f"另停保{len(ours) - len(counted)}户" in flat
    assert f"{sum(r.amount_fen for r in counted) / 100:,.2f}" in flat
    with demo_db.session() as s:
        from zwgk_desktop.core.models import AuditEvent

        event = s.execute(select(AuditEvent).where(AuditEvent.action == "print_village_poster")).scalar_one()
        assert event.summary == {"disclosure_id": notice_id, "villages": [village_name], "pages": result.pages}


def test_cli_village_poster_and_a_village_not_in_the_list(demo_config, tmp_path):
    """`--village NAME` prints that village's part, `--each-village` all parts; a village not in the list names the ones that are."""
    from zwgk_desktop.core.schema import open_database

    db = open_database(demo_config)
    with db.session() as s:
        notice = _notice(s, "dibao", "approved")
        notice_id, village_name = notice.id, _village_with_lines(s, notice.id).name
    db.dispose()
    out = tmp_path / "v.pdf"
    code, payload, stderr = run_cli("print", "poster", notice_id, "-o", str(out), "--village", village_name, "--json",
                                    data_dir=demo_config.data_dir)
    assert code == 0, stderr
    assert payload["village"] == village_name and payload["pages"] >= 1
    assert f"（{village_name}）" in pdftotext(out).replace("\n", "")
    code, payload, _ = run_cli("print", "poster", notice_id, "-o", str(tmp_path / "x.pdf"), "--village", "不存在村",
                               "--json", data_dir=demo_config.data_dir)
    assert code == 1 and payload["error"]["code"] == "unknown_village"
    assert village_name in payload["error"]["message"] and not (tmp_path / "x.pdf").exists()
    code, payload, stderr = run_cli("print", "poster", notice_id, "-o", str(tmp_path / "all.pdf"), "--each-village",
                                    "--json", data_dir=demo_config.data_dir)
    assert code == 0, stderr
    assert village_name in [v["village"] for v in payload["villages"]]
    assert payload["pages"] == sum(v["pages"] for v in payload["villages"])


def test_village_without_lines_in_the_notice_is_a_clear_error(demo_db, demo_config, tmp_path):
    """Asking for the part of a village that has no line in the notice is refused in Chinese; nothing is recorded."""
    from zwgk_desktop.core.models import Village

    with demo_db.session() as s:
        notice = _notice(s, "dibao", "approved")
        empty = Village(township_id=notice.township_id, name="新建村")
        s.add(empty)
        s.flush()
        notice_id, empty_id = notice.id, empty.id
    with pytest.raises(EmptyNotice, match="新建村") as info:
        print_poster(demo_db, CLERK, demo_config, PosterRequest(notice_id, village_id=empty_id), tmp_path / "e.pdf")
    assert info.value.code == "no_village_lines"
    with demo_db.session() as s:
        assert s.execute(select(PrintedVersion).where(PrintedVersion.disclosure_id == notice_id)).first() is None


def test_every_villages_part_in_one_file_each_on_its_own_pages(demo_db, demo_config, tmp_path):
    """`each_village` prints one PDF where every village's part starts a new page with its own title and 第1页."""
    out = tmp_path / "villages.pdf"
    with demo_db.session() as s:
        notice = _notice(s, "dibao", "approved")
        counts: dict[str, int] = {}
        for village, extra in s.execute(select(DisclosureItem.village_name, DisclosureItem.extra)
                                        .where(DisclosureItem.disclosure_id == notice.id)):
            counts[village] = counts.get(village, 0) + ((extra or {}).get("change_type") != "停保")
        notice_id = notice.id
    result = print_poster(demo_db, CLERK, demo_config, PosterRequest(notice_id, each_village=True), out)
    assert sorted(result.villages) == sorted(counts) and result.pages == sum(result.part_pages)
    assert [v["village"] for v in result.as_json()["villages"]] == result.villages
    first_page = 1
    for village, pages in zip(result.villages, result.part_pages):
        text = pdftotext(out, "-f", str(first_page), "-l", str(first_page)).replace("\n", "").replace(" ", "")
        assert f"（{village}）" in text and f"共{counts[village]}户" in text
        assert f"第1页共{pages}页" in text
        first_page += pages
