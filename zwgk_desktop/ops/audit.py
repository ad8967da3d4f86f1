"""Verify the audit log: the chain itself, the signed head file beside the database, and the county's witness.

`verify_audit` walks the chain (`core.audit.verify_chain`) and holds it to
every witness it can get: the head file (signed with the install key; a
head file that fails its signature is itself a finding), and — when this
install is enrolled and the county answers within a few seconds — the
furthest head the county has seen. The county holds no key, so even someone
with the whole data dir cannot rewrite what it witnessed. Offline, the
county's part is skipped with a note (not a failure).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from zwgk_desktop.core.audit import REWRITTEN, ChainReport, Witness, read_anchor, verify_chain
from zwgk_desktop.core.users import Actor
from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.ops.base import read_session, reads

COUNTY_TIMEOUT_S = 8.0


@dataclass
class AuditReport(ChainReport):
    """What `audit verify` prints: the chain's verdict (`core.audit.ChainReport`) and the checks around it."""

    anchor: str = ""  # ok | missing | invalid | foreign
    county: str = ""  # ok | not_enrolled | unreachable | none | skipped
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return asdict(self)


def county_witness(db, *, http=None) -> tuple[Witness | None, str, str | None]:
    """(the county's witness of our chain, status, a note) — never raises: offline is not a finding."""
    from zwgk_desktop.services.sync.client import CountyClient, load_token

    config = db.config
    token = load_token(config)
    if not token or not config.settings.county_url:
        return None, "not_enrolled", None
    try:
        with CountyClient(config.settings.county_url, token, ca_file=config.settings.county_ca_file,
                          timeout=min(COUNTY_TIMEOUT_S, config.settings.http_timeout_s or COUNTY_TIMEOUT_S),
                          http=http) as client:
            head = client.audit_head()
    except ZwgkError as exc:
        return None, "unreachable", f"未能向县级平台核对（{exc.message}），本次只核对了本机的链头记录。"
    if not head:
        return None, "none", "县级平台尚无本乡镇审计日志的见证（同步一次后即有）。"
    try:
        witness = Witness("county", int(head["seq"]), str(head["hash"]), head.get("at"))
    except (KeyError, TypeError, ValueError):
        return None, "unreachable", "县级平台返回的见证格式不对，未能核对。"
    return witness, "ok", None


@reads
def verify_audit(db, actor: Actor, *, county: bool = True, http=None, job=None) -> AuditReport:
    """Check the chain against the head file and (when reachable) the county's witness; `ok` False on any finding."""
    key = db.install_key
    anchor = read_anchor(db.config.data_dir, key)
    witnesses: list[Witness] = []
    notes: list[str] = []
    if anchor.witness is not None:
        witnesses.append(anchor.witness)
    elif anchor.status in ("missing", "foreign"):
        notes.append(anchor.message)
    county_status = "skipped"
    if county:
        witness, county_status, note = county_witness(db, http=http)
        if witness is not None:
            witnesses.append(witness)
        if note:
            notes.append(note)
    with read_session(db, actor) as session:
        chain: ChainReport = verify_chain(session, key=key, witnesses=witnesses)
        if anchor.status == "missing" and chain.head is None:
            notes.remove(anchor.message)  # an empty log has nothing to anchor yet
    report = AuditReport(**asdict(chain), anchor=anchor.status, county=county_status, notes=notes)
    if report.ok and anchor.status == "invalid":
        report.ok, report.code, report.first_broken = False, REWRITTEN, None
        report.message = (f"{anchor.message}日志本身的链接完好，但本机链头记录被人改动过，无法确认日志未被截短或重写。"
                          "请保留现场并联系县政务公开办核对。")
    return report
