"""The password-encrypted backup container (for USB sticks): a tar stream sealed in chunks with AES-256-GCM.

Personal data (个人信息保护法) leaves the office on USB sticks; this file
format keeps it unreadable and tamper-evident without the password.

Layout: `ZWGKENC1`, a 4-byte header length, the header (JSON: KDF and its
parameters, chunk size, a random nonce prefix, township and time — nothing
secret), then chunks. The key is scrypt(password, salt) (n=2^15, r=8, p=1).
Chunk i is AES-256-GCM over up to `chunk` bytes with nonce = prefix ‖ i and
associated data = SHA-256(magic ‖ header) ‖ final flag: the header cannot be
altered, chunks cannot be reordered, dropped or swapped between files, and
a file cut short fails on its last chunk (which was not sealed as final).
`EncryptingWriter` / `DecryptingReader` are file objects for `tarfile`'s
streaming modes, so neither side ever holds the whole backup in memory.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from typing import BinaryIO

MAGIC = b"ZWGKENC1"
FORMAT = "zwgk-backup-encrypted"
CHUNK = 1024 * 1024
TAG = 16
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MAX_HEADER = 64 * 1024


class WrongPassword(Exception):
    """The first chunk does not open with this password (or the header was altered)."""


class Damaged(Exception):
    """The container is cut short, altered or not one of ours."""


def derive_key(password: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password.encode("utf-8"))


def _aad(header_digest: bytes, final: bool) -> bytes:
    return header_digest + (b"\x01" if final else b"\x00")


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">Q", index)


class EncryptingWriter:
    """A write-only file object: bytes written are sealed chunk by chunk into `out`."""

    def __init__(self, out: BinaryIO, password: str, info: dict | None = None):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        salt, prefix = os.urandom(16), os.urandom(4)
        header = {
            "format": FORMAT, "version": 1, "cipher": "AES-256-GCM", "chunk": CHUNK,
            "kdf": {"name": "scrypt", "salt": base64.b64encode(salt).decode("ascii"),
                    "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P},
            "nonce_prefix": base64.b64encode(prefix).decode("ascii"), **(info or {}),
        }
        header_bytes = json.dumps(header, ensure_ascii=False, sort_keys=True).encode("utf-8")
        self._aead = AESGCM(derive_key(password, salt))
        self._digest = hashlib.sha256(MAGIC + header_bytes).digest()
        self._prefix = prefix
        self._out = out
        self._buffer = bytearray()
        self._index = 0
        self.closed = False
        out.write(MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes)

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep at least one byte back: the final chunk is never empty unless all is
            self._seal(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, final: bool) -> None:
        self._out.write(self._aead.encrypt(_nonce(self._prefix, self._index), plain, _aad(self._digest, final)))
        self._index += 1

    def close(self) -> None:
        """Seal what is left as the final chunk (does not close `out`)."""
        if not self.closed:
            self._seal(bytes(self._buffer), final=True)
            self._buffer.clear()
            self.closed = True

    def flush(self) -> None:
        pass


def read_header(fh: BinaryIO) -> tuple[dict, bytes]:
    """(header, header bytes) of an encrypted backup; `Damaged` if it is not one."""
    magic = fh.read(len(MAGIC))
    if magic != MAGIC:
        raise Damaged("not an encrypted zwgk backup")
    raw_len = fh.read(4)
    if len(raw_len) != 4:
        raise Damaged("header cut short")
    (length,) = struct.unpack(">I", raw_len)
    if not 0 < length <= MAX_HEADER:
        raise Damaged("bad header length")
    header_bytes = fh.read(length)
    try:
        header = json.loads(header_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Damaged("bad header") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT or header.get("version") != 1:
        raise Damaged("unknown container version")
    return header, header_bytes


def is_encrypted_file(path) -> bool:
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


class DecryptingReader:
    """A read-only file object over an encrypted backup: yields plaintext only after each chunk authenticates."""

    def __init__(self, fh: BinaryIO, password: str):
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._invalid_tag = InvalidTag
        header, header_bytes = read_header(fh)
        try:
            kdf = header["kdf"]
            if kdf.get("name") != "scrypt" or header.get("cipher") != "AES-256-GCM":
                raise Damaged("unknown cipher")
            n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
            if not (2**10 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16):
                raise Damaged("KDF parameters out of range")
            salt = base64.b64decode(kdf["salt"], validate=True)
            self._prefix = base64.b64decode(header["nonce_prefix"], validate=True)
            self._chunk = int(header["chunk"])
            if len(self._prefix) != 4 or not 1024 <= self._chunk <= 16 * 1024 * 1024:
                raise Damaged("bad header values")
        except (KeyError, TypeError, ValueError) as exc:
            raise Damaged("bad header values") from exc
        self.header = header
        self._aead = AESGCM(derive_key(password, salt, n, r, p))
        self._digest = hashlib.sha256(MAGIC + header_bytes).digest()
        self._fh = fh
        self._index = 0
        self._pending = fh.read(self._chunk + TAG)
        self._plain = bytearray()
        self._done = False

    def _next_chunk(self) -> None:
        sealed = self._pending
        if not sealed:
            raise Damaged("cut short: the final chunk is missing")
        self._pending = self._fh.read(self._chunk + TAG)
        final = not self._pending
        try:
            plain = self._aead.decrypt(_nonce(self._prefix, self._index), sealed, _aad(self._digest, final))
        except self._invalid_tag:
            if self._index == 0 and not final:
                raise WrongPassword() from None
            if self._index == 0:
                # a one-chunk file: wrong password, or cut exactly at a chunk boundary; try the non-final seal
                try:
                    self._aead.decrypt(_nonce(self._prefix, 0), sealed, _aad(self._digest, False))
                except self._invalid_tag:
                    raise WrongPassword() from None
            raise Damaged(f"chunk {self._index} does not authenticate") from None
        self._index += 1
        self._plain += plain
        self._done = final

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self._plain) < size) and not self._done:
            self._next_chunk()
        if size < 0:
            size = len(self._plain)
        out = bytes(self._plain[:size])
        del self._plain[:size]
        return out

    def close(self) -> None:
        pass
