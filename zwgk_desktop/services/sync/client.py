"""HTTP client for the county API (`/api/v1`, docs/openapi.yaml) and the device credentials on disk.

`CountyClient` wraps httpx: TLS verified against the system store or the
county's own CA / pinned certificate (`settings.county_ca_file`), a bearer
token, a timeout, and every transport or server failure turned into a
`SyncError` with a Chinese message. The token lives in `<data dir>/sync-token`
(permission 600), never in the database or settings.json; every sync asks
the county for a fresh one (`rotate_token`) and stores it before anything
else, so a stolen token stops working soon.

Plain `http://` is accepted only to this computer itself (a county server on
127.0.0.1 for testing) unless the enrollment said `--insecure`:
`check_transport` refuses it otherwise and names what would travel in clear.
"""

from __future__ import annotations

import ipaddress
import os
import ssl
import threading
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from zwgk_desktop.errors import ZwgkError

API = "/api/v1"
TOKEN_FILE = "sync-token"


class SyncError(ZwgkError):
    code = "sync_failed"


class SyncUnreachable(SyncError):
    code = "sync_unreachable"


class OffsetMismatch(SyncError):
    """The county holds a different number of bytes of a blob than we assumed: resume from `offset`."""

    code = "offset_mismatch"

    def __init__(self, offset: int):
        super().__init__("续传位置不符。", detail={"offset": offset})
        self.offset = offset


_tls_contexts: dict[tuple, ssl.SSLContext] = {}
_tls_lock = threading.Lock()


def tls_verify(ca_file: str | None) -> ssl.SSLContext:
    """`verify=` for httpx: the default trust store, or only the county's CA / self-signed certificate.

    Built once per process (per CA file and its version): loading a trust store
    costs a fifth of a second, which a sync every few minutes need not pay again.
    """
    if not ca_file:
        key, build = ("default",), httpx.create_ssl_context
    else:
        path = Path(ca_file)
        if not path.is_file():
            raise SyncError(f"找不到县级服务器证书文件 {ca_file}，请在设置中重新选择。", code="sync_ca_file")
        info = path.stat()
        key = (str(path.resolve()), info.st_mtime_ns, info.st_size)

        def build() -> ssl.SSLContext:
            return ssl.create_default_context(cafile=str(path))

    with _tls_lock:
        context = _tls_contexts.get(key)
        if context is None:
            context = _tls_contexts[key] = build()
    return context


