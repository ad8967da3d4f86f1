"""The statuses of a notice and the named sets every screen, report and check uses.

草稿 draft → 待审核 pending_review → 已审核 approved → 公示中 publishing →
期满 expired → 已归档 archived; and 已撤回 withdrawn. One definition here:
a "published" or "printable" notice means the same thing on the poster,
the statistics, the kiosk, the 明白卡 and the county page. The database
holds the values as text with a CHECK constraint built from `Status`.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    PUBLISHING = "publishing"
    EXPIRED = "expired"
    ARCHIVED = "archived"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[str, str] = {
    Status.DRAFT: "草稿",
    Status.PENDING_REVIEW: "待审核",
    Status.APPROVED: "已审核",
    Status.PUBLISHING: "公示中",
    Status.EXPIRED: "期满",
    Status.ARCHIVED: "已归档",
    Status.WITHDRAWN: "已撤回",
}

# What the public saw: posted at some point and not replaced before posting.
PUBLISHED = frozenset({Status.PUBLISHING, Status.EXPIRED, Status.ARCHIVED})
# Approved content that may be printed as a poster.
PRINTABLE = frozenset({Status.APPROVED, Status.PUBLISHING, Status.EXPIRED, Status.ARCHIVED})
# May go up on (another) board.
POSTABLE = frozenset({Status.APPROVED, Status.PUBLISHING})
# The 公示 is running: objections may be received.
OPEN_FOR_OBJECTIONS = frozenset({Status.PUBLISHING})
# Posted and not yet archived: evidence and to-dos still matter.
LIVE = frozenset({Status.PUBLISHING, Status.EXPIRED})
# The period has ended.
CONCLUDED = frozenset({Status.EXPIRED, Status.ARCHIVED})
# Edited in place (everything else needs a return to draft or a correction).
EDITABLE = frozenset({Status.DRAFT})
# A correction (更正, a new version) may start from these.
CORRECTABLE = frozenset({Status.APPROVED, Status.PUBLISHING, Status.EXPIRED})
WITHDRAWABLE = frozenset({Status.DRAFT, Status.PENDING_REVIEW, Status.APPROVED, Status.PUBLISHING})
# No longer current: excluded from duplicate checks against live rosters.
INACTIVE = frozenset({Status.WITHDRAWN, Status.ARCHIVED})


def status_label(status: str) -> str:
    """The Chinese name of a status ('publishing' → 公示中); unknown values are shown as they are."""
    return STATUS_LABELS.get(status, status)


# What the public reads about a notice (kiosk, county page, verification): whether the 公示 is running or
# over, never internal steps such as 已归档. One wording for every public surface.
PUBLIC_STATUS_LABELS: dict[str, str] = {
    Status.PUBLISHING: "公示中",
    Status.EXPIRED: "公示期满",
    Status.ARCHIVED: "公示期满",
    Status.WITHDRAWN: "已撤回",
}
NOT_YET_PUBLIC_LABEL = "尚未公示"


def public_status_label(status: str) -> str:
    """The public's word for a status: 公示中, 公示期满 (also once archived), 已撤回, else 尚未公示."""
    return PUBLIC_STATUS_LABELS.get(status, NOT_YET_PUBLIC_LABEL)


def check_constraint_sql(column: str = "status") -> str:
    """The SQL CHECK that keeps the database to these values (used by the migration)."""
    values = ", ".join(f"'{s.value}'" for s in Status)
    return f"{column} IN ({values})"
