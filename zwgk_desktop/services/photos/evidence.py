"""The evidence package of one notice: evidence-sheet PDF, original photos, printed posters, manifest.

Two steps, so nothing is rendered inside a database session:
`load_evidence(session, disclosure_id)` gathers plain DTOs — every posting
of the notice, the photos linked to them (first and further links), the
kept PDFs of what was printed and any 情况说明 recorded for missing evidence
(`core.postings.evidence_exceptions`, when that function exists);
`write_evidence_package(config, data, out)` then copies the original photos
(bytes untouched) and prints, writes the evidence sheet (ReportLab, CJK
font) with thumbnails, metadata, hashes and each photo's QR verification
("照片中二维码核验：第2版 ✔"; ⚠ with the flag for a flagged photo, never ✔),
and a `manifest.json` with the SHA-256 of every file. Everything is staged
in a temp folder next to the output and renamed (or zipped to a temp file
and renamed) into place: no half-written package.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import select

from zwgk_desktop.core.models import Disclosure, NoticeBoard, Photo, PhotoLink, Posting, PrintedVersion
from zwgk_desktop.core.status import STATUS_LABELS
from zwgk_desktop.errors import InvalidInput, NotFound
from zwgk_desktop.services.photos.archive import absolute_stored_path, hash_file, thumbnail_path
from zwgk_desktop.services.photos.link import ROLE_LABELS
from zwgk_desktop.services.photos.qr import verification_text
from zwgk_desktop.services.photos.quality import FLAG_LABELS

PDF_FONT_NAME = "WQYMicroHei"
PDF_FONT_FILE = "wqy-microhei.ttc"
SHEET_NAME = "evidence.pdf"
MANIFEST_NAME = "manifest.json"


# --- DTOs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidencePosting:
    posting_id: str
    board_name: str
    posted_on: date
    planned_end: date | None
    removed_on: date | None


@dataclass(frozen=True)
class EvidencePhoto:
    """One photo as evidence of one posting of the notice (a photo of two boards appears twice)."""

    photo_id: str
    posting_id: str
    role: str
    sha256: str
    stored_path: str
    original_name: str
    taken_at: datetime | None
    taken_at_offset: str
    gps_lat: float | None
    gps_lon: float | None
    device_make: str
    device_model: str
    width: int
    height: int
    size_bytes: int
    flags: tuple[str, ...]
    qr_text: str


@dataclass(frozen=True)
class EvidencePrint:
    kind: str
    pages: int
    paper: str
    printed_by: str
    created_at: datetime | None
    sha256: str
    stored_path: str


@dataclass
class EvidenceData:
    """Everything the evidence package of one notice shows, read from the database in one go."""

    disclosure_id: str
    title: str
    category: str
    status: str
    version: int
    period_start: date | None
    period_end: date | None
    issuer: str
    postings: list[EvidencePosting] = field(default_factory=list)
    photos: list[EvidencePhoto] = field(default_factory=list)
    prints: list[EvidencePrint] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)  # 情况说明 recorded for missing evidence


def load_evidence(session, disclosure_id: str) -> EvidenceData:
    """Read a notice's postings, linked photos, kept prints and 情况说明 as plain DTOs."""
    disclosure = session.get(Disclosure, disclosure_id)
    if disclosure is None:
        raise NotFound(f"找不到公示（{disclosure_id}）。")
    rows = session.execute(
        select(Posting, NoticeBoard.name)
        .join(NoticeBoard, Posting.board_id == NoticeBoard.id)
        .where(Posting.disclosure_id == disclosure_id)
        .order_by(Posting.posted_on, NoticeBoard.name)
    ).all()
    postings = [EvidencePosting(p.id, name, p.posted_on, p.planned_end, p.removed_on) for p, name in rows]
    posting_ids = [p.posting_id for p in postings]
    links: list[tuple[Photo, str, str]] = []
    if posting_ids:
        links += [(photo, photo.posting_id, photo.role or "")
                  for photo in session.scalars(select(Photo).where(Photo.posting_id.in_(posting_ids)))]
        links += [(photo, posting_id, role) for photo, posting_id, role in session.execute(
            select(Photo, PhotoLink.posting_id, PhotoLink.role).join(PhotoLink, PhotoLink.photo_id == Photo.id)
            .where(PhotoLink.posting_id.in_(posting_ids))
        ).all()]
    order = {pid: index for index, pid in enumerate(posting_ids)}
    links.sort(key=lambda link: (order[link[1]], link[2], link[0].taken_at or datetime.max, link[0].id))
    photos = [
        EvidencePhoto(
            photo_id=photo.id, posting_id=posting_id, role=role, sha256=photo.sha256, stored_path=photo.stored_path,
            original_name=photo.original_name, taken_at=photo.taken_at, taken_at_offset=photo.taken_at_offset or "",
            gps_lat=photo.gps_lat, gps_lon=photo.gps_lon, device_make=photo.device_make or "",
            device_model=photo.device_model or "", width=photo.width, height=photo.height,
            size_bytes=photo.size_bytes, flags=tuple(photo.flags or ()), qr_text=verification_text(photo.qr, photo.flags),
        )
        for photo, posting_id, role in links
    ]
    prints = [
        EvidencePrint(p.kind, p.pages, p.paper, p.printed_by, p.created_at, p.sha256, p.stored_path)
        for p in session.scalars(
            select(PrintedVersion).where(PrintedVersion.disclosure_id == disclosure_id).order_by(PrintedVersion.created_at)
        )
    ]
    return EvidenceData(
        disclosure_id=disclosure.id, title=disclosure.title, category=disclosure.category, status=disclosure.status,
        version=disclosure.version or 1, period_start=disclosure.period_start, period_end=disclosure.period_end,
        issuer=disclosure.issuer or "", postings=postings, photos=photos, prints=prints,
        exceptions=evidence_exceptions(session, disclosure_id),
    )


