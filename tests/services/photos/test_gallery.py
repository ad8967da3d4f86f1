"""Gallery queries: photos per scope in pages, notice evidence ✔/✘ per posting, board timelines, suggestions, captioned copies."""

from __future__ import annotations

from datetime import date

from PIL import Image
from sqlalchemy import select

from zwgk_desktop.core.models import Photo, Township, Village
from zwgk_desktop.services.photos import import_photos
from zwgk_desktop.services.photos.gallery import (
    GalleryScope,
    board_groups,
    caption_lines,
    confirm_link,
    count_photos,
    export_captioned_copies,
    notice_groups,
    photo_card,
    photo_page,
    posting_choices,
    scope_counts,
    suggestions_for,
)

from .conftest import add_posting


def photo_id(session, name: str) -> str:
    return session.scalars(select(Photo.id).where(Photo.original_name == name)).one()


def test_scopes_count_and_page_photos(config, database, sample_photos, posting):
    """All / unlinked / flagged / notice / board scopes count and page the right photos."""
    import_photos(database, config, [sample_photos["sharp"], sample_photos["end"]], posting_id=posting.posting_id)
    import_photos(database, config, [sample_photos["blurry"], sample_photos["no_exif"]])
    with database.session() as session:
        assert count_photos(session) == 4
        assert count_photos(session, GalleryScope("unlinked")) == 2
        assert count_photos(session, GalleryScope("flagged")) == 2
        assert count_photos(session, GalleryScope("notice", posting.disclosure_id)) == 2
        assert count_photos(session, GalleryScope("board", posting.board_id)) == 2
        notice = photo_page(session, GalleryScope("notice", posting.disclosure_id), 0, 10)
        assert [(c.original_name, c.role) for c in notice] == [("IMG_0001.jpg", "start"), ("IMG_0008.jpg", "end")]
        assert notice[0].board_name == "红旗村村务公开栏" and notice[0].disclosure_title.startswith("关于红旗村")
        first, second = photo_page(session, GalleryScope(), 0, 1), photo_page(session, GalleryScope(), 1, 1)
        assert len(first) == len(second) == 1 and first[0].id != second[0].id
        assert photo_page(session, GalleryScope(), 3, 10)[-1].taken_at is None  # no EXIF time sorts last
        counts = scope_counts(session)
        assert (counts.all, counts.unlinked, counts.flagged) == (4, 2, 2)


def test_notice_groups_show_start_and_end_evidence_per_posting(config, database, sample_photos):
    """A notice on two boards with only a start photo on one reads ✔ start 1/2, ✘ end 0/2."""
    with database.session() as session:
        first = add_posting(session)
        township = session.get(Township, first.township_id)
        add_posting(session, board_name="向阳村公开栏", township=township, village=Village(township=township, name="向阳村"))
    import_photos(database, config, [sample_photos["sharp"]], posting_id=first.posting_id, role="start")
    with database.session() as session:
        groups = notice_groups(session)
        boards = board_groups(session)
    by_board = {p.board_name: p for group in groups for p in group.postings}
    assert by_board["红旗村村务公开栏"].has_start and not by_board["红旗村村务公开栏"].has_end
    assert not by_board["向阳村公开栏"].has_start
    target = next(g for g in groups if g.disclosure_id == first.disclosure_id)
    assert (target.with_start, target.with_end, len(target.postings), target.photos) == (1, 0, 1, 1)
    assert {b.name: b.photos for b in boards} == {"红旗村村务公开栏": 1, "向阳村公开栏": 0}


def test_suggestion_carries_title_board_dates_and_confirming_updates_evidence(config, database, sample_photos, posting):
    """A suggestion names notice, board and period; confirming it makes the posting's start photo present."""
    report = import_photos(database, config, [sample_photos["sharp"]])
    new_id = report.imported[0]["photo_id"]
    with database.session() as session:
        [suggestion] = suggestions_for(session, [new_id])[new_id]
        assert suggestion.posting.board_name == "红旗村村务公开栏"
        assert suggestion.posting.period_text == "2026-03-02 至 2026-03-09"
        assert suggestion.role == "start" and not suggestion.posting.has_start
        assert posting_choices(session, date(2026, 3, 2))[0].posting_id == posting.posting_id
    with database.session() as session:
        result = confirm_link(session, new_id, posting.posting_id, "start", mismatch_days=3)
    assert result.card.role == "start" and result.evidence.has_start and not result.evidence.has_end


def test_captioned_copy_burns_title_and_board_and_leaves_original(config, database, sample_photos, posting, tmp_path):
    """A captioned copy is taller than the photo (caption band) and the archived original is unchanged."""
    report = import_photos(database, config, [sample_photos["sharp"]], posting_id=posting.posting_id)
    new_id = report.imported[0]["photo_id"]
    with database.session() as session:
        card = photo_card(session, new_id)
        stored = config.archive_dir / session.get(Photo, new_id).stored_path
    before = stored.read_bytes()
    lines = caption_lines(card)
    assert lines[0].startswith("公示：关于红旗村") and "红旗村村务公开栏" in lines[1] and "2026-03-02" in lines[2]
    result = export_captioned_copies(database, config, [new_id], tmp_path / "out")
    again = export_captioned_copies(database, config, [new_id], tmp_path / "out")
    assert result.written != again.written  # never overwrites an earlier copy
    with Image.open(result.written[0]) as copy:
        assert copy.width == card.width and copy.height > card.height
    assert stored.read_bytes() == before


def test_a_village_user_is_offered_only_their_villages_boards(config, database, sample_photos):
    """With `village_ids`, suggestions and hand-picked choices are postings on those villages' boards only."""
    with database.session() as session:
        mine = add_posting(session)
        township = session.get(Township, mine.township_id)
        other = add_posting(session, board_name="向阳村公开栏", township=township,
                            village=Village(township=township, name="向阳村"))
    new_id = import_photos(database, config, [sample_photos["sharp"]]).imported[0]["photo_id"]
    with database.session() as session:
        everyone = {s.posting.posting_id for s in suggestions_for(session, [new_id])[new_id]}
        scoped = {s.posting.posting_id for s in suggestions_for(session, [new_id], village_ids=(mine.village_id,))[new_id]}
        choices = {c.posting_id for c in posting_choices(session, date(2026, 3, 2), village_ids=(mine.village_id,))}
    assert everyone == {mine.posting_id, other.posting_id}
    assert scoped == choices == {mine.posting_id}
