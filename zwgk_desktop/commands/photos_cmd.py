"""Commands `photos import`, `photos verify`, `photos link`, `photos suggest` and `photos package`."""

from __future__ import annotations

from zwgk_desktop.cli import HUMAN_KEY, json_flag


def register(sub) -> None:
    photos = sub.add_parser("photos", help="留痕照片档案")
    psub = photos.add_subparsers(dest="photos_command", required=True, metavar="ACTION")

    imp = json_flag(psub.add_parser("import", help="导入照片（文件或文件夹，含子文件夹）"))
    imp.add_argument("paths", nargs="+", metavar="PATH", help="照片文件或文件夹")
    imp.add_argument("--posting", help="把照片关联到该张贴记录（ID）")
    imp.add_argument("--role", choices=("start", "end"), help="照片用途：start 张贴照，end 期满照（默认按拍摄时间判断）")
    imp.set_defaults(handler=run_import)

    verify = json_flag(psub.add_parser("verify", help="重新计算哈希，校验照片档案"))
    verify.set_defaults(handler=run_verify)

    link = json_flag(psub.add_parser("link", help="把照片关联到张贴记录"))
    link.add_argument("photo_id", metavar="PHOTO_ID")
    link.add_argument("posting_id", metavar="POSTING_ID", help="张贴记录 ID；用 none 取消关联")
    link.add_argument("--role", choices=("start", "end"), help="照片用途（默认按拍摄时间判断）")
    link.set_defaults(handler=run_link)

    suggest = json_flag(psub.add_parser("suggest", help="按拍摄时间和位置推荐照片对应的张贴记录"))
    suggest.add_argument("photo_id", metavar="PHOTO_ID")
    suggest.set_defaults(handler=run_suggest)

    package = json_flag(psub.add_parser("package", help="导出一条公示的留痕证据包"))
    package.add_argument("disclosure_id", metavar="DISCLOSURE_ID")
    package.add_argument("-o", "--output", required=True, metavar="OUT.zip", help="输出文件（.zip）或文件夹（配合 --dir）")
    package.add_argument("--dir", action="store_true", help="输出为文件夹而不是 zip")
    package.set_defaults(handler=run_package)


def run_import(args, ctx) -> dict:
    from zwgk_desktop.services.photos import import_photos

    # The opener, not the database: photos start decoding while the database opens.
    report = import_photos(
        ctx.database, ctx.config, args.paths, posting_id=args.posting, role=args.role, user="cli"
    ).as_dict()
    lines = [f"已导入 {len(report['imported'])} 张照片，拒收 {len(report['rejected'])} 张。"]
    for item in report["imported"]:
        if item["flags"]:
            lines.append(f"  注意 {item['path']}：{'、'.join(item['flags'])}")
    lines.extend(f"  拒收 {item['path']}：{item['message']}" for item in report["rejected"])
    report[HUMAN_KEY] = "\n".join(lines)
    return report


def run_verify(args, ctx) -> dict:
    from zwgk_desktop.services.photos import verify_archive

    with ctx.database().session() as session:
        result = verify_archive(session, ctx.config)
    summary = f"已校验 {result['checked']} 张照片：缺失 {result['missing']} 张，被改动 {result['modified']} 张。"
    result[HUMAN_KEY] = "\n".join([summary, *(f"  {p['message']}" for p in result["problems"])])
    return result


def run_link(args, ctx) -> dict:
    from zwgk_desktop.services.photos import link_photo

    posting_id = None if args.posting_id.lower() == "none" else args.posting_id
    with ctx.database().session(user="cli") as session:
        photo = link_photo(
            session, args.photo_id, posting_id, args.role,
            mismatch_days=ctx.config.settings.photo_time_mismatch_days,
        )
        result = {"photo_id": photo.id, "posting_id": photo.posting_id, "role": photo.role, "flags": list(photo.flags)}
    return result


def run_suggest(args, ctx) -> dict:
    from zwgk_desktop.core.models import Photo
    from zwgk_desktop.errors import NotFound
    from zwgk_desktop.services.photos import suggest_posting

    with ctx.database().session() as session:
        photo = session.get(Photo, args.photo_id)
        if photo is None:
            raise NotFound(f"找不到照片（{args.photo_id}）。")
        return {"suggestions": [s.as_dict() for s in suggest_posting(session, photo)]}


def run_package(args, ctx) -> dict:
    from zwgk_desktop.services.photos import build_evidence_package

    with ctx.database().session() as session:
        result = build_evidence_package(session, ctx.config, args.disclosure_id, args.output, as_zip=not args.dir)
    result[HUMAN_KEY] = (
        f"证据包已生成：{result['path']}（照片 {result['photos']} 张，打印件 {result['prints']} 份，"
        f"共 {result['files']} 个文件）" + "".join(f"\n  问题：{p['message']}" for p in result["problems"])
    )
    return result