def evidence_exceptions(session, disclosure_id: str) -> list[str]:
    """The 情况说明 recorded for this notice's missing evidence, as printable lines.

    Hook onto `core.postings.evidence_exceptions(session, disclosure_id)` (the
    notices area records them); without that function there are none.
    """
    try:
        from zwgk_desktop.core.postings import evidence_exceptions as recorded
    except ImportError:
        return []
    return [exception_line(entry) for entry in recorded(session, disclosure_id) or []]


def exception_line(entry) -> str:
    """One 情况说明 as a line: board (if any), text, who and when — whatever shape the record has."""
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict):
        get = entry.get
    else:
        def get(name, default=None):
            return getattr(entry, name, default)
    text = get("text") or get("reason") or get("note") or get("content") or ""
    board = get("board_name") or ""
    who = get("by_name") or get("recorded_by_name") or get("by") or get("recorded_by") or get("user") or ""
    when = get("created_at") or get("at") or get("recorded_at") or get("on")
    when = when.strftime("%Y-%m-%d") if hasattr(when, "strftime") else (str(when)[:10] if when else "")
    head = f"{board}：" if board else ""
    tail = "（" + "，".join(part for part in (who, when) if part) + "）" if (who or when) else ""
    return f"{head}{text}{tail}"


# --- writing the package -------------------------------------------------------------------


def build_evidence_package(session, config, disclosure_id: str, out_path, as_zip: bool = True, job=None) -> dict:
    """Load and write the evidence package of one notice (see `load_evidence`, `write_evidence_package`)."""
    return write_evidence_package(config, load_evidence(session, disclosure_id), out_path, as_zip=as_zip, job=job)


