"""Generators for messy roster spreadsheets (no binary fixtures committed): each writes a real file."""

from __future__ import annotations

import csv
import io
import struct
import zipfile
from datetime import date
from pathlib import Path

import openpyxl

from zwgk_desktop.core.idnumber import make_id_number

VILLAGES = ["石桥村", "河口村", "新华社区"]
TITLE = "青山镇2026年11月农村低保发放花名册"


def person_id(seq: int, born: date = date(1960, 5, 17), region: str = "341525") -> str:
    return make_id_number(region, born, seq)


def bad_checksum(id_number: str) -> str:
    last = id_number[-1]
    return id_number[:-1] + ("1" if last != "1" else "2")


# The messy 低保 roster: (row, values) kept in one place so tests can state expectations.
ID_ZHANG = person_id(11)
ID_RARE = person_id(12)
ID_WU = person_id(13)
ID_ZHOU = person_id(14)
ID_EMPTY_NAME = person_id(15)
ID_EXISTING = person_id(16)
ID_QIAN_BAD = bad_checksum(person_id(17))
ID_NUMERIC = int(person_id(18)[:17] + "0") if person_id(18)[-1] == "X" else int(person_id(18))
RARE_NAME = "𠮷㛃"


def messy_dibao_xlsx(path: Path, *, total_yuan: float = 99999) -> Path:
    """Title rows, a two-row merged header, member rows under a merged 户主 cell, blank/hidden rows,
    numeric and scientific IDs, rare-character names, bad values and a 合计 that does not add up."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "低保花名册"
    ws["A1"] = TITLE
    ws.merge_cells("A1:K1")
    ws["A2"] = "填报单位：青山镇民政办"
    ws["H2"] = "单位：元"
    top = ["序号", "村(组)", "户主姓名", "身份证号码", "家庭成员", "与户主关系", "保障人数", "保障金额（元）", None, None, "备注"]
    for col, text in enumerate(top, start=1):
        if text:
            ws.cell(3, col, text)
    for col in "ABCDEFGK":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("H3:J3")
    ws["H4"], ws["I4"], ws["J4"] = "月保障金", "分类施保金", "小计"
    rows = {
        5: [1, "石桥村一组", "张三", ID_ZHANG, "张三", "本人", 3, 500, 50, 550, ""],
        6: [None, None, None, None, "李四", "妻", None, None, None, None, None],
        7: [None, None, None, None, "张小三", "子", None, None, None, None, None],
        8: [2, "河口村", "王  五", ID_NUMERIC, "王五", "本人", 1, 400, 0, 400, ""],
        9: [3, "石桥村", f" {RARE_NAME}\u3000", ID_RARE, RARE_NAME, "本人", 2, 1200, 40, "1,240.00", ""],
        # 10 is blank
        11: [4, "新华社区", "赵六", "3.41525E+17", "赵六", "本人", 1, 300, 0, 300, ""],
        12: [5, "石桥村", "钱七", ID_QIAN_BAD, "钱七", "本人", 1, 300, 0, 300, ""],
        13: [6, "石桥村", "孙八", ID_ZHANG, "孙八", "本人", 1, 300, 0, 300, ""],
        14: [7, "桥石村", "李九", person_id(19), "李九", "本人", 1, 300, 0, 300, ""],
        15: [8, "河口村", "周九", ID_ZHOU, "周九", "本人", 1, None, None, "待核", ""],
        16: [9, "河口村", "吴十", ID_WU, "吴十", "本人", 1, 300, 0, "￥300", "新增"],
        17: [10, "河口村", "", ID_EMPTY_NAME, "", "", 1, 100, 0, 100, ""],
        18: [11, "河口村", "郑十一", ID_EXISTING, "郑十一", "本人", 1, 200, 0, 200, ""],
        19: ["合计", None, None, None, None, None, 12, None, None, total_yuan, None],
        21: ["制表人：王会计", None, None, None, None, None, None, None, None, None, None],
    }
    for row, values in rows.items():
        for col, value in enumerate(values, start=1):
            if value is not None and value != "":
                ws.cell(row, col, value)
    for col in "ABCDG":
        ws.merge_cells(f"{col}5:{col}7")
    for col in "HIJ":
        ws.merge_cells(f"{col}5:{col}7")
    ws.merge_cells("A19:F19")
    ws.row_dimensions[16].hidden = True
    ws.column_dimensions["I"].hidden = True
    wb.save(path)
    return path


# Rows 5 (张三), 9 (rare name) and 16 (吴十) are the only clean ones.
MESSY_ACCEPTED_ROWS = [5, 9, 16]
MESSY_ERRORS = {
    8: "id_precision_lost",
    11: "id_precision_lost",
    12: "id_checksum",
    13: "duplicate_in_file",
    14: "unknown_village",
    15: "bad_amount",
    17: "missing_required",
    18: "duplicate_existing",
    19: "total_mismatch",
}
MESSY_SUM_FEN = (550 + 400 + 1240 + 300 + 300 + 300 + 300 + 300 + 100 + 200) * 100


def simple_rows(n: int = 3) -> list[list]:
    names = ["张三", "李四", "王五", "赵六", "钱七", "孙八"]
    return [[i + 1, VILLAGES[i % 3], names[i % len(names)] + ("" if i < len(names) else str(i)), person_id(100 + i), 1 + i % 4, 300 + 10 * i]
            for i in range(n)]


SIMPLE_HEADER = ["序号", "村", "姓名", "身份证号", "家庭人口", "救助金额(元)"]


def csv_bytes(rows: list[list], header: list[str] = SIMPLE_HEADER, *, encoding: str = "gbk", title: str | None = None) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    if title:
        writer.writerow([title])
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xls_roster(path: Path, rows: list[list], *, numeric_id_row: int | None = None) -> Path:
    """An old binary .xls (BIFF8, via xlwt) with a merged title and one header row."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    sheet.write_merge(0, 0, 0, len(SIMPLE_HEADER) - 1, "河口村临时救助对象公示名单")
    for col, text in enumerate(SIMPLE_HEADER):
        sheet.write(1, col, text)
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values):
            if col == 3 and numeric_id_row == r - 2:
                value = int(value[:17] + "0") if value.endswith("X") else int(value)
            sheet.write(r, col, value)
    book.save(str(path))
    return path


