"""Photo evidence (照片存档) use cases: import, verify, gallery, suggestions, links, evidence package, captioned copies.

Each function is one use case `op(db, actor, ...)` shared by `zwgk photos …`
and the 照片存档 page; the photo rules live in `services.photos`. Reads open a
read session only to load DTOs; file work (re-hashing the archive, writing
an evidence package or captioned copies) runs after the session is closed.
`import_photos` is the one write of the batch (one transaction); `db` may
there be a zero-argument opener (the CLI passes one, so photos decode while
the database opens). Who acts is recorded as importer and in the audit log.
A village user's suggestions and choices are their villages' boards only
(`village_ids`, default: the actor's scope).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from zwgk_desktop.core.users import Actor
from zwgk_desktop.ops.base import Changes, read_session, reads, require_actor, unit_of_work, writes
from zwgk_desktop.services.photos.gallery import (
    BoardGroup,
    CaptionExport,
    GalleryScope,
    LinkResult,
    LinkSuggestion,
    NoticeGroup,
    PhotoCard,
    PostingEvidence,
    ScopeCounts,
)
from zwgk_desktop.services.photos.link import DEFAULT_MISMATCH_DAYS

__all__ = [
    "ArchiveCheck", "GalleryGroups", "GalleryPage", "ImportOutcome", "LinkOptions", "PhotoImport",
    "export_captioned", "export_evidence_package", "gallery_groups", "gallery_page", "import_outcome",
    "import_photos", "link_all_suggested", "link_options", "link_photo", "photo_cards", "suggest_postings",
    "unlink_posting", "verify_archive",
]


def _villages(actor: Actor, village_ids):
    """Explicit `village_ids` (a page's scope), else the actor's own (None = every board)."""
    if village_ids is not None:
        return tuple(village_ids) or None
    return actor.village_scope


# --- import -------------------------------------------------------------------------------------


@dataclass
class PhotoImport:
    """What one import did: the CLI contract's `imported` / `rejected` / `skipped` (see cli.md)."""

    imported: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def photo_ids(self) -> list[str]:
        return [entry["photo_id"] for entry in self.imported]

    @property
    def changes(self) -> Changes:
        kinds = {"photos"} | ({"postings"} if any(entry.get("linked") for entry in self.imported) else set())
        return Changes(frozenset(kinds), tuple(self.photo_ids))

    def as_json(self) -> dict:
        return {"imported": self.imported, "rejected": self.rejected, "skipped": self.skipped}


@writes("photos", "postings")
def import_photos(db, actor: Actor, config, paths, *, posting_id: str | None = None, role: str | None = None,
                  job=None, started=None) -> PhotoImport:
    """Archive photos from files and folders, read their QR codes and link them (one transaction).

    `started`: the same paths already being probed (`services.photos.importer.start_probing`, which the
    command line calls before it even imports this layer)."""
    from zwgk_desktop.ops.base import thread_is_read_only
    from zwgk_desktop.services.photos.importer import import_photos as run_import

    actor = require_actor(actor)
    if thread_is_read_only():
        from zwgk_desktop.ops.base import WriteOutsideDbThread

        raise WriteOutsideDbThread("import_photos is a write: run it on the database thread")
    report = run_import(db, config, [str(p) for p in paths], posting_id=posting_id, role=role, job=job,
                        user=actor.username, started=started)
    return PhotoImport(report.imported, report.rejected, report.skipped)


@dataclass
class ImportOutcome:
    """The just-imported photos as cards, with link suggestions for those still unlinked (the UI's 导入结果)."""

    imported: list[PhotoCard] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)
    skipped: int = 0
    suggestions: dict[str, list[LinkSuggestion]] = field(default_factory=dict)

    @property
    def flagged(self) -> int:
        return sum(1 for card in self.imported if card.flags)

    @property
    def auto_linked(self) -> int:
        return sum(1 for card in self.imported if card.linked)


@reads
def import_outcome(db, actor: Actor, result: PhotoImport, village_ids=None) -> ImportOutcome:
    """Cards and suggestions for the photos an import brought in."""
    from zwgk_desktop.services.photos.gallery import photo_cards as load_cards
    from zwgk_desktop.services.photos.gallery import suggestions_for

    with read_session(db, actor) as session:
        cards = load_cards(session, result.photo_ids)
        suggestions = suggestions_for(session, [c.id for c in cards if not c.linked],
                                      village_ids=_villages(actor, village_ids))
    return ImportOutcome(cards, list(result.rejected), len(result.skipped), suggestions)