def write_evidence_package(config, data: EvidenceData, out_path, as_zip: bool = True, job=None) -> dict:
    """Write the package to `out_path` (a .zip, or a new folder when as_zip=False); no database needed."""
    out_path = Path(out_path)
    if not as_zip and out_path.exists() and any(out_path.iterdir()):
        raise InvalidInput(f"输出文件夹 {out_path} 已存在且不为空，请换一个位置。")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".evidence-", dir=out_path.parent))
    try:
        problems: list[dict] = []
        photo_entries = copy_photos(config, data.photos, staging, problems, job)
        print_entries = copy_prints(config, data.prints, staging, problems)
        write_evidence_sheet(config, staging / SHEET_NAME, data, photo_entries, print_entries, problems)
        manifest = write_manifest(staging, data, problems)
        result = {
            "path": str(out_path),
            "files": len(manifest["files"]),
            "photos": len({entry["photo"].sha256 for entry in photo_entries if entry["file"]}),
            "prints": len(print_entries),
            "postings": len(data.postings),
            "problems": problems,
        }
        if as_zip:
            result["sha256"] = zip_folder_atomically(staging, out_path)
        else:
            if out_path.exists():
                out_path.rmdir()
            os.replace(staging, out_path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def copy_photos(config, photos, staging: Path, problems: list, job) -> list[dict]:
    """Copy each linked original into photos/, byte for byte (once per photo); note missing or altered ones."""
    (staging / "photos").mkdir()
    entries, copied = [], {}
    for index, photo in enumerate(photos, start=1):
        if job is not None:
            job.check()
            job.progress(index - 1, len(photos), "正在收集照片原图…")
        entry = {"photo": photo, "file": None}
        if photo.sha256 in copied:
            entry["file"] = copied[photo.sha256]
            entries.append(entry)
            continue
        source = absolute_stored_path(config, photo.stored_path)
        name = f"photos/{index:02d}-{photo.role or 'photo'}-{photo.sha256[:12]}{source.suffix}"
        if not source.is_file():
            problems.append({"code": "missing", "sha256": photo.sha256, "message": f"照片原图缺失：{photo.original_name}"})
        else:
            shutil.copyfile(source, staging / name)
            entry["file"] = copied[photo.sha256] = name
            if hash_file(staging / name) != photo.sha256:
                problems.append(
                    {"code": "modified", "sha256": photo.sha256, "message": f"照片原图与导入时的哈希值不符：{photo.original_name}"}
                )
        entries.append(entry)
    return entries


def resolve_print_file(config, stored_path: str) -> Path | None:
    """A PrintedVersion's kept PDF: absolute, or relative to the archive/prints/data dir."""
    if not stored_path:
        return None
    candidate = Path(stored_path)
    options = [candidate] if candidate.is_absolute() else [
        config.archive_dir / candidate, config.prints_dir / candidate, config.data_dir / candidate
    ]
    return next((option for option in options if option.is_file()), None)


def copy_prints(config, prints, staging: Path, problems: list) -> list[dict]:
    (staging / "prints").mkdir()
    entries = []
    for index, printed in enumerate(prints, start=1):
        source = resolve_print_file(config, printed.stored_path)
        if source is None:
            if printed.stored_path:
                problems.append({"code": "print_missing", "sha256": printed.sha256,
                                 "message": f"打印留存文件缺失：{printed.stored_path}"})
            continue
        name = f"prints/{index:02d}-{printed.kind}-{printed.sha256[:12]}.pdf"
        shutil.copyfile(source, staging / name)
        if hash_file(staging / name) != printed.sha256:
            problems.append({"code": "print_modified", "sha256": printed.sha256,
                             "message": f"打印留存文件与打印时的哈希值不符：{source.name}"})
        entries.append({"printed": printed, "file": name})
    return entries


def write_manifest(staging: Path, data: EvidenceData, problems: list) -> dict:
    files = []
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        files.append({"path": path.relative_to(staging).as_posix(), "sha256": hash_file(path),
                      "size": path.stat().st_size})
    manifest = {
        "kind": "zwgk-evidence-package",
        "version": 1,
        "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "disclosure": {"id": data.disclosure_id, "title": data.title, "category": data.category,
                       "version": data.version, "status": data.status},
        "files": files,
        "problems": problems,
    }
    (staging / MANIFEST_NAME).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def zip_folder_atomically(folder: Path, out_path: Path) -> str:
    """Zip a folder to a temp file beside `out_path`, then rename; returns the zip's SHA-256."""
    tmp = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w") as archive:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                arcname = path.relative_to(folder).as_posix()
                already_compressed = path.suffix.lower() in (".jpg", ".jpeg", ".png", ".heic", ".heif")
                archive.write(path, arcname, compress_type=zipfile.ZIP_STORED if already_compressed else zipfile.ZIP_DEFLATED)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, out_path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return hash_file(out_path)


# --- the evidence sheet ------------------------------------------------------------------


SYMBOL_FONT_NAME = "HanaMinA"
SYMBOL_FONT_FILE = "HanaMinA.ttf"
"""WenQuanYi Micro Hei has ✔ but not ⚠ (U+26A0); the bundled Hanazono Mincho A draws it."""


def register_pdf_font(config) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, file, index in ((PDF_FONT_NAME, PDF_FONT_FILE, 0), (SYMBOL_FONT_NAME, SYMBOL_FONT_FILE, 0)):
        try:
            pdfmetrics.getFont(name)
        except KeyError:
            pdfmetrics.registerFont(TTFont(name, str(config.fonts_dir / file), subfontIndex=index))
    return PDF_FONT_NAME


def sheet_markup(text: str) -> str:
    """Paragraph markup for a line: escaped, with ⚠ drawn (orange) from the symbol font."""
    from xml.sax.saxutils import escape

    return escape(text).replace("⚠", f'<font name="{SYMBOL_FONT_NAME}" color="#b54708">⚠</font>')


def category_name(code: str) -> str:
    from zwgk_desktop.core.catalogue import get_entry

    try:
        return get_entry(code).name
    except Exception:  # noqa: BLE001 - an unknown or county-added code still prints
        return code


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


def photo_facts(photo: EvidencePhoto, board_name: str | None, file_name: str | None) -> list[str]:
    taken = f"{photo.taken_at:%Y-%m-%d %H:%M:%S} {photo.taken_at_offset}".strip() if photo.taken_at else "无（EXIF 中没有拍摄时间）"
    gps = f"{photo.gps_lat:.6f}, {photo.gps_lon:.6f}" if photo.gps_lat is not None and photo.gps_lon is not None else "无"
    device = " ".join(part for part in (photo.device_make, photo.device_model) if part) or "未知"
    flags = "、".join(FLAG_LABELS.get(flag, flag) for flag in photo.flags) or "无"
    mark = "⚠ " if photo.flags else ""
    lines = [
        f"用途：{ROLE_LABELS.get(photo.role or '', '照片')}　公开栏：{board_name or '—'}",
        f"原文件名：{photo.original_name}",
        f"拍摄时间：{taken}",
        f"GPS：{gps}　设备：{device}",
        f"尺寸：{photo.width}×{photo.height}　大小：{photo.size_bytes:,} 字节",
        f"质量标记：{mark}{flags}",
    ]
    if photo.qr_text:
        lines.append(photo.qr_text)
    lines += [f"SHA-256：{photo.sha256}", f"包内文件：{file_name or '（原图缺失）'}"]
    return lines


