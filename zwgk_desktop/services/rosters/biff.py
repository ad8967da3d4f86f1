"""The used range of each worksheet of an old .xls (BIFF8 in an OLE2 compound file), without parsing the cells.

python-calamine sizes a sheet as a dense grid from its furthest cell, so a
5.6 KB .xls with one value at (65535, 255) costs over a gigabyte. This reads
the compound file's directory, follows the Workbook stream's sector chain
(regular or mini stream) and walks the BIFF records of every worksheet
substream, noting the furthest row and column of the cell records — enough
to refuse such a file before calamine sees it. Pure Python over bytes;
anything malformed raises `BiffError` (the caller reports a corrupt file).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

FREE_SECT, END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
BOF, EOF = 0x0809, 0x000A
WORKSHEET = 0x0010
# Cell records: row and column are the first two uint16 of their data.
CELL_RECORDS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0201, 0x0205, 0x0006, 0x00D6, 0x0406}
MULTI_RECORDS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column … last column


class BiffError(ValueError):
    """Not a readable BIFF workbook."""


@dataclass
class SheetRange:
    """One worksheet's extent from A1: rows and columns up to its furthest cell, and its cell count."""

    rows: int = 0
    columns: int = 0
    cells: int = 0


def used_ranges(data: bytes) -> list[SheetRange]:
    """The used range of every worksheet of an .xls file's bytes, in workbook order."""
    stream = workbook_stream(data)
    sheets: list[SheetRange] = []
    current: SheetRange | None = None
    depth = 0
    offset, end = 0, len(stream)
    while offset + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, offset)
        body = offset + 4
        offset = body + length
        if offset > end:
            break
        if kind == BOF:
            depth += 1
            substream = struct.unpack_from("<H", stream, body + 2)[0] if length >= 4 else 0
            if depth == 1 and substream == WORKSHEET:
                current = SheetRange()
                sheets.append(current)
            continue
        if kind == EOF:
            depth = max(0, depth - 1)
            if depth == 0:
                current = None
            continue
        if current is None or depth != 1:
            continue
        if kind in CELL_RECORDS and length >= 4:
            row, col = struct.unpack_from("<HH", stream, body)
            _extend(current, row, col, 1)
        elif kind in MULTI_RECORDS and length >= 6:
            row, first = struct.unpack_from("<HH", stream, body)
            last = struct.unpack_from("<H", stream, body + length - 2)[0]
            if last >= first:
                _extend(current, row, last, last - first + 1)
    return sheets


def _extend(sheet: SheetRange, row: int, col: int, cells: int) -> None:
    sheet.rows = max(sheet.rows, row + 1)
    sheet.columns = max(sheet.columns, col + 1)
    sheet.cells += cells


# --- the compound file ------------------------------------------------------------------------


def workbook_stream(data: bytes) -> bytes:
    """The bytes of the "Workbook" (or BIFF5 "Book") stream of an OLE2 compound file."""
    if len(data) < 512 or data[:8] != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise BiffError("not a compound file")
    sector_shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if sector_shift not in (9, 12) or mini_shift != 6:
        raise BiffError("bad sector sizes")
    sector = 1 << sector_shift
    fat_sectors, first_dir = struct.unpack_from("<II", data, 0x2C)
    mini_cutoff, first_minifat, minifat_count, first_difat, difat_count = struct.unpack_from("<IIIII", data, 0x38)
    sectors = (len(data) - sector) // sector + 1

    def read_sector(number: int) -> bytes:
        start = (number + 1) * sector
        if number >= sectors or start >= len(data):
            raise BiffError("sector out of range")
        return data[start:start + sector]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    next_difat, steps = first_difat, 0
    while next_difat not in (FREE_SECT, END_OF_CHAIN) and steps < difat_count + 1:
        block = read_sector(next_difat)
        entries = struct.unpack(f"<{sector // 4}I", block)
        difat.extend(entries[:-1])
        next_difat, steps = entries[-1], steps + 1
    fat: list[int] = []
    for number in difat[:fat_sectors]:
        if number in (FREE_SECT, END_OF_CHAIN):
            continue
        fat.extend(struct.unpack(f"<{sector // 4}I", read_sector(number)))

    def chain(start: int) -> list[int]:
        found, current = [], start
        while current not in (FREE_SECT, END_OF_CHAIN):
            if current >= len(fat) or len(found) > len(fat):
                raise BiffError("broken sector chain")
            found.append(current)
            current = fat[current]
        return found

    directory = b"".join(read_sector(n) for n in chain(first_dir))
    entries = []
    for position in range(0, len(directory) - 127, 128):
        raw = directory[position:position + 128]
        name_length = struct.unpack_from("<H", raw, 64)[0]
        name = raw[:max(0, min(name_length, 64) - 2)].decode("utf-16-le", errors="replace")
        kind = raw[66]
        start, size = struct.unpack_from("<IQ", raw, 116)
        if sector == 512:
            size &= 0xFFFFFFFF
        entries.append((name, kind, start, size))
    if not entries:
        raise BiffError("empty directory")
    root = entries[0]
    stream = next((e for e in entries if e[1] == 2 and e[0] in ("Workbook", "Book")), None)
    if stream is None:
        raise BiffError("no Workbook stream")
    _name, _kind, start, size = stream
    if size < mini_cutoff:
        mini_data = b"".join(read_sector(n) for n in chain(root[2]))
        minifat: list[int] = []
        for number in chain(first_minifat) if minifat_count else []:
            minifat.extend(struct.unpack(f"<{sector // 4}I", read_sector(number)))
        pieces, current = [], start
        while current not in (FREE_SECT, END_OF_CHAIN):
            if current >= len(minifat) or len(pieces) > len(minifat):
                raise BiffError("broken mini chain")
            pieces.append(mini_data[current * 64:(current + 1) * 64])
            current = minifat[current]
        return b"".join(pieces)[:size]
    return b"".join(read_sector(n) for n in chain(start))[:size]
