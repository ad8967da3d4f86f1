"""Photo fixtures generated in code: notice-board pictures with real EXIF, in every format we accept.

Nothing binary is committed: every JPEG/PNG/HEIC, truncated file and
decompression bomb used by the photo tests is made here.
"""

from __future__ import annotations

import random
import struct
import zlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw, ImageFilter, ImageFont
from PIL.TiffImagePlugin import IFDRational

FONT_PATH = Path(__file__).resolve().parents[3] / "resources" / "fonts" / "wqy-microhei.ttc"

NOTICE_LINES = [
    "关于2026年第一季度城乡低保对象的公示",
    "根据《最低生活保障审核确认办法》，经村民代表评议、乡镇审核，",
    "现将拟纳入低保对象名单予以公示，公示期7天。",
    "序号  村(组)  户主  保障人数  月保障金额(元)",
    "1  红旗村一组  张*明  3  1260",
    "2  红旗村二组  李*芳  2  840",
    "3  向阳村三组  王*国  1  420",
    "监督电话：0551-12345678",
]


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size)


def board_image(size: tuple[int, int] = (1800, 1200), seed: int = 0, brightness: float = 1.0) -> Image.Image:
    """A sharp photo-like notice board: wooden frame, white poster, printed Chinese text and a table."""
    width, height = size
    rng = random.Random(seed)
    image = Image.new("RGB", size, (126, 92, 60))
    draw = ImageDraw.Draw(image)
    for y in range(0, height, max(4, height // 150)):  # wood grain
        shade = 100 + rng.randrange(40)
        draw.line((0, y, width, y + rng.randrange(-6, 7)), fill=(shade + 20, shade - 10, shade - 40), width=2)
    margin_x, margin_y = width // 12, height // 10
    draw.rectangle((margin_x, margin_y, width - margin_x, height - margin_y), fill=(246, 246, 240), outline=(20, 20, 20))
    line_height = (height - 2 * margin_y) // (len(NOTICE_LINES) + 2)
    font = _font(max(10, int(line_height * 0.55)))
    for index, text in enumerate(NOTICE_LINES):
        y = margin_y + line_height * (index + 1)
        draw.text((margin_x + width // 30, y), text, fill=(10, 10, 10), font=font)
        draw.line((margin_x + 10, y + line_height - 4, width - margin_x - 10, y + line_height - 4), fill=(90, 90, 90))
    if brightness != 1.0:
        image = image.point(lambda value: int(min(255, value * brightness)))
    return image


def blurred(image: Image.Image, radius: float = 3) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(radius))


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 1000)
    return IFDRational(degrees, 1), IFDRational(minutes, 1), IFDRational(seconds, 1000)


def make_exif(
    taken_at: datetime | str | None = datetime(2026, 3, 2, 9, 30, 0),
    offset: str | None = "+08:00",
    gps: tuple[float, float] | None = (31.8206, 117.2272),
    make: str | None = "HUAWEI",
    model: str | None = "ELS-AN00",
    orientation: int | None = None,
) -> Image.Exif:
    """EXIF with DateTimeOriginal/OffsetTimeOriginal, GPS, Make/Model and Orientation as asked."""
    exif = Image.Exif()
    if make:
        exif[ExifTags.Base.Make] = make
    if model:
        exif[ExifTags.Base.Model] = model
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    if taken_at is not None:
        text = taken_at if isinstance(taken_at, str) else taken_at.strftime("%Y:%m:%d %H:%M:%S")
        exif_ifd[ExifTags.Base.DateTimeOriginal] = text
        if offset:
            exif_ifd[ExifTags.Base.OffsetTimeOriginal] = offset
    if gps is not None:
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        lat, lon = gps
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "N" if lat >= 0 else "S"
        gps_ifd[ExifTags.GPS.GPSLatitude] = _dms(lat)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "E" if lon >= 0 else "W"
        gps_ifd[ExifTags.GPS.GPSLongitude] = _dms(lon)
    return exif


def write_jpeg(path: Path, image: Image.Image | None = None, exif: Image.Exif | None = None, quality: int = 88) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = image if image is not None else board_image()
    kwargs = {"quality": quality}
    if exif is not None:
        kwargs["exif"] = exif
    image.save(path, "JPEG", **kwargs)
    return path


def write_png(path: Path, image: Image.Image | None = None, exif: Image.Exif | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = image if image is not None else board_image()
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(path, "PNG", **kwargs)
    return path


def write_heic(path: Path, image: Image.Image | None = None, exif: Image.Exif | None = None) -> Path:
    import pillow_heif

    pillow_heif.register_heif_opener()
    path.parent.mkdir(parents=True, exist_ok=True)
    image = image if image is not None else board_image()
    kwargs = {"quality": 80}
    if exif is not None:
        kwargs["exif"] = exif.tobytes()
    image.save(path, "HEIF", **kwargs)
    return path


def write_truncated_jpeg(path: Path, keep: float = 0.6) -> Path:
    """A real JPEG cut short, as when a copy from a phone is interrupted."""
    write_jpeg(path, exif=make_exif())
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def write_empty(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def write_text_as_jpeg(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("这不是照片，只是改了扩展名的文本文件。\n", encoding="utf-8")
    return path


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)


def write_bomb_png(path: Path, width: int = 50000, height: int = 50000) -> Path:
    """A tiny PNG whose header declares width×height pixels (a decompression bomb)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b"")
    )
    return path


# --- photos of the app's own printed posters (QR tests) --------------------------------------


def render_pdf_page(pdf_path: Path, width_px: int, page_index: int = -1) -> Image.Image:
    """A page of a printed PDF as an RGB image `width_px` wide (pypdfium2, as the app previews)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf_path))
    try:
        page = document[page_index if page_index >= 0 else len(document) + page_index]
        image = page.render(scale=width_px / page.get_width()).to_pil().convert("RGB")
        page.close()
    finally:
        document.close()
    return image


def _perspective_coefficients(source, target) -> list[float]:
    """Coefficients for Image.transform(PERSPECTIVE) mapping `target` corners back onto `source` corners."""
    rows, values = [], []
    for (x, y), (u, v) in zip(target, source):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        values.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values.append(v)
    matrix = [row + [value] for row, value in zip(rows, values)]
    size = 8
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(matrix[r][col]))
        matrix[col], matrix[pivot] = matrix[pivot], matrix[col]
        for r in range(size):
            if r != col:
                factor = matrix[r][col] / matrix[col][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[col])]
    return [matrix[i][size] / matrix[i][i] for i in range(size)]