# --- verify ---------------------------------------------------------------------------------------


@dataclass
class ArchiveCheck:
    """`photos verify`: originals re-hashed against their rows."""

    checked: int
    missing: int
    modified: int
    problems: list[dict]

    @property
    def ok(self) -> bool:
        return self.missing == 0 and self.modified == 0

    def as_json(self) -> dict:
        return {"checked": self.checked, "missing": self.missing, "modified": self.modified,
                "problems": self.problems, "ok": self.ok}


@reads
def verify_archive(db, actor: Actor, config, *, job=None, started=None) -> ArchiveCheck:
    """Re-hash every archived original (on a thread pool; `started`: hashing begun before the database
    layer was imported, `services.photos.archive.start_hashing`)."""
    from sqlalchemy import select

    from zwgk_desktop.core.models import Photo
    from zwgk_desktop.services.photos.archive import verify_rows

    table = Photo.__table__  # a plain table query: no ORM mapper set-up for a command that only reads four columns
    with read_session(db, actor) as session:
        rows = [tuple(row) for row in session.execute(
            select(table.c.id, table.c.sha256, table.c.stored_path, table.c.original_name)).all()]
    result = verify_rows(config, rows, job, started)
    return ArchiveCheck(result["checked"], result["missing"], result["modified"], result["problems"])


# --- gallery ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GalleryGroups:
    """The left tree: scope counts and the notices (mode `notice`) or boards (mode `board`)."""

    mode: str
    counts: ScopeCounts
    notices: tuple[NoticeGroup, ...] = ()
    boards: tuple[BoardGroup, ...] = ()


@reads
def gallery_groups(db, actor: Actor, mode: str = "notice") -> GalleryGroups:
    from zwgk_desktop.services.photos.gallery import board_groups, notice_groups, scope_counts

    with read_session(db, actor) as session:
        counts = scope_counts(session)
        if mode == "board":
            return GalleryGroups(mode, counts, boards=tuple(board_groups(session)))
        return GalleryGroups(mode, counts, notices=tuple(notice_groups(session)))


@dataclass(frozen=True)
class GalleryPage:
    scope: GalleryScope
    total: int
    offset: int
    cards: tuple[PhotoCard, ...]


@reads
def gallery_page(db, actor: Actor, scope: GalleryScope, offset: int = 0, limit: int = 500,
                 with_total: bool = True) -> GalleryPage:
    """One page of a scope's photos (and the scope's total when asked)."""
    from zwgk_desktop.services.photos.gallery import count_photos, photo_page

    with read_session(db, actor) as session:
        total = count_photos(session, scope) if with_total else -1
        return GalleryPage(scope, total, offset, tuple(photo_page(session, scope, offset, limit)))


@reads
def photo_cards(db, actor: Actor, photo_ids) -> list[PhotoCard]:
    from zwgk_desktop.services.photos.gallery import photo_cards as load_cards

    with read_session(db, actor) as session:
        return load_cards(session, photo_ids)


# --- suggestions and links ------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkOptions:
    """For the link editor: the photo's suggested postings and the postings near its day to pick from."""

    photo_id: str
    suggestions: tuple[LinkSuggestion, ...]
    choices: tuple[PostingEvidence, ...]


@reads
def link_options(db, actor: Actor, photo_id: str, around: date | None = None, village_ids=None) -> LinkOptions:
    from zwgk_desktop.services.photos.gallery import posting_choices, suggestions_for

    villages = _villages(actor, village_ids)
    with read_session(db, actor) as session:
        suggestions = suggestions_for(session, [photo_id], village_ids=villages).get(photo_id, [])
        choices = posting_choices(session, around, village_ids=villages)
    return LinkOptions(photo_id, tuple(suggestions), tuple(choices))


@reads
def suggest_postings(db, actor: Actor, photo_id: str, village_ids=None) -> list[dict]:
    """`photos suggest`: the postings a photo most likely shows, best first (plain dicts)."""
    from zwgk_desktop.core.models import Photo
    from zwgk_desktop.errors import NotFound
    from zwgk_desktop.services.photos.link import suggest_posting

    with read_session(db, actor) as session:
        photo = session.get(Photo, photo_id)
        if photo is None:
            raise NotFound(f"找不到照片（{photo_id}）。")
        return [s.as_dict() for s in suggest_posting(session, photo, village_ids=_villages(actor, village_ids))]


