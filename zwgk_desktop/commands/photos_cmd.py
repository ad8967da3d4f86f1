"""Commands `photos import`, `photos verify`, `photos link`, `photos unlink`, `photos suggest` and `photos package`.

Each parses its arguments, runs one op of `zwgk_desktop.ops.photos` as the
command's actor and returns the op's JSON; `photos verify` ends with exit 1
(`Finished`) when it finds a missing or modified original.
"""

from __future__ import annotations

from zwgk_desktop.cli import HUMAN_KEY, Finished, json_flag


def register(sub) -> None:
    photos = sub.add_parser("photos", help="留痕照片档案")
    psub = photos.add_subparsers(dest="photos_command", required=True, metavar="ACTION")

    imp = json_flag(psub.add_parser("import", help="导入照片（文件或文件夹，含子文件夹）；照片中的公示二维码自动关联张贴记录"))
    imp.add_argument("paths", nargs="+", metavar="PATH", help="照片文件或文件夹")
    imp.add_argument("--posting", help="把照片关联到该张贴记录（ID）")
    imp.add_argument("--role", choices=("start", "end"), help="照片用途：start 张贴照，end 期满照（默认按拍摄时间判断）")
    imp.set_defaults(handler=run_import)

    verify = json_flag(psub.add_parser("verify", help="重新计算哈希，校验照片档案（发现缺失或改动时退出码为 1）"))
    verify.set_defaults(handler=run_verify)

    link = json_flag(psub.add_parser("link", help="把照片关联到张贴记录"))
    link.add_argument("photo_id", metavar="PHOTO_ID")
    link.add_argument("posting_id", metavar="POSTING_ID", help="张贴记录 ID；用 none 取消全部关联")
    link.add_argument("--role", choices=("start", "end"), help="照片用途（默认按拍摄时间判断）")
    link.set_defaults(handler=run_link)

    unlink = json_flag(psub.add_parser("unlink", help="取消照片与某张贴记录的关联"))
    unlink.add_argument("photo_id", metavar="PHOTO_ID")
    unlink.add_argument("posting_id", metavar="POSTING_ID")
    unlink.set_defaults(handler=run_unlink)

    suggest = json_flag(psub.add_parser("suggest", help="按照片中的二维码、拍摄位置、文件名和时间推荐对应的张贴记录"))
    suggest.add_argument("photo_id", metavar="PHOTO_ID")
    suggest.set_defaults(handler=run_suggest)

    package = json_flag(psub.add_parser("package", help="导出一条公示的留痕证据包"))
    package.add_argument("disclosure_id", metavar="DISCLOSURE_ID")
    package.add_argument("-o", "--output", required=True, metavar="OUT.zip", help="输出文件（.zip）或文件夹（配合 --dir）")
    package.add_argument("--dir", action="store_true", help="输出为文件夹而不是 zip")
    package.set_defaults(handler=run_package)


def run_import(args, ctx) -> dict:
    import gc

    from zwgk_desktop.services.photos.importer import start_probing

    # Both cores start decoding before SQLAlchemy and the models are even imported (the operations
    # layer and the database opener import them); the op gets the opener, not the database, and adopts
    # the started batch. The cyclic collector is held off until the database is open and then told that
    # everything loaded so far is permanent (it spent ~3% of the import's CPU walking the modules).
    def open_database():
        try:
            return ctx.database()
        finally:
            gc.freeze()
            gc.enable()

    gc.disable()
    try:
        started = start_probing(ctx.config, args.paths)
        from zwgk_desktop.ops.photos import import_photos

        result = import_photos(open_database, ctx.actor, ctx.config, args.paths, posting_id=args.posting,
                               role=args.role, started=started)
    finally:
        gc.enable()
    report = result.as_json()
    linked = sum(1 for item in report["imported"] if item["linked"])
    lines = [f"已导入 {len(report['imported'])} 张照片（按二维码自动关联 {linked} 张），拒收 {len(report['rejected'])} 张。"]
    for item in report["imported"]:
        if item["flags"]:
            lines.append(f"  注意 {item['path']}：{'、'.join(item['flags'])}")
    lines.extend(f"  拒收 {item['path']}：{item['message']}" for item in report["rejected"])
    report[HUMAN_KEY] = "\n".join(lines)
    return report


def run_verify(args, ctx):
    import gc

    from zwgk_desktop.services.photos.archive import start_hashing

    gc.disable()  # as in run_import: no collections while the layers load
    started = start_hashing(ctx.config)  # both cores hash while the database layer loads
    from zwgk_desktop.ops.photos import verify_archive

    gc.freeze()
    gc.enable()

    check = ctx.run(verify_archive, ctx.config, started=started)
    result = check.as_json()
    summary = f"已校验 {result['checked']} 张照片：缺失 {result['missing']} 张，被改动 {result['modified']} 张。"
    result[HUMAN_KEY] = "\n".join([summary, *(f"  {p['message']}" for p in result["problems"])])
    return result if check.ok else Finished(result, 1)


def _mismatch_days(ctx) -> int:
    return ctx.config.settings.photo_time_mismatch_days


def _link_json(result) -> dict:
    card = result.card
    return {"photo_id": card.id, "posting_id": card.posting_id, "role": card.role, "flags": list(card.flags),
            "other_links": list(card.other_links)}


def run_link(args, ctx) -> dict:
    from zwgk_desktop.ops.photos import link_photo

    posting_id = None if args.posting_id.lower() == "none" else args.posting_id
    return _link_json(ctx.run(link_photo, args.photo_id, posting_id, args.role, mismatch_days=_mismatch_days(ctx)))


def run_unlink(args, ctx) -> dict:
    from zwgk_desktop.ops.photos import unlink_posting

    return _link_json(ctx.run(unlink_posting, args.photo_id, args.posting_id, mismatch_days=_mismatch_days(ctx)))


def run_suggest(args, ctx) -> dict:
    from zwgk_desktop.ops.photos import suggest_postings

    return {"suggestions": ctx.run(suggest_postings, args.photo_id)}


def run_package(args, ctx) -> dict:
    from zwgk_desktop.ops.photos import export_evidence_package

    result = ctx.run(export_evidence_package, ctx.config, args.disclosure_id, args.output, as_zip=not args.dir).as_json()
    result[HUMAN_KEY] = (
        f"证据包已生成：{result['path']}（照片 {result['photos']} 张，打印件 {result['prints']} 份，"
        f"共 {result['files']} 个文件）" + "".join(f"\n  问题：{p['message']}" for p in result["problems"])
    )
    return result
