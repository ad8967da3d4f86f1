"""One 公示期, every surface: for the same notice the review dialog, the posting dialog, the notice list, the
流转记录 tab, 今日待办 and the `notice review` / `notice postings` / `disclosure show` JSON give the same dates and
days — a weekday posting, a Friday posting, a period across 2026 国庆, a working-day rule counting the 调休
Saturday 10/10, and a correction re-公示'd after an upheld objection."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.core.test_lifecycle import ADMIN, CLERK, REVIEWER, make_notice, make_world
from tests.ui.conftest import make_window
from zwgk_desktop import cli
from zwgk_desktop.core import lifecycle
from zwgk_desktop.core.objections import add_objection, resolve_objection
from zwgk_desktop.core.postings import post_notice, record_planned_posting
from zwgk_desktop.ops.todo import todo
from zwgk_desktop.ui.lifecycle import PostingDialog, ReviewPanel, install
from zwgk_desktop.ui.table_models import DisclosureTableModel

D = date
WAIT = 15000
CASES = {
    # name: (category, posting day, first counted day, end, days text)
    "weekday": ("dibao", D(2026, 3, 3), D(2026, 3, 4), D(2026, 3, 10), "7天"),
    "friday": ("dibao", D(2026, 3, 6), D(2026, 3, 7), D(2026, 3, 13), "7天"),
    "national_day": ("dibao", D(2026, 9, 30), D(2026, 10, 1), D(2026, 10, 7), "7天"),
    "working_days": ("linshi", D(2026, 9, 30), D(2026, 10, 1), D(2026, 10, 13), "5个工作日"),
    "correction": ("dibao", D(2026, 3, 5), D(2026, 3, 6), D(2026, 3, 12), "7天"),
}


def cli_json(capsys, config, *args) -> dict:
    """Run the real command line in-process on the test's data dir and parse its one JSON object."""
    capsys.readouterr()
    assert cli.main(["--data-dir", str(config.data_dir), *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def prepare(database, case: str) -> str:
    """The notice of `case`, approved (a correction: 第2版 after an upheld objection on 第1版, list changed)."""
    category = CASES[case][0]
    world = make_world(database)
    nid = make_notice(database, world, category=category)
    with database.session() as s:
        lifecycle.submit(s, CLERK, nid)
        lifecycle.approve(s, REVIEWER, nid)
    if case != "correction":
        return nid
    with database.session() as s:
        post_notice(s, CLERK, nid, [world.board_ids[None]], D(2026, 3, 2), today=D(2026, 3, 2))
        oid = add_objection(s, CLERK, nid, received_on=D(2026, 3, 3), content="王1明家有稳定收入", today=D(2026, 3, 3)).id
        new_id = resolve_objection(s, CLERK, oid, handling="入户核实属实", result="取消王1明户", closed_on=D(2026, 3, 4),
                                   changes_list=True, today=D(2026, 3, 4)).correction_id
    with database.session() as s:
        lifecycle.remove_items(s, CLERK, new_id, [1])
        lifecycle.submit(s, CLERK, new_id)
        lifecycle.approve(s, REVIEWER, new_id)
    return new_id


@pytest.mark.parametrize("case", list(CASES))
def test_every_surface_shows_the_same_period(case, qtbot, config, database, tasks, capsys):
    """Planned at print time, then posted: all surfaces agree on first day, end and days (see the module doc)."""
    category, posted_on, first, end, days = CASES[case]
    screen = f"{first.isoformat()} 至 {end.isoformat()}（{days}）"
    nid = prepare(database, case)
    tasks.bind(database=database, actor=ADMIN)

    # printed before posting: the planned day is recorded; the review dialog and the JSON show that period
    with database.session() as s:
        planned = record_planned_posting(s, CLERK, nid, posted_on, today=posted_on)
    assert (planned.first_day, planned.end) == (first, end)
    review = ReviewPanel(tasks, REVIEWER)
    qtbot.addWidget(review)
    with qtbot.waitSignal(review.loaded, timeout=WAIT):
        review.load(nid)
    assert review.period.range_label.text().startswith(f"公示期：{screen}　计划张贴日 {posted_on.isoformat()}")
    assert review.period.end_label.text() == f"公示期满日：{end.isoformat()}"
    assert cli_json(capsys, config, "notice", "review", nid[:8])["period"]["screen_text"] == screen

    # the posting dialog on that day shows the same period, and posting stores it
    dialog = PostingDialog(tasks, CLERK, nid, today=posted_on)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.plan_shown, timeout=WAIT):
        dialog.show()
    assert dialog.posted_on() == posted_on  # starts at the planned day
    assert dialog.explanation.range_label.text().startswith(f"公示期：{screen}　张贴日 {posted_on.isoformat()}")
    assert not dialog.explanation.warning.isVisibleTo(dialog)
    dialog.set_boards_checked(["青山镇", "青山村"])
    with qtbot.waitSignal(dialog.posted, timeout=WAIT):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    if case == "correction":
        assert "重新公示" in dialog.result.explanation
    if case == "working_days":
        assert "10月10日（周六）国庆节调休上班" in dialog.result.explanation

    # the CLI JSON
    shown = cli_json(capsys, config, "disclosure", "show", nid)
    postings = cli_json(capsys, config, "notice", "postings", nid[:8])["postings"]
    reviewed = cli_json(capsys, config, "notice", "review", nid[:8])
    assert shown["period"]["screen_text"] == shown["period_text"] == screen
    assert [p["period_text"] for p in postings] == [screen, screen]
    assert {p["planned_end"] for p in postings} == {end.isoformat()}
    assert reviewed["period"]["screen_text"] == screen and reviewed["period"]["planned"] is False
    assert shown["period"]["poster_line"].endswith(f"（{days}）")

    # 今日待办 on the last day: 缺期满照 names the same period and day
    result = todo(database, ADMIN, today=end)
    row = next(i for i in result.items if i.kind == "photo_end" and i.disclosure_id == nid)
    assert row.due == end.isoformat() and screen in row.detail and f"{end.isoformat()} 期满" in row.detail

    # the notice list and the 流转记录 tab of the main window
    window = make_window(qtbot, config, database, tasks)
    wiring = install(window, ADMIN, today=lambda: end)
    window.show()
    page = window.disclosures_page
    qtbot.waitUntil(lambda: page.model.row_of_id(nid) >= 0, timeout=WAIT)
    cell = page.model.index(page.model.row_of_id(nid), DisclosureTableModel.PERIOD).data()
    assert cell == screen
    page.select_disclosure(nid)
    qtbot.waitUntil(lambda: wiring.record.record is not None and wiring.record.record.disclosure_id == nid, timeout=WAIT)
    assert wiring.record.period.text() == f"公示期：{screen}"
    postings_section = wiring.record.tree.topLevelItem(1)
    assert all(f"公示期 {screen}" in postings_section.child(i).text(3) for i in range(postings_section.childCount()))
    assert f"公示期：{escape_lt(screen)}" in page.detail.meta.text()
    qtbot.waitUntil(lambda: any(i.kind == "photo_end" and i.disclosure_id == nid for i in wiring.dashboard.items),
                    timeout=WAIT)
    dash = next(i for i in wiring.dashboard.items if i.kind == "photo_end" and i.disclosure_id == nid)
    assert screen in dash.detail


def escape_lt(text: str) -> str:
    from html import escape

    return escape(text)
