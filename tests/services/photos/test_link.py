"""Linking photos to postings: suggestions by EXIF time and GPS, roles, mismatch flags, evidence status."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from zwgk_desktop.core.models import Photo, Township, Village
from zwgk_desktop.services.photos import import_photos, link_photo, posting_evidence, suggest_posting

from .conftest import add_posting


def photo_by_name(session, name) -> Photo:
    return session.scalars(select(Photo).where(Photo.original_name == name)).one()


def test_suggestion_prefers_the_posting_nearest_in_time(config, database, sample_photos):
    """A photo taken on 2 March suggests the notice posted on 2 March before one posted on 20 March."""
    with database.session() as session:
        near = add_posting(session)
        township = session.get(Township, near.township_id)
        village = session.get(Village, near.village_id)
        later = add_posting(session, title="关于临时救助对象的公示", posted_on=date(2026, 3, 20),
                            planned_end=date(2026, 3, 27), township=township, village=village)
    import_photos(database, config, [sample_photos["sharp"]])
    with database.session() as session:
        suggestions = suggest_posting(session, photo_by_name(session, "IMG_0001.jpg"))
    assert [s.posting_id for s in suggestions] == [near.posting_id, later.posting_id]
    assert suggestions[0].role == "start" and suggestions[0].days_off == 0
    assert suggestions[0].distance_m is not None and suggestions[0].distance_m < 10


def test_photo_near_the_end_of_the_period_is_suggested_as_end(config, database, sample_photos, posting):
    """A photo taken on the planned end day is suggested as the posting's end photo."""
    import_photos(database, config, [sample_photos["end"]])
    with database.session() as session:
        [suggestion] = suggest_posting(session, photo_by_name(session, "IMG_0008.jpg"))
    assert (suggestion.posting_id, suggestion.role) == (posting.posting_id, "end")


def test_far_away_board_is_ranked_after_a_near_one(config, database, sample_photos):
    """When boards have GPS, a board kilometres from where the photo was taken comes last."""
    with database.session() as session:
        far = add_posting(session, board_name="远处村公开栏", gps=(31.90, 117.40))
        township = session.get(Township, far.township_id)
        other_village = Village(township=township, name="向阳村")
        near = add_posting(session, board_name="向阳村公开栏", posted_on=date(2026, 2, 27),
                           planned_end=date(2026, 3, 6), township=township, village=other_village)
    import_photos(database, config, [sample_photos["sharp"]])
    with database.session() as session:
        photo = photo_by_name(session, "IMG_0001.jpg")
        ranked = [s.posting_id for s in suggest_posting(session, photo)]
        only_far_village = [s.posting_id for s in suggest_posting(session, photo, village_ids=(far.village_id,))]
    assert ranked == [near.posting_id, far.posting_id]
    assert only_far_village == [far.posting_id]


def test_photo_without_exif_time_gets_no_suggestion(config, database, sample_photos, posting):
    """Without EXIF time nothing is guessed: the user has to choose the posting."""
    import_photos(database, config, [sample_photos["no_exif"]])
    with database.session() as session:
        assert suggest_posting(session, photo_by_name(session, "IMG_0004.jpg")) == []


def test_linking_sets_and_relinking_clears_time_mismatch(config, database, sample_photos, posting):
    """Linking a photo taken 18 days later flags `time_mismatch`; linking it as the right posting's photo clears it."""
    import_photos(database, config, [sample_photos["late"]])
    with database.session() as session:
        photo = photo_by_name(session, "IMG_0007.jpg")
        link_photo(session, photo.id, posting.posting_id, "start")
        assert photo.flags == ["time_mismatch"]
        township = session.get(Township, posting.township_id)
        village = session.get(Village, posting.village_id)
        matching = add_posting(session, title="关于危房改造对象的公示", posted_on=date(2026, 3, 19),
                               planned_end=date(2026, 3, 26), township=township, village=village)
        link_photo(session, photo.id, matching.posting_id, "start")
        assert photo.flags == []
        assert photo.posting_id == matching.posting_id


