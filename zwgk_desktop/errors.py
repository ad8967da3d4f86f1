"""Domain exceptions carrying a stable code and a user-facing Chinese message.

Every error a user can cause is a `ZwgkError`: the CLI prints its code and
message as JSON and exits 1, the UI shows the message in a dialog. Anything
else escaping is a bug.
"""

from __future__ import annotations


class ZwgkError(Exception):
    """A user-facing failure: `code` is stable for scripts, `message` is Chinese for people."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None, detail: dict | None = None, result: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.detail = detail or {}
        self.result = result or {}

    def as_json(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.detail:
            data["detail"] = self.detail
        return data


class DataDirError(ZwgkError):
    code = "data_dir"


class DatabaseError(ZwgkError):
    code = "database"


class DatabaseTooNew(DatabaseError):
    code = "database_too_new"


class DatabaseCorrupt(DatabaseError):
    code = "database_corrupt"


class NotFound(ZwgkError):
    code = "not_found"


class InvalidInput(ZwgkError):
    code = "invalid_input"


class UnknownCategory(InvalidInput):
    code = "unknown_category"


class NotAllowed(ZwgkError):
    """The action is not allowed in the current state or for the current user."""

    code = "not_allowed"


class Cancelled(ZwgkError):
    code = "cancelled"

    def __init__(self, message: str = "操作已取消，未写入任何数据。"):
        super().__init__(message)