def poster_in_frame(frame: Image.Image, poster: Image.Image, centre: tuple[int, int], *, angle: float = 3.0,
                    skew: float = 0.05) -> None:
    """Paste a poster onto a frame in perspective (one side farther away) and slightly rotated."""
    from PIL import ImageDraw as _Draw

    width, height = poster.size
    corners = [(0, 0), (width, 0), (width, height), (0, height)]
    seen = [(0, 0), (width, int(height * skew)), (width, int(height * (1 - skew))), (0, height)]
    warped = poster.transform(poster.size, Image.Transform.PERSPECTIVE, _perspective_coefficients(corners, seen),
                              Image.Resampling.BICUBIC, fillcolor=(110, 90, 70))
    mask = Image.new("L", poster.size, 0)
    _Draw.Draw(mask).polygon(seen, fill=255)
    warped = warped.rotate(angle, Image.Resampling.BICUBIC, expand=True, fillcolor=(110, 90, 70))
    mask = mask.rotate(angle, Image.Resampling.BICUBIC, expand=True)
    frame.paste(warped, (centre[0] - warped.width // 2, centre[1] - warped.height // 2), mask)


def poster_photo(path: Path, pdfs, taken_at: datetime | None, *, size: tuple[int, int] = (4000, 3000),
                 poster_fraction: float = 0.4, blur: float = 1.2, seed: int = 0, gps=None) -> Path:
    """A phone photo (JPEG with EXIF) of one or more printed posters on a noisy board.

    Each poster (the last page of each PDF, where the QR is) takes `poster_fraction` of the
    frame's width, seen in perspective and slightly rotated; the whole frame is then blurred a
    little, as a hand-held phone photo is.
    """
    rng = random.Random(seed)
    width, height = size
    frame = Image.effect_noise(size, 35).convert("RGB")
    frame = Image.blend(frame, Image.new("RGB", size, (118, 96, 72)), 0.65)
    pdfs = list(pdfs)
    slot = width // len(pdfs)
    for index, pdf in enumerate(pdfs):
        poster = render_pdf_page(Path(pdf), int(width * poster_fraction))
        centre = (slot * index + slot // 2 + rng.randrange(-40, 41), height // 2 + rng.randrange(-60, 61))
        poster_in_frame(frame, poster, centre, angle=rng.uniform(-4, 4), skew=rng.uniform(0.02, 0.07))
    if blur:
        frame = frame.filter(ImageFilter.GaussianBlur(blur))
    exif = make_exif(taken_at, gps=gps) if taken_at is not None else None
    return write_jpeg(path, frame, exif, quality=90)
