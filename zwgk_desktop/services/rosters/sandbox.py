"""Reading a roster file in a child process with memory and time limits, so a hostile file cannot take the app down.

The reader (`reader.read_workbook`) refuses what it can recognise — zip
bombs, sheets too wide or too big to materialise — but it still runs
python-calamine (Rust) on whatever is left, and an allocation failure there
aborts the whole process. So the desktop and the command line read every
roster through `start_read(path)`: a child process applies
`resource.setrlimit` (address space and CPU time, on POSIX) and reads the
file; the parent waits with a wall-clock timeout everywhere (Windows too),
polls the `Job` for a cancel, and gets back the `RawWorkbook` (plain cell
values) or the reader's `RosterFileError`. A child that dies (out of
memory, killed by a limit) or overruns the timeout becomes a Chinese
`RosterFileError` too: `too_many_cells` or `parse_timeout`.

How the child starts: forked where the process is still single-threaded
(the command line reads before it opens the database, so the child costs a
few milliseconds and the parent imports SQLAlchemy while it reads), else a
fresh interpreter via the forkserver (POSIX; the desktop, whose threads make
a plain fork unsafe) or spawn (Windows).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from zwgk_desktop.core.jobs import Job
from zwgk_desktop.errors import Cancelled
from zwgk_desktop.services.rosters.reader import RawWorkbook, RosterFileError, read_workbook

POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Limits:
    """What one read may use: extra address space over the child's own at start, CPU and wall seconds."""

    memory_bytes: int = 1536 * 1024 * 1024
    cpu_seconds: int = 120
    wall_seconds: float = 180.0


DEFAULT_LIMITS = Limits()


def start_method() -> str:
    """fork while this process has one thread and no Qt; else forkserver (POSIX) or spawn."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1 and "PySide6.QtCore" not in sys.modules:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


class PendingRead:
    """A roster file being read in a child process; `result()` waits for the `RawWorkbook`."""

    def __init__(self, path: str | os.PathLike, limits: Limits = DEFAULT_LIMITS, method: str | None = None):
        import multiprocessing

        self.path = Path(path)
        self.limits = limits
        self.method = method or start_method()
        context = multiprocessing.get_context(self.method)
        if self.method == "forkserver":
            context.set_forkserver_preload([__name__])
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_child, args=(sender, str(self.path), limits), daemon=True,
                                        name="zwgk-roster-read")
        self.started = time.monotonic()
        self._process.start()
        sender.close()
        self._outcome: tuple | None = None

    def result(self, job: Job | None = None) -> RawWorkbook:
        """Wait for the child: the workbook, or its `RosterFileError`; `Cancelled` if the job is cancelled."""
        if self._outcome is None:
            self._outcome = self._wait(job or Job())
        kind, payload = self._outcome
        if kind == "ok":
            return payload
        raise payload

    def _wait(self, job: Job) -> tuple:
        deadline = self.started + self.limits.wall_seconds
        try:
            while True:
                if job.cancelled:
                    self._stop()
                    raise Cancelled()
                if self._receiver.poll(POLL_SECONDS):
                    try:
                        message = self._receiver.recv()
                    except (EOFError, OSError):
                        return "error", self._died()
                    self._process.join(5)
                    return _outcome(message, self.path)
                if not self._process.is_alive():
                    if self._receiver.poll(0):
                        continue
                    return "error", self._died()
                if time.monotonic() > deadline:
                    self._stop()
                    return "error", RosterFileError(
                        f"读取文件“{self.path.name}”超过 {int(self.limits.wall_seconds)} 秒仍未完成，已停止。"
                        "文件可能异常庞大或已损坏；请用 Excel 打开确认，只保留花名册工作表后另存再导入。",
                        code="parse_timeout",
                    )
        finally:
            self._receiver.close()

    def _died(self) -> RosterFileError:
        self._process.join(5)
        code = self._process.exitcode
        return RosterFileError(
            f"读取文件“{self.path.name}”时超出了内存或时间上限（读取进程已终止，代码 {code}），已拒绝导入。"
            "文件中的表格范围可能异常庞大（远处有误填的单元格）；请删除多余的行列，或把花名册复制到新工作簿后再导入。",
            code="too_many_cells", detail={"exit_code": code},
        )

    def _stop(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join(5)

    def cancel(self) -> None:
        """Stop the child if it still runs (nothing of it is kept)."""
        if self._outcome is None:
            self._stop()
            self._outcome = ("error", Cancelled())
            self._receiver.close()


def start_read(path: str | os.PathLike, *, limits: Limits = DEFAULT_LIMITS, method: str | None = None) -> PendingRead:
    """Begin reading `path` in a child process (see the module doc)."""
    return PendingRead(path, limits, method)


def pending_read(source: "PendingRead | str | os.PathLike") -> PendingRead:
    """`source` itself when its read has started already, else a read of that path started now."""
    return source if isinstance(source, PendingRead) else start_read(source)


def read_sandboxed(path: str | os.PathLike, job: Job | None = None, *, limits: Limits = DEFAULT_LIMITS) -> RawWorkbook:
    """Read `path` in a child process and wait for it."""
    return start_read(path, limits=limits).result(job)


# --- in the child -----------------------------------------------------------------------------


def _child(sender, path: str, limits: Limits) -> None:
    import python_calamine  # noqa: F401  (loaded before the limits: they are for the file, not the library)

    _apply_limits(limits)
    try:
        message = ("ok", read_workbook(path))
    except RosterFileError as exc:
        message = ("error", exc.code, exc.message, exc.detail)
    except MemoryError:
        message = ("error", "too_many_cells", "", {})
    except BaseException as exc:  # a bug: the parent reports it as one, with the text
        message = ("bug", f"{type(exc).__name__}: {exc}")
    try:
        sender.send(message)
    except MemoryError:
        sender.send(("error", "too_many_cells", "", {}))
    finally:
        sender.close()


def _apply_limits(limits: Limits) -> None:
    try:
        import resource
    except ImportError:  # Windows: the parent's wall-clock timeout is the limit
        return
    vm = _address_space()
    for name, value in (("RLIMIT_AS", vm + limits.memory_bytes if vm else 0), ("RLIMIT_CPU", limits.cpu_seconds)):
        limit = getattr(resource, name, None)
        if limit is None or not value:
            continue
        soft, hard = resource.getrlimit(limit)
        wanted = value if hard == resource.RLIM_INFINITY else min(value, hard)
        try:
            resource.setrlimit(limit, (wanted, hard))
        except (ValueError, OSError):
            pass


def _address_space() -> int:
    """This process's virtual size in bytes (Linux /proc), 0 when unknown."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _outcome(message: tuple, path: Path) -> tuple:
    if message[0] == "ok":
        return message
    if message[0] == "bug":
        return "error", RosterFileError(
            f"读取文件“{path.name}”时程序出错（{message[1]}），未导入任何数据。请把该文件交技术支持排查。",
            code="read_failed",
        )
    _kind, code, text, detail = message
    if not text:  # MemoryError in the child
        text = (f"读取文件“{path.name}”时超出了内存上限，已拒绝导入。请删除多余的行列，"
                "或按村拆分成几个文件后分别导入。")
    return "error", RosterFileError(text, code=code, detail=detail)