def evidence_cell(roles: dict[str, list[EvidencePhoto]], role: str) -> str:
    """✔ 有 (a clear photo), ⚠ 有（有标记） (only flagged ones: never ✔), 缺 (none)."""
    photos = roles.get(role, [])
    if any(not p.flags for p in photos):
        return "✔ 有"
    return "⚠ 有（有标记）" if photos else "缺"


def write_evidence_sheet(config, target: Path, data: EvidenceData, photo_entries, print_entries, problems) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image as PdfImage
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = register_pdf_font(config)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    heading = ParagraphStyle("heading", parent=body, fontSize=12, leading=18, spaceBefore=6, spaceAfter=4)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=24, alignment=1, spaceAfter=8)

    def para(text: str, style=body) -> Paragraph:
        return Paragraph(sheet_markup(text), style)

    grid = TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ])
    story = [
        para("公示留痕证据清单", title),
        para(f"公示标题：{data.title}"),
        para(f"类别：{category_name(data.category)}　状态：{STATUS_LABELS.get(data.status, data.status)}　"
             f"版本：第 {data.version} 版"),
        para(f"公示期：{_date(data.period_start)} 至 {_date(data.period_end)}　发布单位：{data.issuer or '—'}"),
        para(f"生成时间：{datetime.now().strftime('%Y-%m-%d %H:%M')}　（包内每个文件的 SHA-256 见 manifest.json）"),
        para("张贴记录", heading),
    ]
    linked: dict[str, dict[str, list[EvidencePhoto]]] = {}
    for photo in data.photos:
        linked.setdefault(photo.posting_id, {}).setdefault(photo.role, []).append(photo)
    rows = [[para(h) for h in ("公开栏", "张贴日期", "计划期满", "撤除日期", "张贴照", "期满照")]]
    for posting in data.postings:
        roles = linked.get(posting.posting_id, {})
        rows.append([para(posting.board_name), para(_date(posting.posted_on)), para(_date(posting.planned_end)),
                     para(_date(posting.removed_on)), para(evidence_cell(roles, "start")),
                     para(evidence_cell(roles, "end"))])
    if len(rows) == 1:
        rows.append([para("（尚无张贴记录）"), "", "", "", "", ""])
    story.append(Table(rows, colWidths=[44 * mm, 22 * mm, 22 * mm, 22 * mm, 29 * mm, 29 * mm], style=grid, repeatRows=1))
    if data.exceptions:
        story.append(para("情况说明", heading))
        story.extend(para(f"• {line}") for line in data.exceptions)

    boards = {posting.posting_id: posting.board_name for posting in data.postings}
    story.append(para("照片", heading))
    if not photo_entries:
        story.append(para("（没有关联到本公示的照片）"))
    for entry in photo_entries:
        photo = entry["photo"]
        picture = para("（原图缺失）")
        if entry["file"]:
            thumb = thumbnail_path(config, photo.sha256, 256)
            scale = min(55 * mm / max(photo.width, 1), 55 * mm / max(photo.height, 1))
            picture = PdfImage(str(thumb), width=photo.width * scale, height=photo.height * scale)
        facts = [para(line) for line in photo_facts(photo, boards.get(photo.posting_id), entry["file"])]
        story.append(Table([[picture, facts]], colWidths=[60 * mm, 110 * mm], style=grid))
        story.append(Spacer(1, 3 * mm))

    story.append(para("打印留存", heading))
    if not print_entries:
        story.append(para("（没有留存的打印文件）"))
    for entry in print_entries:
        printed = entry["printed"]
        story.append(para(f"{printed.kind}　{printed.pages} 页　{printed.paper}　打印：{printed.printed_by or '—'}　"
                          f"{_date(printed.created_at)}　SHA-256：{printed.sha256}　包内文件：{entry['file']}"))
    if problems:
        story.append(para("发现的问题", heading))
        story.extend(para(f"• {problem['message']}") for problem in problems)
    doc = SimpleDocTemplate(str(target), pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                            topMargin=16 * mm, bottomMargin=16 * mm, title="公示留痕证据清单",
                            author=data.issuer or "", invariant=1)
    doc.build(story)
