"""`zwgk verify CODE`: what a poster's 核验码 (or a scanned QR text) names, and whether that version is valid.

Exit 0 for the current version of a notice; exit 1 (a finding, JSON still
printed) for a superseded or withdrawn version or a code unknown here.
"""

from __future__ import annotations

import argparse

from zwgk_desktop.cli import Finished, json_flag


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("verify", help="核验海报上的核验码（或扫描二维码得到的文字）")
    parser.add_argument("code", metavar="CODE", help="核验码，如 ABCD-EFGH；或二维码内容")
    json_flag(parser)
    parser.set_defaults(handler=handle_verify)


def handle_verify(args: argparse.Namespace, ctx):
    from zwgk_desktop.ops.verification import verify_code

    answer = ctx.run(verify_code, args.code)
    data = answer.as_json()
    lines = [answer.state_label]
    if answer.found:
        lines += [f"{answer.township} · {answer.title}（第{answer.version}版）", answer.period_text]
        if answer.board_name or answer.village_name:
            lines.append(f"张贴位置：{answer.board_name or answer.village_name}")
    data["_human"] = "\n".join(line for line in lines if line)
    return data if answer.genuine else Finished(data, 1)
