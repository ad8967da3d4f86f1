"""Reading the poster's QR code in a photo (zxing-cpp) and resolving what it names.

Reading is pure and runs in the import's worker pool: `read_qr_texts(grey)`
looks for QR codes in the grey analysis image the probe already decoded
(JPEG draft scale, about 1000 px wide, so it costs a millisecond or two);
`read_qr_full(data, budget)` decodes the photo again at full resolution
(grey only, within the pixel budget) for a poster too small in the frame for
the draft — the importer asks for it only when the draft found none and the
photo could show a posted notice (see `importer`). Payloads are parsed with
`core.verification.parse_qr_payload` (plain `ZWGK:CODE`, the county URL
`<county>/v/CODE`, old posters' `ZWGK|<id>|v<n>|…`); anything else is ignored.

Resolving needs the database: `resolve_findings(session, texts)` turns the
texts into `QrFinding`s (notice, version, board, state current / superseded
/ withdrawn / foreign), one per distinct reference.
"""

from __future__ import annotations

import io
import math
from dataclasses import asdict, dataclass

from PIL import Image

MAX_TEXT = 300
FULL_PASS_MAX_PIXELS = 50_000_000
"""The full-resolution pass decodes at most this many pixels (a larger JPEG at the DCT
scale that fits; other formats are skipped): phone photos are 12–50 MP."""

_zxing = None


def _reader():
    global _zxing
    if _zxing is None:
        import zxingcpp

        _zxing = zxingcpp
    return _zxing


def read_qr_texts(grey: Image.Image, *, thorough: bool = False) -> list[str]:
    """The texts of the QR codes zxing-cpp finds in a grey image (duplicates removed, order kept)."""
    return read_qr(grey, thorough=thorough)[0]


def read_qr(grey: Image.Image, *, thorough: bool = False) -> tuple[list[str], float]:
    """(texts of the QR codes found, the smallest module size in pixels among them — inf when none).

    Printed posters are dark on light and a QR reads in any orientation, so
    inverted and rotated retries are skipped; `thorough` adds zxing's
    downscaled retries (measured here: they double the time on a 12-MP photo
    and found nothing the plain full-resolution pass missed, so the importer
    doesn't ask for them). A code read with small modules means another
    poster of the same size in the photo may have been missed (the importer
    then looks again at full resolution).
    """
    zx = _reader()
    try:
        found = zx.read_barcodes(
            grey, formats=zx.BarcodeFormat.QRCode, try_rotate=False, try_invert=False, try_downscale=thorough,
        )
    except Exception:  # noqa: BLE001 - a decoder hiccup must never fail an import
        return [], math.inf
    texts, smallest = [], math.inf
    for barcode in found:
        text = (barcode.text or "").strip()[:MAX_TEXT]
        if text and text not in texts:
            texts.append(text)
        smallest = min(smallest, module_pixels(barcode))
    return texts, smallest


def module_pixels(barcode) -> float:
    """Side of one QR module in pixels, from the symbol's corners and version (inf when unknown)."""
    try:
        version = int((barcode.extra or {}).get("Version", 0))
        corners = barcode.position
        a, b, d = corners.top_left, corners.top_right, corners.bottom_left
        side = (math.dist((a.x, a.y), (b.x, b.y)) + math.dist((a.x, a.y), (d.x, d.y))) / 2
        return side / (4 * version + 17) if version > 0 else math.inf
    except Exception:  # noqa: BLE001 - an older zxing-cpp without these fields
        return math.inf


SMALL_MODULE_PIXELS = 3.0
"""A code read in the draft with modules smaller than this: a poster of the same size next to
it may have been missed, so the photo is read again at full resolution."""


def full_pass_size(width: int, height: int) -> tuple[int, int] | None:
    """The draft size for the full pass of a JPEG of width×height (None: decode as is)."""
    if width * height <= FULL_PASS_MAX_PIXELS:
        return None
    ratio = math.sqrt(FULL_PASS_MAX_PIXELS / (width * height))
    return max(1, int(width * ratio)), max(1, int(height * ratio))