class CountyClient:
    """One conversation with the county server; close it (or use `with`) when done."""

    def __init__(self, base_url: str, token: str | None = None, *, ca_file: str = "", timeout: float = 15.0,
                 http: httpx.Client | None = None):
        if not base_url and http is None:
            raise SyncError("尚未设置县级服务器地址，请先注册本机（zwgk sync enroll）。", code="sync_not_enrolled")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._owns_http = http is None
        if http is None:
            http = httpx.Client(base_url=base_url.rstrip("/"), verify=tls_verify(ca_file),
                                timeout=httpx.Timeout(timeout), headers=headers)
        else:
            http.headers.update(headers)
        self.http = http

    def __enter__(self) -> "CountyClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_http:  # an injected client (tests, a shared pool) is closed by its owner
            self.http.close()

    # --- transport ------------------------------------------------------------------
    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            return self.http.request(method, API + path, **kwargs)
        except httpx.TimeoutException as exc:
            raise SyncUnreachable("县级服务器响应超时，数据已保留在本机，稍后会自动重试。") from exc
        except httpx.ConnectError as exc:
            if "CERTIFICATE" in str(exc).upper() or isinstance(exc.__cause__, ssl.SSLError):
                raise SyncError(
                    "县级服务器的证书无法验证，连接已中止。请确认服务器地址，或在设置中选择县里提供的证书文件。",
                    code="sync_tls",
                ) from exc
            raise SyncUnreachable("无法连接县级服务器（网络不通或服务器未开启），数据已保留在本机，稍后重试。") from exc
        except httpx.HTTPError as exc:
            raise SyncUnreachable(f"与县级服务器通信中断（{type(exc).__name__}），数据已保留在本机，稍后重试。") from exc

    def call(self, method: str, path: str, **kwargs) -> dict:
        response = self.request(method, path, **kwargs)
        return self.check(response)

    @staticmethod
    def check(response: httpx.Response) -> dict:
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.status_code < 400:
            return data
        error = data.get("error") if isinstance(data, dict) else None
        if isinstance(error, dict) and response.status_code < 500:
            raise SyncError(str(error.get("message", "")), code=str(error.get("code", "sync_failed")),
                            detail={"status": response.status_code, **(error.get("detail") or {})})
        if response.status_code >= 500:
            raise SyncUnreachable(f"县级服务器暂时出错（HTTP {response.status_code}），数据已保留在本机，稍后重试。")
        raise SyncError(f"县级服务器拒绝了请求（HTTP {response.status_code}）。", detail={"status": response.status_code})

    # --- API ----------------------------------------------------------------------------
    def enroll(self, code: str, device_name: str) -> dict:
        return self.call("POST", "/enroll", json={"code": code, "device_name": device_name})

    def server_time(self) -> tuple[datetime, float]:
        """The server's UTC time and this machine's clock skew against it in seconds (local − server)."""
        before = datetime.now(timezone.utc)
        data = self.call("GET", "/time")
        after = datetime.now(timezone.utc)
        server = datetime.fromisoformat(data["now"].replace("Z", "+00:00"))
        local = before + (after - before) / 2
        return server, (local - server).total_seconds()

    def push_changes(self, records: list[dict]) -> list[dict]:
        return self.call("POST", "/changes", json={"records": records})["results"]

    def missing_blobs(self, hashes: list[str]) -> list[str]:
        return list(self.missing_blob_offsets(hashes))

    def missing_blob_offsets(self, hashes: list[str]) -> dict[str, int | None]:
        """Hashes the county lacks → bytes it already holds (None: ask `blob_status`, an older county)."""
        return self.missing_blob_answer(hashes)[0]

    def missing_blob_answer(self, hashes: list[str]) -> tuple[dict[str, int | None], list[str]]:
        """(missing hash → bytes held, hashes the county has no record of from us, so won't take yet)."""
        answer = self.call("POST", "/blobs/missing", json={"hashes": hashes})
        offsets = answer.get("offsets")
        unregistered = [h for h in answer.get("unregistered") or () if isinstance(h, str)]
        if not isinstance(offsets, dict):
            return {sha: None for sha in answer["missing"]}, unregistered
        return {sha: _offset(offsets.get(sha, 0)) for sha in answer["missing"]}, unregistered

    def blob_status(self, sha256: str) -> dict:
        return self.call("GET", f"/blobs/{sha256}/status")

    def put_blob_chunk(self, sha256: str, offset: int, total: int, data: bytes) -> dict:
        response = self.request(
            "PUT", f"/blobs/{sha256}", params={"offset": offset, "total": total}, content=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        if response.status_code == 409:
            try:
                offset = int(response.json()["error"]["detail"]["offset"])
            except (ValueError, KeyError, TypeError):
                offset = 0
            raise OffsetMismatch(offset)
        return self.check(response)

    def rotate_token(self) -> str | None:
        """A fresh device token from the county (the old one stays valid briefly); None from an older county."""
        response = self.request("POST", "/token")
        if response.status_code == 404:
            return None
        token = self.check(response).get("token")
        if not isinstance(token, str) or not token:
            raise SyncError("县级服务器没有返回新的设备令牌。", code="sync_protocol")
        self.http.headers["Authorization"] = f"Bearer {token}"
        return token

    def post_audit_head(self, head: dict) -> dict | None:
        """Give the county our audit chain head to keep as a witness; its answer (None from an older county)."""
        response = self.request("POST", "/audit-head", json=head)
        if response.status_code == 404:
            return None
        return self.check(response)

    def audit_head(self) -> dict | None:
        """The newest chain head the county witnessed for our township (None: none yet, or an older county)."""
        response = self.request("GET", "/audit-head")
        if response.status_code == 404:
            return None
        return self.check(response).get("head")

    def reference(self, since: int) -> dict:
        return self.call("GET", "/reference", params={"since": since})

    def stats(self) -> dict:
        return self.call("GET", "/stats")


def _offset(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


# --- credentials -------------------------------------------------------------------------


def token_path(config) -> Path:
    return config.data_dir / TOKEN_FILE


def save_token(config, token: str) -> Path:
    """Write the device token readable only by this user (600), atomically."""
    target = token_path(config)
    tmp = target.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, token.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    os.replace(tmp, target)
    return target


def load_token(config) -> str | None:
    path = token_path(config)
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
CLEAR_TEXT_WARNING = (
    "通过未加密的 http 连接与 {host} 同步：户主姓名、身份证号、电话、银行账号等个人信息、公示明细和照片"
    "都将以明文在网络上传输，途经的任何设备都能看到并篡改。请尽快改用县里提供的 https 地址。"
)


def is_loopback(host: str) -> bool:
    host = (host or "").strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_transport(url: str, insecure: bool = False) -> str | None:
    """Refuse plain http to another computer unless `insecure`; the clear-text warning when allowed anyway."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncError("服务器地址应以 https:// 开头，例如 https://zwgk.xx县.gov.cn。", code="invalid_input")
    if parts.scheme == "https" or is_loopback(parts.hostname):
        return None
    warning = CLEAR_TEXT_WARNING.format(host=parts.hostname)
    if insecure:
        return warning
    raise SyncError(
        f"拒绝使用未加密的 http 地址 {url}：{warning.split('：', 1)[1]}"
        "确需临时使用（例如县里内网测试），请在命令后加 --insecure。",
        code="insecure_transport", detail={"server": url},
    )


def client_for(config, token: str | None = None, http: httpx.Client | None = None) -> CountyClient:
    settings = config.settings
    return CountyClient(settings.county_url, token if token is not None else load_token(config),
                        ca_file=settings.county_ca_file, timeout=settings.http_timeout_s, http=http)
