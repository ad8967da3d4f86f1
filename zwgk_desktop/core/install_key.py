"""The per-install secret: created at first run in the data dir (mode 600), never synced, never in the database.

It keys what must not be forgeable by someone who only has the database
file or a backup folder: the audit chain's digests (`core.audit`), the
chain-head file kept beside the database, and backup manifests
(`services.backup`). `key_id` names a key without revealing it (stored on
each keyed audit row and in every manifest), `install_id` names the
install. Each use has its own sub-key (HMAC of the secret with the purpose),
so a MAC made for one purpose is never valid for another.

A plain backup does not carry the secret (whoever holds the USB stick
could then re-sign a forged manifest); a password-encrypted backup does,
inside the encryption, so restoring it keeps the chain verifiable. After a
restore without the key a new key is created: the older rows keep their
own key id and remain covered by the links up to the first row of the new key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

KEY_FILE = "install-key"
KEY_BYTES = 32
FORMAT_VERSION = 1

PURPOSE_AUDIT = b"zwgk audit chain v1"
PURPOSE_ANCHOR = b"zwgk audit head v1"
PURPOSE_MANIFEST = b"zwgk backup manifest v1"
_PURPOSE_KEY_ID = b"zwgk key id v1"


@dataclass(frozen=True)
class InstallKey:
    """The install's secret with its public names; `mac(purpose, data)` is HMAC-SHA256 under a purpose sub-key."""

    secret: bytes
    install_id: str
    created_at: str = ""
    _subkeys: dict = field(default_factory=dict, compare=False, repr=False)

    def __repr__(self) -> str:  # never print the secret in a log or a traceback
        return f"InstallKey(install_id={self.install_id!r}, key_id={self.key_id!r})"

    @property
    def key_id(self) -> str:
        return hmac.new(self.secret, _PURPOSE_KEY_ID, hashlib.sha256).hexdigest()[:16]

    def subkey(self, purpose: bytes) -> bytes:
        cached = self._subkeys.get(purpose)
        if cached is None:
            cached = self._subkeys[purpose] = hmac.new(self.secret, purpose, hashlib.sha256).digest()
        return cached

    def mac(self, purpose: bytes, data: bytes) -> str:
        return hmac.new(self.subkey(purpose), data, hashlib.sha256).hexdigest()

    def check(self, purpose: bytes, data: bytes, mac: object) -> bool:
        return isinstance(mac, str) and hmac.compare_digest(self.mac(purpose, data), mac)

    def to_json(self) -> str:
        return json.dumps({"format_version": FORMAT_VERSION, "secret": base64.b64encode(self.secret).decode("ascii"),
                           "install_id": self.install_id, "created_at": self.created_at})

    @classmethod
    def from_json(cls, text: str) -> "InstallKey":
        raw = json.loads(text)
        secret = base64.b64decode(raw["secret"], validate=True)
        if len(secret) != KEY_BYTES or not isinstance(raw.get("install_id"), str):
            raise ValueError("bad install key")
        return cls(secret, raw["install_id"], str(raw.get("created_at") or ""))


def new_install_key() -> InstallKey:
    created = datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    return InstallKey(secrets.token_bytes(KEY_BYTES), str(uuid.uuid4()), created)


def key_path(data_dir: Path) -> Path:
    return Path(data_dir) / KEY_FILE


def load_install_key(data_dir: Path) -> InstallKey | None:
    """The data dir's key, or None when there is none (or it is unreadable: treated as absent, never guessed)."""
    try:
        return InstallKey.from_json(key_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_install_key(data_dir: Path, key: InstallKey) -> Path:
    """Store `key` readable by this user only (600), atomically; an existing key file is never overwritten."""
    target = key_path(data_dir)
    tmp = target.with_name(f".{KEY_FILE}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, key.to_json().encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    try:
        os.link(tmp, target)  # fails if another process created the key meanwhile: theirs wins
    except FileExistsError:
        pass
    except OSError:  # file systems without hard links
        if not target.exists():
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def ensure_install_key(data_dir: Path) -> tuple[InstallKey, bool]:
    """The data dir's key, creating it on first run; (key, created now?)."""
    key = load_install_key(data_dir)
    if key is not None:
        return key, False
    if key_path(data_dir).exists():
        # A damaged key file is kept for inspection and replaced; rows keyed with it stay linked (see module doc).
        os.replace(key_path(data_dir), key_path(data_dir).with_name(f"{KEY_FILE}.damaged-{secrets.token_hex(4)}"))
    write_install_key(data_dir, new_install_key())
    key = load_install_key(data_dir)
    if key is None:
        raise OSError(f"could not create {key_path(data_dir)}")
    return key, True