def xlsx_from_rows(path: Path, rows: list[list], *, sheet: str = "Sheet1", extra_sheets: dict | None = None,
                   hidden_sheets: tuple[str, ...] = (), text_only: bool = False, merges: tuple[str, ...] = ()) -> Path:
    """A plain workbook of `rows`; `text_only` stores strings like "=HYPERLINK(…)" as text, as a county
    system exporting a typed-in name would (openpyxl would otherwise write a formula); `merges`: ranges
    such as "A2:A3" merged on the first sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for values in rows:
        ws.append(values)
        if text_only:
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    for cells in merges:
        ws.merge_cells(cells)
    for name, sheet_rows in (extra_sheets or {}).items():
        other = wb.create_sheet(name)
        for values in sheet_rows:
            other.append(values)
        if name in hidden_sheets:
            other.sheet_state = "hidden"
    wb.save(path)
    return path


def formula_roster(path: Path) -> Path:
    """openpyxl writes formulas without cached values: the amount column reads as empty."""
    rows = [SIMPLE_HEADER] + [r[:5] + [None] for r in simple_rows(3)]
    xlsx_from_rows(path, rows)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for r in range(2, 5):
        ws.cell(r, 6, f"=E{r}*100")
    wb.save(path)
    return path


def macro_workbook(path: Path) -> Path:
    """An .xlsm: a normal roster plus an xl/vbaProject.bin part."""
    plain = path.with_suffix(".plain.xlsx")
    xlsx_from_rows(plain, [SIMPLE_HEADER, *simple_rows(2)])
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"Attribute VB_Name = \"Module1\"" * 10)
    plain.unlink()
    return path


def zip_bomb(path: Path, declared: int = 3 * 1024 ** 3) -> Path:
    """A small .xlsx whose sheet XML declares a huge uncompressed size in the central directory."""
    xlsx_from_rows(path, [SIMPLE_HEADER, *simple_rows(2)])
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    position = 0
    while True:
        position = data.find(b"PK\x01\x02", position)
        if position < 0:
            break
        name_len = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46: position + 46 + name_len]) == name:
            struct.pack_into("<I", data, position + 24, min(declared, 0xFFFFFFFE))
        position += 4
    path.write_bytes(bytes(data))
    return path


def encrypted_workbook(path: Path) -> Path:
    """What Excel writes for a password-protected .xlsx: an OLE2 compound file with
    EncryptionInfo/EncryptedPackage streams (a minimal header + directory, enough to recognise)."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 0x03, 0xFFFE, 0x09)
    directory = bytearray(512)
    for slot, name in enumerate(("Root Entry", "EncryptionInfo", "EncryptedPackage")):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        directory[slot * 128: slot * 128 + len(encoded)] = encoded
        struct.pack_into("<H", directory, slot * 128 + 64, len(encoded))
        directory[slot * 128 + 66] = 5 if slot == 0 else 2
    path.write_bytes(bytes(header) + bytes(directory) + bytes(1024))
    return path


