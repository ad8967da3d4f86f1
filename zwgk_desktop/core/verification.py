"""核验码: the short code printed under a poster's QR that names the exact notice version (and board).

A code is derived from (township, notice, version, board or village part),
so every print of the same artefact carries the same code and another
township's codes never resolve here. It is 8 Crockford base-32 characters
shown as "ABCD-EFGH" (no I, L, O, U: nothing to misread on a phone photo or
over the phone). Each code printed is recorded in `VerificationCode` so the
app, the kiosk and the county (it is synced) can resolve it.

What the QR holds:
- enrolled with a county: the county's public verification page,
  `<county_url>/v/<CODE>` — a villager's phone opens it;
- otherwise `ZWGK:<CODE>` — the kiosk's 核验 lookup and `photos import` read it.
Old posters (before 核验码) carry `ZWGK|<notice id>|v<version>|<digest>`;
`parse_qr_payload` still understands them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from zwgk_desktop.core.status import Status

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32
CODE_LENGTH = 8
PLAIN_PREFIX = "ZWGK:"
URL_PATH = "/v/"
_CODE_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}-?[0-9A-HJKMNP-TV-Z]{4}$")
_LEGACY_RE = re.compile(r"^ZWGK\|([0-9a-f-]{36})\|v(\d+)\|")
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})


def verification_code(township_id: str, disclosure_id: str, version: int, board_id: str | None = None,
                      village: str | None = None) -> str:
    """The normalised 8-character code (no dash) of one printed artefact."""
    key = "|".join([township_id, disclosure_id, str(version), board_id or "", village or ""])
    number = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:5], "big")
    chars = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, 32)
        chars.append(ALPHABET[index])
    return "".join(reversed(chars))


def display_code(code: str) -> str:
    """'ABCDEFGH' → 'ABCD-EFGH' (how it is printed and read out)."""
    code = normalise_code(code) or code
    return f"{code[:4]}-{code[4:]}"


def normalise_code(text: str) -> str | None:
    """A typed or scanned code in canonical form (upper case, no dash, I/L→1, O→0), or None if it isn't one."""
    cleaned = re.sub(r"[\s\-–—]", "", (text or "").strip().upper()).translate(_READ_AS)
    return cleaned if _CODE_RE.match(cleaned) else None


def qr_payload(code: str, county_url: str | None = None) -> str:
    """What the poster's QR encodes (see the module doc)."""
    code = normalise_code(code) or code
    if county_url:
        return county_url.rstrip("/") + URL_PATH + code
    return PLAIN_PREFIX + code


@dataclass(frozen=True)
class QrReference:
    """What a decoded QR names: a 核验码, or (old posters) a notice id and version."""

    code: str | None = None
    disclosure_id: str | None = None
    version: int | None = None
    url_base: str | None = None  # the county address a URL payload pointed at


def parse_qr_payload(text: str) -> QrReference | None:
    """The reference inside a decoded QR text, or None for a QR that is not one of ours."""
    text = (text or "").strip()
    legacy = _LEGACY_RE.match(text)
    if legacy:
        return QrReference(disclosure_id=legacy.group(1), version=int(legacy.group(2)))
    if text.upper().startswith(PLAIN_PREFIX):
        code = normalise_code(text[len(PLAIN_PREFIX):])
        return QrReference(code=code) if code else None
    if URL_PATH in text and text.lower().startswith(("http://", "https://")):
        base, _, tail = text.rpartition(URL_PATH)
        code = normalise_code(tail.split("?")[0].split("#")[0])
        return QrReference(code=code, url_base=base) if code else None
    return None


# --- recording and resolving (database) ------------------------------------------------------

STATE_CURRENT = "current"
STATE_SUPERSEDED = "superseded"
STATE_WITHDRAWN = "withdrawn"
STATE_FOREIGN = "foreign"
STATE_LABELS = {
    STATE_CURRENT: "此公示为真实有效版本",
    STATE_SUPERSEDED: "此版本已被更正",
    STATE_WITHDRAWN: "此公示已撤回",
    STATE_FOREIGN: "非本乡镇公示或核验码无效",
}


@dataclass(frozen=True)
class Resolution:
    """What a 核验码 (or an old poster's id + version) names, and whether that version is still current."""

    code: str | None
    disclosure_id: str | None
    version: int | None
    board_id: str | None
    village_name: str
    state: str  # current | superseded | withdrawn | foreign
    superseded_by_version: int | None = None
    title: str = ""

    @property
    def state_label(self) -> str:
        if self.state == STATE_SUPERSEDED and self.superseded_by_version:
            return f"此版本已被第{self.superseded_by_version}版更正"
        return STATE_LABELS[self.state]

    def as_json(self) -> dict:
        return {
            "code": self.code, "disclosure_id": self.disclosure_id, "version": self.version,
            "board_id": self.board_id, "village_name": self.village_name, "state": self.state,
            "state_label": self.state_label, "superseded_by_version": self.superseded_by_version, "title": self.title,
        }


def record_code(session, township_id: str, disclosure_id: str, version: int, board_id: str | None = None,
                village_name: str = "") -> str:
    """The code for this artefact, recorded once in `VerificationCode` (printing calls this)."""
    from sqlalchemy import select

    from zwgk_desktop.core.models import VerificationCode

    code = verification_code(township_id, disclosure_id, version, board_id, village_name or None)
    exists = session.execute(select(VerificationCode.id).where(VerificationCode.code == code)).scalar()
    if exists is None:
        session.add(VerificationCode(code=code, township_id=township_id, disclosure_id=disclosure_id,
                                     version=version, board_id=board_id, village_name=village_name or ""))
        session.flush()
    return code


def resolve(session, reference: QrReference | str) -> Resolution:
    """Resolve a decoded QR reference or a typed code against this township's records."""
    from sqlalchemy import select

    from zwgk_desktop.core.models import Disclosure, VerificationCode

    if isinstance(reference, str):
        code = normalise_code(reference)
        reference = QrReference(code=code) if code else QrReference()
    board_id, village = None, ""
    if reference.code:
        row = session.execute(select(VerificationCode).where(VerificationCode.code == reference.code)).scalar()
        if row is None:
            return Resolution(reference.code, None, None, None, "", STATE_FOREIGN)
        disclosure_id, version, board_id, village = row.disclosure_id, row.version, row.board_id, row.village_name
    elif reference.disclosure_id:
        disclosure_id, version = reference.disclosure_id, reference.version
    else:
        return Resolution(None, None, None, None, "", STATE_FOREIGN)
    notice = session.get(Disclosure, disclosure_id)
    if notice is None:
        return Resolution(reference.code, disclosure_id, version, board_id, village, STATE_FOREIGN)
    newer = session.execute(
        select(Disclosure.version).where(Disclosure.replaces_id == notice.id)
    ).scalar()
    if newer is not None:
        state = STATE_SUPERSEDED
    elif notice.status == Status.WITHDRAWN:
        state = STATE_WITHDRAWN
    else:
        state = STATE_CURRENT
    return Resolution(reference.code, notice.id, notice.version if version is None else version, board_id, village,
                      state, superseded_by_version=newer, title=notice.title)