def _link_result(session, photo_id: str, posting_id: str | None) -> LinkResult:
    from zwgk_desktop.services.photos.gallery import photo_card, posting_evidence_rows

    card = photo_card(session, photo_id)
    evidence = posting_evidence_rows(session, posting_ids=[posting_id])[0] if posting_id else None
    return LinkResult(card, evidence)


@writes("photos", "postings")
def link_photo(db, actor: Actor, photo_id: str, posting_id: str | None, role: str | None = None, *,
               mismatch_days: int = DEFAULT_MISMATCH_DAYS) -> LinkResult:
    """Link a photo to a posting as its start/end photo (`posting_id=None`: remove its links).

    Refused (`notice_archived`) for a posting of an archived notice."""
    from zwgk_desktop.services.photos.link import link_photo as set_link

    with unit_of_work(db, actor) as session:
        set_link(session, photo_id, posting_id, role, mismatch_days=mismatch_days)
        return _link_result(session, photo_id, posting_id)


@writes("photos", "postings")
def unlink_posting(db, actor: Actor, photo_id: str, posting_id: str, *,
                   mismatch_days: int = DEFAULT_MISMATCH_DAYS) -> LinkResult:
    """Remove one of a photo's links (refused for an archived notice)."""
    from zwgk_desktop.services.photos.link import unlink_posting as remove_link

    with unit_of_work(db, actor) as session:
        remove_link(session, photo_id, posting_id, mismatch_days=mismatch_days)
        return _link_result(session, photo_id, None)


@dataclass
class LinkBatch:
    results: list[LinkResult] = field(default_factory=list)

    @property
    def changes(self) -> Changes:
        return Changes(frozenset({"photos", "postings"}), tuple(r.card.id for r in self.results))


@writes("photos", "postings")
def link_all_suggested(db, actor: Actor, photo_ids, *, mismatch_days: int = DEFAULT_MISMATCH_DAYS,
                       village_ids=None) -> LinkBatch:
    """Link each still-unlinked photo to its first suggestion (photos without one are left alone)."""
    from zwgk_desktop.services.photos.gallery import confirm_top_suggestions

    with unit_of_work(db, actor) as session:
        return LinkBatch(confirm_top_suggestions(session, photo_ids, mismatch_days=mismatch_days,
                                                 village_ids=_villages(actor, village_ids)))


# --- exports --------------------------------------------------------------------------------------


@dataclass
class EvidencePackage:
    path: str
    files: int
    photos: int
    prints: int
    postings: int
    problems: list[dict]
    sha256: str | None = None

    def as_json(self) -> dict:
        data = {"path": self.path, "files": self.files, "photos": self.photos, "prints": self.prints,
                "postings": self.postings, "problems": self.problems}
        if self.sha256 is not None:
            data["sha256"] = self.sha256
        return data


@reads
def export_evidence_package(db, actor: Actor, config, disclosure_id: str, out_path, *, as_zip: bool = True,
                            job=None) -> EvidencePackage:
    """Write one notice's evidence package: the data is read first, the files written after the session closed."""
    from zwgk_desktop.core.disclosures import find_disclosure
    from zwgk_desktop.services.photos.evidence import load_evidence, write_evidence_package

    with read_session(db, actor) as session:
        data = load_evidence(session, find_disclosure(session, disclosure_id).id)  # id or unique prefix
    result = write_evidence_package(config, data, Path(out_path), as_zip=as_zip, job=job)
    return EvidencePackage(result["path"], result["files"], result["photos"], result["prints"], result["postings"],
                           result["problems"], result.get("sha256"))


@reads
def export_captioned(db, actor: Actor, config, photo_ids, folder, *, job=None) -> CaptionExport:
    """Captioned copies of photos into `folder` (read the cards first; burn captions after; originals untouched)."""
    from zwgk_desktop.services.photos.gallery import photo_cards as load_cards
    from zwgk_desktop.services.photos.gallery import write_captioned_copies

    ids = list(dict.fromkeys(photo_ids))
    with read_session(db, actor) as session:
        cards = load_cards(session, ids)
    return write_captioned_copies(config, cards, Path(folder), job=job)