def huge_csv(path: Path, rows: int = 200_100) -> Path:
    """A CSV with more data rows than one import may take (cheap: a few bytes per row)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(SIMPLE_HEADER) + "\n")
        line = "1,石桥村,张三,,1,300\n"
        fh.write(line * rows)
    return path


def png_named_xlsx(path: Path) -> Path:
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    return path


def corrupt_xlsx(path: Path) -> Path:
    good = path.with_suffix(".good.xlsx")
    xlsx_from_rows(good, [SIMPLE_HEADER, *simple_rows(5)])
    data = good.read_bytes()
    good.unlink()
    path.write_bytes(data[: len(data) // 2])
    return path


def sparse_xlsx(path: Path, far_cell: str, *, dimension: str | None = None, references: bool = True) -> Path:
    """A tiny hand-written .xlsx: a 户主/身份证 header at A1 and one far-away cell (e.g. XFD200000),
    no <dimension> tag unless given: python-calamine would size the sheet to the far cell."""
    match = __import__("re").fullmatch(r"([A-Z]+)(\d+)", far_cell)
    letters, row = match.group(1), int(match.group(2))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    ref = (lambda r: f' r="{r}"') if references else (lambda r: "")
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>"
        f'<row r="1"><c{ref("A1")} t="inlineStr"><is><t>户主姓名</t></is></c>'
        f'<c{ref("B1")} t="inlineStr"><is><t>身份证号码</t></is></c></row>'
        f'<row r="{row}"><c r="{letters}{row}"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"),
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def far_cell_xls(path: Path, row: int = 65535, col: int = 255) -> Path:
    """A 5.6 KB .xls (xlwt) with a header and one value at (row, col): calamine would allocate the whole grid."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for column, text in enumerate(SIMPLE_HEADER):
        sheet.write(0, column, text)
    sheet.write(row, col, 1)
    book.save(str(path))
    return path


# --- county shapes: funding parts, 家庭人口 and 保障人数, change types, 停保 --------------------------

WEIFANG_TITLE = "青山镇2026年农村危房改造补助资金发放花名册"
ID_WF = [person_id(200 + i, born=date(1958, 3, 1 + i)) for i in range(6)]
# (户主, 村, 家庭人口, 对象类别, 中央, 省级, 县级, 自筹, 合计)
WEIFANG_ROWS = [
    ("赵大", "石桥村", 3, "脱贫不稳定户", 12000, 5000, 3000, 0, 20000),
    ("钱二", "河口村", 4, "边缘易致贫户", 12000, 5000, 3000, 2000, 22000),
    ("孙三", "新华社区", 1, "农村低保边缘家庭", 9000, 3000, 1000, 0, 13000),
    ("李四", "石桥村", 2, "突发严重困难户", 12000, 5000, 3000, 0, 21000),  # 合计 ≠ parts (20,000)
    ("周五", "河口村", 5, "低保户", "待定", 5000, 3000, 0, 8000),  # 中央 not a number
    ("吴六", "石桥村", 2, "五保户", 6000, 2000, 1000, 0, 9000),  # not a catalogue option: a warning only
]
WEIFANG_MISMATCH_ROW, WEIFANG_BAD_PART_ROW = 7, 8  # spreadsheet rows of 李四 and 周五


