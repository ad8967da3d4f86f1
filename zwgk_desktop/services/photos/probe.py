"""Probing one photo file: identify, guard, fully decode, read EXIF facts, measure quality, look for a QR.

`read_photo_file(path)` reads only regular files (a FIFO, socket, device or
a symlink to one is `special_file`, named directly or found in a folder; the
file is opened non-blocking, so a FIFO never hangs) and stops reading at the
size limit. `probe_bytes(data, settings)` is pure (no disk writes, no
database): it returns a `PhotoProbe` or raises `PhotoRejected` with a stable
code (`not_an_image`, `unsupported_format`, `corrupt`, `too_large`). The image
size is checked from the header BEFORE any pixel is decoded, so a
decompression bomb never gets allocated, and the decode reserves its bytes
in a `PixelBudget` shared by the import's workers (memory stays bounded
whatever a folder holds). JPEGs are decoded through `Image.draft` at a
reduced DCT scale: every entropy-coded byte is still read (a truncated file
still fails) but the pixels cost a fraction. The grey analysis image also
serves the quick QR pass (`services.photos.qr`).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import stat
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from PIL import ExifTags, Image, ImageFile, UnidentifiedImageError

from zwgk_desktop.errors import ZwgkError
from zwgk_desktop.services.photos.budget import MAX_IMAGE_MEMORY, NO_BUDGET, image_cost
from zwgk_desktop.services.photos.quality import ANALYSIS_LONG_SIDE, image_quality_flags, measure_quality

# Keep Pillow strict: a truncated file must fail to decode, never be padded with grey.
ImageFile.LOAD_TRUNCATED_IMAGES = False

MAX_FILE_BYTES = 200 * 1024 * 1024
"""Refuse to even read a file this big: no phone photo comes close."""

THUMBNAIL_SIZE = 256

CHINA_STANDARD_TIME = timezone(timedelta(hours=8))
"""Assumed camera offset when EXIF has no OffsetTimeOriginal (China has one time zone)."""

FORMAT_INFO = {
    # Pillow format -> (archive extension, MIME type)
    "JPEG": (".jpg", "image/jpeg"),
    "MPO": (".jpg", "image/jpeg"),  # phone JPEGs with an embedded depth/preview frame
    "PNG": (".png", "image/png"),
    "HEIF": (".heic", "image/heic"),
}

IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".jpe", ".png", ".heic", ".heif", ".hif"}
"""Extensions picked up when a folder is imported (files named explicitly are always probed)."""

ORIENTATION_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
SWAPS_AXES = {5, 6, 7, 8}

TAG_MAKE = 0x010F
TAG_MODEL = 0x0110
TAG_ORIENTATION = 0x0112
TAG_DATETIME_ORIGINAL = 0x9003
TAG_DATETIME_DIGITIZED = 0x9004
TAG_OFFSET_TIME_ORIGINAL = 0x9011
TAG_OFFSET_TIME_DIGITIZED = 0x9012
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4

_heif_registered = False


class PhotoRejected(ZwgkError):
    """A file that cannot enter the evidence archive; `code` says why."""

    code = "photo_rejected"


@dataclass
class PhotoProbe:
    """Everything learnt about one photo file without touching disk or database."""

    sha256: str
    size_bytes: int
    format: str
    extension: str
    mime: str
    width: int  # after EXIF orientation
    height: int
    orientation: int = 1
    taken_at: datetime | None = None  # aware: camera wall time with its offset
    gps_lat: float | None = None
    gps_lon: float | None = None
    device_make: str = ""
    device_model: str = ""
    sharpness: float = 0.0
    luminance: float = 0.0
    flags: list[str] = field(default_factory=list)
    thumbnail: Image.Image | None = field(default=None, repr=False)  # oriented RGB, long side THUMBNAIL_SIZE
    qr_texts: list[str] = field(default_factory=list)  # QR payloads found in the photo
    qr_module_px: float = math.inf  # smallest QR module read, in pixels of the decoded image
    qr_full_pass: bool = False  # the full-resolution QR pass already ran (non-JPEG formats: in the probe)

    @property
    def taken_at_local(self) -> datetime | None:
        """Camera wall time without offset (how the `photo` table stores it)."""
        return self.taken_at.replace(tzinfo=None) if self.taken_at else None

    @property
    def taken_at_offset(self) -> str:
        return format_offset(self.taken_at) if self.taken_at else ""


def register_heif() -> None:
    """Teach Pillow to open HEIC/HEIF (iPhone photos) once per process."""
    global _heif_registered
    if not _heif_registered:
        import pillow_heif

        pillow_heif.register_heif_opener()
        _heif_registered = True


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def open_regular_file(path: Path) -> tuple[int, int]:
    """(fd, size) of a regular file opened for reading; `special_file`, `not_found`, `too_large` otherwise.

    Checked with stat before opening (a device is never even opened — opening
    some has side effects), opened with O_NONBLOCK (a FIFO swapped in cannot
    block the open) and checked again with fstat on what was opened.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        require_regular(os.stat(path))
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise PhotoRejected("找不到该文件（可能已被移走或删除）。", code="not_found") from exc
    except OSError as exc:
        raise PhotoRejected(f"无法读取文件（{exc.strerror or exc}）。", code="unreadable") from exc
    try:
        info = os.fstat(fd)
        require_regular(info)
        if info.st_size > MAX_FILE_BYTES:
            raise PhotoRejected(
                f"文件过大（{info.st_size // (1024 * 1024)} MB），不是正常的照片，未导入。", code="too_large"
            )
    except BaseException:
        os.close(fd)
        raise
    return fd, info.st_size