def test_posting_evidence_reports_start_and_end_photos(config, database, sample_photos, posting):
    """A posting has evidence once it has a start photo and, later, an end photo."""
    with database.session() as session:
        assert posting_evidence(session, posting.posting_id)["has_start_photo"] is False
    import_photos(database, config, [sample_photos["sharp"]], posting_id=posting.posting_id, role="start")
    with database.session() as session:
        status = posting_evidence(session, posting.posting_id)
        assert (status["has_start_photo"], status["has_end_photo"]) == (True, False)
    import_photos(database, config, [sample_photos["end"]])
    with database.session() as session:
        link_photo(session, photo_by_name(session, "IMG_0008.jpg").id, posting.posting_id, "end")
    with database.session() as session:
        status = posting_evidence(session, posting.posting_id)
    assert (status["has_start_photo"], status["has_end_photo"]) == (True, True)


def test_taken_at_is_stored_as_camera_wall_time(config, database, sample_photos):
    """The row keeps EXIF wall time and its offset separately, as the model documents."""
    import_photos(database, config, [sample_photos["sharp"]])
    with database.session() as session:
        photo = photo_by_name(session, "IMG_0001.jpg")
        assert (photo.taken_at, photo.taken_at_offset) == (datetime(2026, 3, 2, 9, 30), "+08:00")


def test_file_name_naming_a_village_breaks_a_tie_between_boards(config, database, sample_photos, tmp_path):
    """Boards posted the same day without GPS: a photo saved as "向阳村…jpg" suggests 向阳村's board first."""
    with database.session() as session:
        first = add_posting(session, gps=None)
        township = session.get(Township, first.township_id)
        named = add_posting(session, board_name="村委会门口", gps=None, township=township,
                            village=Village(township=township, name="向阳村"))
    renamed = tmp_path / "向阳村公示0302.jpg"
    renamed.write_bytes(sample_photos["sharp"].read_bytes())
    import_photos(database, config, [renamed])
    with database.session() as session:
        ranked = [s.posting_id for s in suggest_posting(session, photo_by_name(session, renamed.name))]
    assert ranked == [named.posting_id, first.posting_id]


def test_after_archive_nothing_can_be_linked_or_unlinked(config, database, sample_photos, posting):
    """Once the notice is archived its photos are final: linking, unlinking and importing onto it are refused."""
    import pytest

    from zwgk_desktop.core.models import Disclosure
    from zwgk_desktop.errors import NotAllowed
    from zwgk_desktop.services.photos.link import unlink_posting

    import_photos(database, config, [sample_photos["sharp"]], posting_id=posting.posting_id, role="start")
    import_photos(database, config, [sample_photos["end"]])
    with database.session() as session:
        session.get(Disclosure, posting.disclosure_id).status = "archived"
    for attempt in (
        lambda s: link_photo(s, photo_by_name(s, "IMG_0008.jpg").id, posting.posting_id, "end"),
        lambda s: link_photo(s, photo_by_name(s, "IMG_0001.jpg").id, None),
        lambda s: unlink_posting(s, photo_by_name(s, "IMG_0001.jpg").id, posting.posting_id),
    ):
        with database.session() as session, pytest.raises(NotAllowed) as refused:
            attempt(session)
        assert refused.value.code == "notice_archived" and "已归档" in refused.value.message
    with pytest.raises(NotAllowed):
        import_photos(database, config, [sample_photos["late"]], posting_id=posting.posting_id)
    with database.session() as session:
        assert photo_by_name(session, "IMG_0001.jpg").posting_id == posting.posting_id
        assert photo_by_name(session, "IMG_0008.jpg").posting_id is None
        assert suggest_posting(session, photo_by_name(session, "IMG_0008.jpg")) == []


