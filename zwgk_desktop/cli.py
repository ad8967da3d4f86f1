"""The command line (see shared docs cli.md): argument parsing, JSON output, exit codes.

Each command lives in a module of `zwgk_desktop.commands` that registers its
sub-parsers; its handler takes `(args, ctx)`, parses what it needs, calls one
op (`ctx.run(ops.area.use_case, ...)`, as `ctx.actor`) and returns a dict, or
`Finished(dict, exit_code)` when the answer is a finding such as a failed
verify. `emit` is the one JSON writer: with `--json` the dict is printed as
exactly one JSON object on stdout (Chinese kept readable); without, a human
summary goes to stdout. A `ZwgkError` becomes exit 1 with
`{"error": {"code", "message"}}`; argparse usage errors exit 2.

Who acts: `--as USERNAME` where a command offers it, else the command-line
administrator "cli" (`SYSTEM_ACTOR`); the audit log and `printed_by` name them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from dataclasses import dataclass, field
from typing import Any

from zwgk_desktop import __version__
from zwgk_desktop.commands import COMMAND_MODULES
from zwgk_desktop.config import Config
from zwgk_desktop.errors import ZwgkError

HUMAN_KEY = "_human"


@dataclass
class Finished:
    """A handler's answer that is printed like any other but ends with `code` (e.g. 1 for a failed verify)."""

    result: dict
    code: int = 1


@dataclass
class CommandContext:
    """What a command handler gets besides its arguments: config, a lazily opened database, the actor."""

    data_dir: str | None
    as_user: str = ""
    _config: Config | None = None
    _database: Any = field(default=None, repr=False)
    _actor: Any = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = Config.load(self.data_dir)
        return self._config

    def database(self, *, upgrade: bool = True, quick_check: bool = True):
        """Open (and by default migrate) the data dir's database once per command; `quick_check=False` for a
        command that checks every page itself anyway (a backup checks its copy)."""
        if self._database is None:
            from zwgk_desktop.core.schema import open_database

            self._database = open_database(self.config, upgrade=upgrade, quick_check=quick_check)
        return self._database

    @property
    def actor(self):
        """Who acts: the `--as` user (must exist), else the command-line administrator "cli"."""
        if self._actor is None:
            from zwgk_desktop.core.users import SYSTEM_ACTOR

            if self.as_user:
                from zwgk_desktop.ops.users import actor_named

                self._actor = actor_named(self.database(), self.as_user)
            else:
                self._actor = SYSTEM_ACTOR
        return self._actor

    def run(self, op, *args, **kwargs):
        """Call one op as this command's actor on this command's database."""
        return op(self.database(), self.actor, *args, **kwargs)

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()
            self._database = None

    @staticmethod
    def say(message: str) -> None:
        """Human progress/info message: always stderr so stdout stays one JSON object."""
        print(message, file=sys.stderr)


GUI_COMMAND_MODULE = "zwgk_desktop.commands.app"


def build_parser(modules: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser with every command (or only those of `modules`: the desktop start needs just `gui`)."""
    parser = argparse.ArgumentParser(
        prog="zwgk", description="乡镇公示栏政务公开桌面系统 (zwgk_desktop)"
    )
    parser.add_argument("--data-dir", help="数据目录（也可用环境变量 ZWGK_DATA_DIR）")
    parser.add_argument("--version", action="version", version=f"zwgk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES if modules is None else modules:
        importlib.import_module(name).register(sub)
    return parser


def command_token(argv: list[str]) -> str | None:
    """The first argument that is not `--data-dir` or its value (the command's name, or an option);
    None when there is none."""
    rest = list(argv)
    while rest:
        token = rest.pop(0)
        if token == "--data-dir":
            if not rest:
                return token
            rest.pop(0)
        elif not token.startswith("--data-dir="):
            return token
    return None


def starts_gui(argv: list[str]) -> bool:
    """Whether `argv` starts the desktop app (`gui`, or no command at all), so the other commands'
    modules (some import ReportLab or the calendar) need not be imported for the parser."""
    return command_token(argv) in (None, "gui")


SINGLE_MODULE_COMMANDS = {
    "photos": "zwgk_desktop.commands.photos_cmd",
    "import": "zwgk_desktop.commands.import_cmd",
    "export": "zwgk_desktop.commands.import_cmd",
    "template": "zwgk_desktop.commands.import_cmd",
}
"""Commands whose whole parser one module builds, so running them imports just that module: building
every command's parser takes ~0.1 s, which `photos import` and `photos verify` would spend before
their pools start, and `import` before its file is read."""


def parser_modules(argv: list[str]) -> list[str] | None:
    """The command modules the parser for `argv` needs (None: all of them)."""
    if starts_gui(argv):
        return [GUI_COMMAND_MODULE]
    module = SINGLE_MODULE_COMMANDS.get(command_token(argv))
    return [module] if module else None


def json_flag(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Give a command parser the standard `--json` switch."""
    parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    return parser


def emit(result: dict, as_json: bool) -> None:
    human = result.pop(HUMAN_KEY, None)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
        return
    if human is not None:
        print(human)
        return
    for key, value in result.items():
        if isinstance(value, (list, dict)):
            value = json.dumps(value, ensure_ascii=False, default=str)
        print(f"{key}: {value}")


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    parser = build_parser(parser_modules(given))
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv or sys.argv[1:]), "gui"])
    ctx = CommandContext(data_dir=args.data_dir, as_user=getattr(args, "as_user", "") or "")
    as_json = bool(getattr(args, "json", False))
    try:
        result = args.handler(args, ctx)
    except ZwgkError as exc:
        if as_json:
            # A command may attach its partial result (e.g. self-test checks) beside the error.
            emit({**exc.result, "error": exc.as_json()}, as_json)
        print(f"错误：{exc.message}", file=sys.stderr)
        return 1
    finally:
        ctx.close()
    if isinstance(result, Finished):
        emit(result.result, as_json)
        return result.code
    emit(result or {}, as_json)
    return 0


def run() -> None:
    """The `zwgk` entry point (and `python -m zwgk_desktop`): `main`, then end the process at once."""
    exit_now(main())


def exit_now(code: int) -> None:
    """End the process as soon as the command is done: its output written, its files and database closed.

    What remains is the interpreter's teardown of hundreds of modules (SQLAlchemy's, PySide6's) and of the
    objects a command built (an import's 20,000 rows): 0.15 s after a roster import here, a fifth of a
    second after the desktop on an old PC (where PySide is also known to crash in it). Logging and the
    output streams are flushed first."""
    import logging
    import os

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(int(code))