def read_open_file(fd: int, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Read an open file whole from the start, never more than `max_bytes` (even if it grows meanwhile)."""
    chunks, total = [], 0
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        while total <= max_bytes:
            chunk = os.read(fd, min(8 * 1024 * 1024, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise PhotoRejected(f"无法读取文件（{exc.strerror or exc}）。", code="unreadable") from exc
    if total > max_bytes:
        raise PhotoRejected(f"文件过大（超过 {max_bytes // (1024 * 1024)} MB），不是正常的照片，未导入。",
                            code="too_large")
    return b"".join(chunks)


def read_photo_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Read a candidate file whole: regular files only, never more than `max_bytes`."""
    fd, _size = open_regular_file(path)
    try:
        return read_open_file(fd, max_bytes)
    finally:
        os.close(fd)


JPEG_DRAFT_BYTES = 8 * 1024 * 1024
"""A JPEG under the pixel limit decoded at the analysis scale (≤ 1/8 of 120 MP, 4 bytes a pixel) plus its grey copy."""


def header_cost(head: bytes, file_size: int) -> int:
    """What reading and decoding a file will hold (file bytes + decoded pixels), judged from its first bytes;
    the most one photo may need when the header cannot tell."""
    if head[:3] == b"\xff\xd8\xff":  # JPEG: decoded at draft scale, a few MB whatever its size
        return file_size + JPEG_DRAFT_BYTES
    register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(io.BytesIO(head)) as image:
                return file_size + plan_decode(image)[1]
    except Exception:  # noqa: BLE001 - unknown or cut header: HEIF's size box, else the worst one photo may need
        pixels = heif_pixels(head)
        if pixels:
            return file_size + pixels * 4
        return max(file_size, MAX_IMAGE_MEMORY)


def heif_pixels(head: bytes) -> int:
    """The largest image size a HEIF/HEIC header declares (its `ispe` boxes), 0 when none is found."""
    largest, start = 0, 0
    while (index := head.find(b"ispe", start)) >= 4 and index + 16 <= len(head):
        width = int.from_bytes(head[index + 8:index + 12], "big")
        height = int.from_bytes(head[index + 12:index + 16], "big")
        largest = max(largest, width * height)
        start = index + 4
    return largest


def require_regular(info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise PhotoRejected(
            "这不是普通文件（可能是设备、管道、套接字或指向它们的链接），不是照片，未读取。", code="special_file",
            detail={"kind": special_kind(info.st_mode)},
        )


def special_kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "fifo"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character_device"),
                       (stat.S_ISBLK, "block_device"), (stat.S_ISDIR, "directory")):
        if test(mode):
            return name
    return "other"


def probe_file(path: Path, settings, *, budget=None, qr: bool = True) -> PhotoProbe:
    return probe_bytes(read_photo_file(Path(path)), settings, budget=budget, qr=qr)


def probe_bytes(data: bytes, settings, *, budget=None, qr: bool = True) -> PhotoProbe:
    """Identify, size-guard, fully decode and measure one photo held in memory (and look for QR codes)."""
    if not data:
        raise PhotoRejected("文件是空的（0 字节），不是照片。", code="not_an_image")
    register_heif()
    try:
        return _probe_nonempty(data, settings, budget or NO_BUDGET, qr)
    except (PhotoRejected, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - malformed files make decoders raise all sorts
        raise PhotoRejected(
            "图片文件已损坏，无法读取。", code="corrupt", detail={"reason": f"{type(exc).__name__}: {exc}"}
        ) from exc


def _probe_nonempty(data: bytes, settings, budget, qr: bool) -> PhotoProbe:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        image = open_image(data)
        set_decoder_block(image, len(data))
        with image:
            fmt = image.format or ""
            if fmt not in FORMAT_INFO:
                raise PhotoRejected(
                    f"不支持的图片格式 {fmt or '未知'}，请导入 JPEG、PNG 或 HEIC 照片。", code="unsupported_format"
                )
            raw_w, raw_h = image.size
            guard_pixel_count((raw_w, raw_h), settings.photo_max_pixels)
            full_qr, cost = plan_decode(image, qr)
            if len(data) + cost > MAX_IMAGE_MEMORY:
                raise PhotoRejected(
                    f"图片 {raw_w}×{raw_h} 解码需要约 {(len(data) + cost) // (1024 * 1024)} MB 内存，超出安全上限，未导入。"
                    "手机照片不会这么大；扫描件请缩小或转为 JPEG 后再导入。",
                    code="too_large",
                )
            # Reserved before EXIF: reading a PNG's EXIF may decode the whole image.
            with budget.reserve(cost):
                exif = read_exif(image)
                orientation = exif_orientation(exif)
                grey, thumbnail, (qr_texts, qr_module_px), full_pass = decode_for_analysis(image, orientation, qr, full_qr)
    width, height = (raw_h, raw_w) if orientation in SWAPS_AXES else (raw_w, raw_h)
    extension, mime = FORMAT_INFO[fmt]
    sharpness, luminance = measure_quality(grey)
    lat, lon = exif_gps(exif)
    taken_at = exif_taken_at(exif)
    probe = PhotoProbe(
        sha256=sha256_hex(data),
        size_bytes=len(data),
        format="JPEG" if fmt == "MPO" else fmt,
        extension=extension,
        mime=mime,
        width=width,
        height=height,
        orientation=orientation,
        taken_at=taken_at,
        gps_lat=lat,
        gps_lon=lon,
        device_make=exif_text(exif, TAG_MAKE),
        device_model=exif_text(exif, TAG_MODEL),
        sharpness=sharpness,
        luminance=luminance,
        thumbnail=thumbnail,
        qr_texts=qr_texts,
        qr_module_px=qr_module_px,
        qr_full_pass=full_pass,
    )
    probe.flags = image_quality_flags(
        width=width,
        height=height,
        sharpness=sharpness,
        luminance=luminance,
        has_exif_time=taken_at is not None,
        min_long_side=settings.photo_min_long_side,
    )
    return probe


def open_image(data: bytes) -> Image.Image:
    """Open lazily (header only); map Pillow's refusals to our codes."""
    try:
        return Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise PhotoRejected(
            "图片像素数大得异常（疑似“解压炸弹”文件），为保护电脑未打开。", code="too_large"
        ) from exc
    except UnidentifiedImageError as exc:
        raise PhotoRejected("文件不是可识别的图片（可能只是扩展名为 .jpg 的其他文件）。", code="not_an_image") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise PhotoRejected("图片文件已损坏，无法读取。", code="corrupt", detail={"reason": str(exc)}) from exc


DECODER_BLOCK_MAX = 16 * 1024 * 1024
"""A JPEG's bytes go to the decoder in blocks of up to this size (see `set_decoder_block`)."""


def set_decoder_block(image: Image.Image, size: int) -> None:
    """Hand an in-memory JPEG to the decoder in one call (up to DECODER_BLOCK_MAX), not 64-KB chunks.

    Each chunk gives the GIL back and takes it again, and on a busy interpreter (the main thread
    loading the database layer, other workers parsing EXIF) every retake may wait a switch interval.
    Each block is copied once more while it is decoded, hence the cap; other formats read their own
    chunks (a PNG's IDAT) and keep Pillow's default.
    """
    if image.format in ("JPEG", "MPO"):
        image.decodermaxblock = min(max(ImageFile.MAXBLOCK, size), DECODER_BLOCK_MAX)


def guard_pixel_count(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise PhotoRejected("图片尺寸无效，文件已损坏。", code="corrupt")
    if width * height > max_pixels:
        raise PhotoRejected(
            f"图片尺寸 {width}×{height} 超过上限（{max_pixels // 1_000_000} 百万像素），"
            "疑似异常文件，未导入。",
            code="too_large",
        )


REDUCIBLE_MODES = {"L", "LA", "La", "RGB", "RGBA", "RGBa", "RGBX", "CMYK", "YCbCr", "I", "F"}


def plan_decode(image: Image.Image, qr: bool = True) -> tuple[bool, int]:
    """Before any pixel is decoded: set a JPEG's DCT scale (`Image.draft`) and say whether the QR pass
    will see the full resolution and how many bytes the decode will hold (for the `PixelBudget`)."""
    width, height = image.size
    is_jpeg = image.format in ("JPEG", "MPO")
    if is_jpeg and max(width, height) > ANALYSIS_LONG_SIDE:
        ratio = ANALYSIS_LONG_SIDE / max(width, height)
        image.draft("RGB", (max(1, math.ceil(width * ratio)), max(1, math.ceil(height * ratio))))
    dw, dh = image.size
    full_qr = qr and not is_jpeg and dw * dh <= FULL_QR_PIXELS
    cost = image_cost(dw, dh, image.mode, converted=image.mode not in REDUCIBLE_MODES) + (dw * dh if full_qr else 0)
    return full_qr, cost


def decode_for_analysis(image: Image.Image, orientation: int, qr: bool = True,
                        full_qr: bool = False) -> tuple[Image.Image, Image.Image, tuple[list[str], float], bool]:
    """Fully decode; return (grey analysis image, oriented RGB thumbnail, (QR texts, smallest QR module
    in pixels), whether the QR pass saw the full resolution).

    JPEGs decode at the DCT scale `plan_decode` set, keeping the long side ≥
    ANALYSIS_LONG_SIDE (every entropy-coded byte is still read, so truncation
    is caught); other formats decode fully and are box-reduced to the same
    range before any conversion (so a huge RGBA PNG is never copied at full
    size). The caller holds the decode's bytes in the pixel budget. Any
    decoding failure is `corrupt`.
    """
    qr_found: tuple[list[str], float] = ([], math.inf)
    try:
        image.load()
    except Image.DecompressionBombError as exc:
        raise PhotoRejected("图片像素数大得异常，为保护电脑未打开。", code="too_large") from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise PhotoRejected(
            "图片文件不完整或已损坏（可能拷贝中断），请从相机或手机重新拷贝原图。",
            code="corrupt",
            detail={"reason": str(exc)},
        ) from exc
    if full_qr:
        qr_found = _read_qr(image.convert("L"))
    factor = max(1, max(image.size) // ANALYSIS_LONG_SIDE)
    decoded = image if image.mode in REDUCIBLE_MODES else image.convert("RGB")
    analysed = decoded.reduce(factor) if factor > 1 else decoded
    del decoded
    if analysed.mode not in ("RGB", "L"):
        analysed = analysed.convert("RGB")
    grey = analysed.convert("L")  # always a new image, detached from the file
    thumbnail = make_thumbnail(analysed)
    if qr and not qr_found[0]:
        qr_found = _read_qr(grey)
    if thumbnail.mode != "RGB":
        thumbnail = thumbnail.convert("RGB")
    transpose = ORIENTATION_TRANSPOSE.get(orientation)
    thumbnail = thumbnail.transpose(transpose) if transpose is not None else thumbnail
    return grey, thumbnail, qr_found, full_qr


FULL_QR_PIXELS = 50_000_000
"""Formats without a draft decode (PNG, HEIC) are searched for a QR at full resolution up to this size."""


def _read_qr(grey: Image.Image, *, thorough: bool = False) -> tuple[list[str], float]:
    from zwgk_desktop.services.photos.qr import read_qr

    return read_qr(grey, thorough=thorough)


def make_thumbnail(image: Image.Image, size: int = THUMBNAIL_SIZE) -> Image.Image:
    """Box-reduce by the integer factor that brings the long side to at most `size` (cheap, antialiased);
    bilinear only for an image already smaller than twice `size`."""
    factor = math.ceil(max(image.size) / size)
    if factor >= 3:
        return image.reduce(factor)
    ratio = min(1.0, size / max(image.size))
    target = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    return image.resize(target, Image.Resampling.BILINEAR) if target != image.size else image.copy()


# --- EXIF ---------------------------------------------------------------------------------


def read_exif(image: Image.Image) -> dict:
    """Flatten base IFD, Exif IFD and GPS IFD into {'base':…, 'exif':…, 'gps':…}; tolerate junk."""
    try:
        exif = image.getexif()
        return {
            "base": dict(exif),
            "exif": dict(exif.get_ifd(ExifTags.IFD.Exif)),
            "gps": dict(exif.get_ifd(ExifTags.IFD.GPSInfo)),
        }
    except Exception:  # noqa: BLE001 - broken EXIF must never block an otherwise good photo
        return {"base": {}, "exif": {}, "gps": {}}


def exif_orientation(exif: dict) -> int:
    value = exif["base"].get(TAG_ORIENTATION, 1)
    try:
        value = int(value)
    except (TypeError, ValueError):
        return 1
    return value if 1 <= value <= 8 else 1


def exif_text(exif: dict, tag: int) -> str:
    value = exif["base"].get(tag, "")
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).replace("\x00", "").strip()[:100]


def exif_taken_at(exif: dict) -> datetime | None:
    """DateTimeOriginal (else DateTimeDigitized) as an aware datetime, offset from EXIF or +08:00."""
    for time_tag, offset_tag in (
        (TAG_DATETIME_ORIGINAL, TAG_OFFSET_TIME_ORIGINAL),
        (TAG_DATETIME_DIGITIZED, TAG_OFFSET_TIME_DIGITIZED),
    ):
        wall = parse_exif_datetime(exif["exif"].get(time_tag))
        if wall is not None:
            offset = parse_exif_offset(exif["exif"].get(offset_tag)) or CHINA_STANDARD_TIME
            return wall.replace(tzinfo=offset)
    return None


def parse_exif_datetime(value) -> datetime | None:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    text = value.replace("\x00", "").strip()
    for pattern in ("%Y:%m:%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y:%m:%d %H:%M"):
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        return parsed if parsed.year >= 1990 else None
    return None


def parse_exif_offset(value) -> timezone | None:
    """'+08:00' / '-05:30' -> timezone; anything else -> None."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if not isinstance(value, str):
        return None
    text = value.replace("\x00", "").strip()
    if len(text) != 6 or text[0] not in "+-" or text[3] != ":":
        return None
    try:
        hours, minutes = int(text[1:3]), int(text[4:6])
    except ValueError:
        return None
    if hours > 14 or minutes >= 60:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)


def format_offset(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def exif_gps(exif: dict) -> tuple[float | None, float | None]:
    gps = exif["gps"]
    lat = gps_decimal(gps.get(GPS_LAT), gps.get(GPS_LAT_REF), limit=90)
    lon = gps_decimal(gps.get(GPS_LON), gps.get(GPS_LON_REF), limit=180)
    if lat is None or lon is None:
        return None, None
    return lat, lon


def gps_decimal(dms, ref, *, limit: float) -> float | None:
    """(degrees, minutes, seconds) rationals + 'N'/'S'/'E'/'W' -> signed decimal degrees."""
    try:
        degrees, minutes, seconds = (float(part) for part in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = degrees + minutes / 60 + seconds / 3600
    if value != value or value > limit:  # NaN from a 0/0 rational, or out of range
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if str(ref).strip().upper() in ("S", "W"):
        value = -value
    return round(value, 7)