def read_qr_full(data: bytes, budget=None) -> list[str]:
    """Decode the photo again at full resolution (grey) and look for QR codes there.

    Only JPEG (and MPO) are decoded again — other formats were decoded fully
    by the probe and are too costly to hold twice. A corrupt file yields [].
    """
    from zwgk_desktop.services.photos.budget import NO_BUDGET, image_cost
    from zwgk_desktop.services.photos.probe import set_decoder_block

    budget = budget or NO_BUDGET
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "MPO"):
                return []
            set_decoder_block(image, len(data))
            size = full_pass_size(*image.size)
            image.draft("L", size or image.size)
            cost = len(data) + image_cost(*image.size, image.mode, converted=image.mode != "L")
            with budget.reserve(cost):
                grey = image.convert("L") if image.mode != "L" else image
                grey.load()
                return read_qr_texts(grey)
    except Exception:  # noqa: BLE001 - the probe already judged the file; a second look may only add codes
        return []


# --- resolving (database) ---------------------------------------------------------------------

STATE_FOREIGN = "foreign"


@dataclass
class QrFinding:
    """One QR reference found in a photo and what it resolves to.

    `board_id` is the board the code names (None when the poster was printed
    for the whole township or is an old poster without one).
    `wrong_version` is set by the importer for an old version photographed
    after its correction went up; `seen_board_id` is the board it was seen on
    when the code does not say (for the stale-poster to-do).
    """

    text: str
    code: str | None
    disclosure_id: str | None
    version: int | None
    board_id: str | None
    state: str
    title: str = ""
    superseded_by_version: int | None = None
    wrong_version: bool = False
    seen_board_id: str | None = None

    @property
    def foreign(self) -> bool:
        return self.state == STATE_FOREIGN

    def key(self) -> tuple:
        return (self.disclosure_id, self.version, self.board_id) if not self.foreign else ("foreign", self.text)

    def as_record(self) -> dict:
        """What `Photo.qr` stores."""
        return asdict(self)

    def as_json(self) -> dict:
        """The contract fields of `photos import --json` (`qr: [{disclosure_id, version, board_id, state}]`)."""
        return {"disclosure_id": self.disclosure_id, "version": self.version, "board_id": self.board_id,
                "state": self.state, "code": self.code, "wrong_version": self.wrong_version}


def resolve_findings(session, texts) -> list[QrFinding]:
    """Parse and resolve QR texts: ours resolve to a notice version, unknown codes are `foreign`,
    texts that are not our payloads are ignored; one finding per distinct reference."""
    from zwgk_desktop.core.verification import parse_qr_payload, resolve

    findings: list[QrFinding] = []
    keys = set()
    for text in texts:
        reference = parse_qr_payload(text)
        if reference is None:
            continue
        resolution = resolve(session, reference)
        finding = QrFinding(
            text=text[:MAX_TEXT], code=resolution.code, disclosure_id=resolution.disclosure_id,
            version=resolution.version, board_id=resolution.board_id, state=resolution.state,
            title=resolution.title, superseded_by_version=resolution.superseded_by_version,
        )
        if finding.foreign:
            finding.disclosure_id = finding.version = finding.board_id = None
        if finding.key() in keys:
            continue
        keys.add(finding.key())
        findings.append(finding)
    return findings


def finding_from_record(record: dict) -> QrFinding:
    fields = QrFinding.__dataclass_fields__
    return QrFinding(**{k: v for k, v in record.items() if k in fields})


def short_title(title: str, limit: int = 14) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def verification_text(records, flags=()) -> str:
    """"照片中二维码核验：第2版 ✔" for a photo's stored QR findings ("" without any).

    ⚠ instead of ✔ for a foreign code, an old version still posted, or any
    photo with a quality flag (a flagged photo never shows ✔)."""
    findings = [finding_from_record(r) for r in records or [] if isinstance(r, dict)]
    if not findings:
        return ""
    parts = []
    for finding in findings:
        name = f"《{short_title(finding.title)}》" if len(findings) > 1 and finding.title else ""
        if finding.foreign:
            parts.append("⚠ 非本乡镇公示或核验码无效")
        elif finding.wrong_version:
            newer = f"，已被第{finding.superseded_by_version}版更正" if finding.superseded_by_version else "，已撤回"
            parts.append(f"{name}第{finding.version}版 ⚠ 旧版本仍在张贴{newer}")
        elif flags:  # a flagged photo is never shown as ✔ (issue 13): the flag is the reason
            parts.append(f"{name}第{finding.version}版 ⚠")
        else:
            parts.append(f"{name}第{finding.version}版 ✔")
    return "照片中二维码核验：" + "；".join(parts)
