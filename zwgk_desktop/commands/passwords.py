"""Backup passwords on the command line: from an environment variable (`--password-env VAR`) or typed at a prompt.

Never from an argument (it would sit in the shell history and the process
list). Without a terminal and without `--password-env`, a command that needs
a password fails with `password_required` instead of hanging.
"""

from __future__ import annotations

import getpass
import os
import sys

from zwgk_desktop.errors import InvalidInput, ZwgkError


def password_args(parser, *, creating: bool = False) -> None:
    parser.add_argument("--password-env", metavar="VAR",
                        help="从该环境变量读取备份密码（加密备份用；不要把密码直接写在命令行上）")
    if creating:
        parser.add_argument("--encrypt", action="store_true",
                            help="生成加密备份（单个 .zwgkenc 文件，适合存到U盘），密码在提示时输入")


def password_from(args, *, creating: bool = False, needed: bool = False) -> str | None:
    """The password the arguments ask for: the variable's value, a prompt (twice when creating), or None."""
    name = getattr(args, "password_env", None)
    if name:
        value = os.environ.get(name)
        if not value:
            raise InvalidInput(f"环境变量 {name} 没有设置或为空，无法读取备份密码。", code="password_required")
        return value
    if not (getattr(args, "encrypt", False) or needed):
        return None
    if not sys.stdin.isatty():
        raise ZwgkError("需要备份密码：请用 --password-env 变量名 提供，或在终端中运行以便输入。", code="password_required")
    first = getpass.getpass("备份密码：")
    if creating:
        if getpass.getpass("再输入一次：") != first:
            raise InvalidInput("两次输入的密码不一致，没有生成备份。", code="password_mismatch")
    return first