def weifang_funding_xlsx(path: Path, *, with_total: bool = True, three_rows: bool = False) -> Path:
    """危房改造: a merged "补助资金（元）" header over 中央/省级/县级/自筹 (and 合计), two or three header rows
    (three: 中央/省级/县级 under a merged "财政补助"), 家庭人口, 对象类别 in current policy terms."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "危改"
    ws["A1"] = WEIFANG_TITLE
    ws.merge_cells("A1:L1")
    first = ["序号", "村(组)", "户主姓名", "身份证号码", "家庭人口", "对象类别", "补助资金（元）"]
    for col, text in enumerate(first, start=1):
        ws.cell(2, col, text)
    parts = ["中央", "省级", "县级", "自筹"] + (["合计"] if with_total else [])
    last_col = 6 + len(parts)
    ws.cell(2, last_col + 1, "备注")
    depth = 3 if three_rows else 2
    for col in range(1, 7):
        ws.merge_cells(start_row=2, start_column=col, end_row=1 + depth, end_column=col)
    ws.merge_cells(start_row=2, start_column=last_col + 1, end_row=1 + depth, end_column=last_col + 1)
    ws.merge_cells(start_row=2, start_column=7, end_row=2, end_column=last_col)
    if three_rows:
        ws.cell(3, 7, "财政补助")
        ws.merge_cells(start_row=3, start_column=7, end_row=3, end_column=9)
        for offset, text in enumerate(parts):
            ws.cell(4, 7 + offset, text)
        for offset, text in enumerate(parts[3:], start=3):  # 自筹 (and 合计) span rows 3-4
            ws.cell(3, 7 + offset, text)
            ws.merge_cells(start_row=3, start_column=7 + offset, end_row=4, end_column=7 + offset)
    else:
        for offset, text in enumerate(parts):
            ws.cell(3, 7 + offset, text)
    start = 2 + depth
    for index, (name, village, family, target, *money) in enumerate(WEIFANG_ROWS):
        row = start + index
        values = [index + 1, village, name, ID_WF[index], family, target, *money[:4]] + ([money[4]] if with_total else [])
        for col, value in enumerate(values, start=1):
            ws.cell(row, col, value)
    wb.save(path)
    return path


DIBAO_TITLE = "青山镇2026年12月农村低保动态调整花名册"
ID_DB = [person_id(300 + i, born=date(1950 + i, 6, 1)) for i in range(6)]
# (户主, 村组, 家庭人口, 保障人数, 月保障金, 变动情况, 备注)
DIBAO_ROWS = [
    ("陈一", "石桥村一组", 3, 2, 860, "新增", ""),
    ("林二", "河口村", 4, 4, 1720, "调整", "增加1人"),
    ("黄三", "新华社区", 2, 2, 860, "续保", ""),
    ("何四", "石桥村二组", 3, 1, 430, "停保", "收入超标"),
    ("罗五", "河口村", 1, 1, 430, "减保", ""),
    ("郑六", "石桥村", 2, 2, 860, "待议", ""),  # unreadable change type: a warning with the text
]
DIBAO_STOP_ROW = 6  # 何四


def dibao_changes_xlsx(path: Path, *, change_in_remark: bool = False, total: str = "without_stop") -> Path:
    """低保 动态调整: 家庭人口 and 保障人数 both, the change type in a 变动情况 column (or only in 备注),
    a 停保 line, and a 合计 row that leaves 停保 out (or counts it)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = DIBAO_TITLE
    header = ["序号", "村(组)", "户主姓名", "身份证号码", "家庭人口", "保障人数", "月保障金额(元)"]
    header += ["备注"] if change_in_remark else ["变动情况", "备注"]
    for col, text in enumerate(header, start=1):
        ws.cell(2, col, text)
    amount_sum = stop_sum = 0
    for index, (name, village, family, covered, amount, change, remark) in enumerate(DIBAO_ROWS):
        row = 3 + index
        note = f"{change}（{remark}）" if change_in_remark and remark else (change if change_in_remark else remark)
        values = [index + 1, village, name, ID_DB[index], family, covered, amount]
        values += [note] if change_in_remark else [change, remark]
        for col, value in enumerate(values, start=1):
            if value != "":
                ws.cell(row, col, value)
        amount_sum += amount
        stop_sum += amount if change == "停保" else 0
    totals = {"without_stop": amount_sum - stop_sum, "with_stop": amount_sum, "wrong": amount_sum + 1}
    ws.cell(3 + len(DIBAO_ROWS), 1, "合计")
    ws.cell(3 + len(DIBAO_ROWS), 7, totals[total])
    wb.save(path)
    return path


def weifang_funding_xls(path: Path) -> Path:
    """The funding roster as an old .xls (xlwt): merged "补助资金（元）" over 中央/省级/县级/自筹/合计."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("危改")
    sheet.write_merge(0, 0, 0, 11, WEIFANG_TITLE)
    for col, text in enumerate(["序号", "村(组)", "户主姓名", "身份证号码", "家庭人口", "对象类别"]):
        sheet.write_merge(1, 2, col, col, text)
    sheet.write_merge(1, 1, 6, 10, "补助资金（元）")
    for offset, text in enumerate(["中央", "省级", "县级", "自筹", "合计"]):
        sheet.write(2, 6 + offset, text)
    sheet.write_merge(1, 2, 11, 11, "备注")
    for index, (name, village, family, target, *money) in enumerate(WEIFANG_ROWS[:3]):
        for col, value in enumerate([index + 1, village, name, ID_WF[index], family, target, *money]):
            sheet.write(3 + index, col, value)
    book.save(str(path))
    return path


def weifang_funding_csv(path: Path) -> Path:
    """The funding roster as a GBK CSV: two header rows without merges (the group label only over 中央)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([WEIFANG_TITLE])
    writer.writerow(["序号", "村(组)", "户主姓名", "身份证号码", "家庭人口", "对象类别", "补助资金（元）", "", "", "", "", "备注"])
    writer.writerow(["", "", "", "", "", "", "中央", "省级", "县级", "自筹", "合计", ""])
    for index, (name, village, family, target, *money) in enumerate(WEIFANG_ROWS[:3]):
        writer.writerow([index + 1, village, name, ID_WF[index], family, target, *money, ""])
    path.write_bytes(buffer.getvalue().encode("gbk"))
    return path