def test_a_photo_linked_to_two_postings_counts_for_both_and_unlinks_one_at_a_time(config, database, sample_photos):
    """A further link is evidence too; removing the first link promotes the further one."""
    from zwgk_desktop.core.photo_links import posting_photo_roles
    from zwgk_desktop.services.photos.link import add_link, unlink_posting

    with database.session() as session:
        first = add_posting(session)
        township = session.get(Township, first.township_id)
        second = add_posting(session, title="关于临时救助对象的公示", township=township,
                             village=session.get(Village, first.village_id))
    import_photos(database, config, [sample_photos["sharp"]], posting_id=first.posting_id, role="start")
    with database.session() as session:
        photo = photo_by_name(session, "IMG_0001.jpg")
        from zwgk_desktop.core.models import Posting

        assert add_link(session, photo, session.get(Posting, second.posting_id), "start") is True
        assert add_link(session, photo, session.get(Posting, second.posting_id), "start") is False
    with database.session() as session:
        roles = posting_photo_roles(session, [first.posting_id, second.posting_id])
        assert roles == {first.posting_id: {"start"}, second.posting_id: {"start"}}
        assert posting_evidence(session, second.posting_id)["has_start_photo"] is True
        unlink_posting(session, photo_by_name(session, "IMG_0001.jpg").id, first.posting_id)
    with database.session() as session:
        photo = photo_by_name(session, "IMG_0001.jpg")
        assert (photo.posting_id, photo.role) == (second.posting_id, "start")
        assert posting_photo_roles(session, [first.posting_id]) == {}


def qr_photo(path, payload: str, taken: datetime | None, gps=None):
    """A photo of a board with one QR code (the poster's 核验码 payload) printed large on it."""
    import io

    import segno
    from PIL import Image

    from .fixtures import board_image, make_exif, write_jpeg

    buffer = io.BytesIO()
    segno.make_qr(payload, error="m").save(buffer, kind="png", scale=14, border=4)
    code = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    frame = board_image((2400, 1800), seed=31)
    frame.paste(code, (1000, 700))
    return write_jpeg(path, frame, make_exif(taken, gps=gps) if taken else None)


def test_verification_code_payloads_name_notice_version_and_board(config, database, tmp_path):
    """`ZWGK:CODE` and `<county>/v/CODE` (the 核验码 forms) resolve to the notice, version and board, and link."""
    from zwgk_desktop.core.verification import qr_payload, record_code

    with database.session() as session:
        first = add_posting(session, gps=None)
        township = session.get(Township, first.township_id)
        second = add_posting(session, board_name="向阳村公开栏", gps=None, township=township,
                             village=Village(township=township, name="向阳村"))
        from zwgk_desktop.core.models import Posting

        session.get(Posting, second.posting_id).disclosure_id = first.disclosure_id  # one notice on two boards
        code = record_code(session, township.id, first.disclosure_id, 1, second.board_id)
    plain = qr_photo(tmp_path / "IMG_plain.jpg", qr_payload(code), datetime(2026, 3, 2, 9, 0))
    url = qr_photo(tmp_path / "IMG_url.jpg", qr_payload(code, "https://county.example/zwgk"), datetime(2026, 3, 9, 16, 0))
    report = import_photos(database, config, [plain, url])
    by_name = {entry["path"].rsplit("/", 1)[-1]: entry for entry in report.imported}
    for name in ("IMG_plain.jpg", "IMG_url.jpg"):
        [qr] = by_name[name]["qr"]
        assert (qr["disclosure_id"], qr["version"], qr["board_id"], qr["state"]) == (
            first.disclosure_id, 1, second.board_id, "current")
    assert by_name["IMG_plain.jpg"]["linked"] == [{"posting_id": second.posting_id, "role": "start"}]
    assert by_name["IMG_url.jpg"]["linked"] == [{"posting_id": second.posting_id, "role": "end"}]


def test_without_gps_the_qr_board_comes_before_the_file_name_and_time(config, database, tmp_path):
    """No GPS: the posting on the board the QR names is suggested first, though the file name names another board."""
    from zwgk_desktop.core.verification import qr_payload, record_code

    with database.session() as session:
        named = add_posting(session, gps=None)  # 红旗村村务公开栏, named by the file name below
        township = session.get(Township, named.township_id)
        other = add_posting(session, title="关于临时救助对象的公示", board_name="向阳村公开栏", gps=None,
                            township=township, village=Village(township=township, name="向阳村"))
        code = record_code(session, township.id, other.disclosure_id, 1, other.board_id)
    # Taken mid-period: not auto-linked, only suggested.
    photo = qr_photo(tmp_path / "红旗村村务公开栏0307.jpg", qr_payload(code), datetime(2026, 3, 7, 12, 0))
    [entry] = import_photos(database, config, [photo]).imported
    assert entry["linked"] == []
    with database.session() as session:
        ranked = [s.posting_id for s in suggest_posting(session, photo_by_name(session, photo.name))]
    assert ranked == [other.posting_id, named.posting_id]
