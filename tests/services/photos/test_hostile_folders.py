"""Hostile photo folders (issue 18 item 5): only regular files are read, reading stops at the limit, memory stays bounded."""

from __future__ import annotations

import os
import shutil
import socket
import struct
import zlib
from pathlib import Path

import pytest

from tests.conftest import run_cli
from zwgk_desktop.services.photos.probe import MAX_FILE_BYTES, PhotoRejected, read_photo_file

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and device files are POSIX")


@pytest.fixture
def hostile_folder(tmp_path, sample_photos) -> Path:
    """A 'phone folder' with one real photo and, named like photos, a link to /dev/zero, a FIFO and a socket."""
    folder = tmp_path / "DCIM"
    folder.mkdir()
    shutil.copy(sample_photos["sharp"], folder / "IMG_0001.jpg")
    os.symlink("/dev/zero", folder / "zero.jpg")
    os.mkfifo(folder / "pipe.jpg")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(folder / "sock.jpg"))
    yield folder
    server.close()


def codes(payload) -> dict[str, str]:
    return {Path(item["path"]).name: item["code"] for item in payload["rejected"]}


def test_special_files_in_a_folder_are_rejected_without_reading(tmp_path, hostile_folder):
    """A symlink to /dev/zero, a FIFO and a socket in a folder: `special_file` each, the real photo imported, no hang."""
    result = run_cli("photos", "import", str(hostile_folder), "--json", data_dir=tmp_path / "data", timeout=60)
    assert result.returncode == 0, result.stderr
    assert codes(result[1]) == {"zero.jpg": "special_file", "pipe.jpg": "special_file", "sock.jpg": "special_file"}
    assert [Path(item["path"]).name for item in result[1]["imported"]] == ["IMG_0001.jpg"]
    assert all("不是普通文件" in item["message"] for item in result[1]["rejected"])


def test_special_files_named_directly_are_special_not_missing(tmp_path, hostile_folder):
    """Named on the command line, a FIFO and /dev/zero are `special_file` (not `not_found`), and nothing hangs."""
    result = run_cli("photos", "import", str(hostile_folder / "pipe.jpg"), "/dev/zero", str(hostile_folder / "zero.jpg"),
                     str(tmp_path / "nowhere.jpg"), "--json", data_dir=tmp_path / "data", timeout=60)
    assert result.returncode == 0, result.stderr
    assert codes(result[1]) == {"pipe.jpg": "special_file", "zero": "special_file", "zero.jpg": "special_file",
                                "nowhere.jpg": "not_found"}
    assert result[1]["imported"] == []


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path):
    """A (sparse) file one byte over the limit is `too_large` from its size alone; a smaller cap stops the read."""
    huge = tmp_path / "huge.jpg"
    with open(huge, "wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(PhotoRejected) as refused:
        read_photo_file(huge)
    assert refused.value.code == "too_large"
    small = tmp_path / "small.jpg"
    small.write_bytes(b"\xff\xd8" + b"x" * 5000)
    with pytest.raises(PhotoRejected) as capped:
        read_photo_file(small, max_bytes=4096)
    assert capped.value.code == "too_large"
    assert read_photo_file(small, max_bytes=8192)[:2] == b"\xff\xd8"


def write_big_png(path: Path, side: int, shade: int) -> Path:
    """A valid side×side RGB PNG written row by row (compresses to a few hundred KB)."""
    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)

    row = b"\x00" + bytes([shade, 128, 255 - shade]) * side
    compressor = zlib.compressobj(1)
    with open(path, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)))
        block = row * 256
        for _ in range(side // 256):
            data = compressor.compress(block)
            if data:
                fh.write(chunk(b"IDAT", data))
        data = compressor.compress(row * (side % 256)) + compressor.flush()
        fh.write(chunk(b"IDAT", data) + chunk(b"IEND", b""))
    return path


@pytest.mark.slow
def test_huge_pngs_are_decoded_one_at_a_time_and_memory_stays_under_500_mb(tmp_path):
    """Two 119.9-MP PNGs (too big to decode safely: `too_large`) and three 88-MP ones (imported, one at a time):
    the whole process peaks below 500 MB (four 119.9-MP PNGs used to take 1.47 GB)."""
    folder = tmp_path / "scans"
    folder.mkdir()
    for index in range(2):
        write_big_png(folder / f"huge{index}.png", 10950, 40 + index * 30)  # 119.9 MP, just under the pixel limit
    for index in range(3):
        write_big_png(folder / f"scan{index}.png", 9400, 100 + index * 30)  # 88.4 MP
    payload, peak_mb = run_measured(["photos", "import", str(folder), "--json"], tmp_path)
    assert sorted(Path(item["path"]).name for item in payload["imported"]) == ["scan0.png", "scan1.png", "scan2.png"]
    assert codes(payload) == {"huge0.png": "too_large", "huge1.png": "too_large"}
    assert "内存" in payload["rejected"][0]["message"]
    assert peak_mb < 500, f"peak {peak_mb:.0f} MB"


def run_measured(args: list[str], tmp_path: Path) -> tuple[dict, float]:
    """Run the CLI as a whole process; (its JSON, its own peak resident set in MB)."""
    result = run_cli(*args, data_dir=tmp_path / "data", measure_peak=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return result[1], result.peak_mb
