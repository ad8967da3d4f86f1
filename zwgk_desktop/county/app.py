"""The county web API (Starlette): HTTP + JSON under `/api/v1`, as documented in docs/openapi.yaml.

Thin layer: parse and size-limit the request (JSON strictly: depth,
64-bit integers, no NaN/Infinity; integer query parameters within range —
hostile input is a 400 `invalid_input`, never a 500), authenticate the
bearer token, call `county.service` in a worker thread, answer JSON. Errors
are `{"error": {"code", "message"}}` with the service's HTTP status. `GET /`
is the page for county staff (`county.web`); its only action, revoking a
device, is a form that must carry the county's admin key. Fault injection
for tests (`county.faults`) is inert unless its environment variable is set.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from functools import wraps
from html import escape
from urllib.parse import parse_qs, quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from zwgk_desktop import __version__
from zwgk_desktop.county import service, web
from zwgk_desktop.county.faults import FaultPlan, InjectedFault, admin_enabled, plan_from_env
from zwgk_desktop.county.service import CountyError
from zwgk_desktop.county.store import CountyStore

API = "/api/v1"


def error_response(exc: CountyError) -> JSONResponse:
    return JSONResponse({"error": exc.as_json()}, status_code=exc.status)


def endpoint(route_name: str | None = None):
    """Wrap a handler: fault hooks around it, CountyError → JSON error, injected fault → 500."""

    def decorate(fn):
        @wraps(fn)
        async def wrapper(request: Request):
            faults: FaultPlan = request.app.state.faults
            try:
                if route_name:
                    await run_in_threadpool(faults.trigger, route_name, "before")
                response = await fn(request)
                if route_name:
                    await run_in_threadpool(faults.trigger, route_name, "after")
                return response
            except CountyError as exc:
                return error_response(exc)
            except InjectedFault:
                return JSONResponse({"error": {"code": "server_error", "message": "县级服务器内部错误（测试注入）。"}},
                                    status_code=500)

        return wrapper

    return decorate


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise CountyError(f"请求体超过 {limit // (1024 * 1024)} MB 上限。", code="too_large", status=413)
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise CountyError(f"请求体超过 {limit // (1024 * 1024)} MB 上限。", code="too_large", status=413)
        parts.append(chunk)
    return b"".join(parts)


async def read_json(request: Request) -> dict:
    body = await read_body(request, service.MAX_JSON_BYTES)
    data = await run_in_threadpool(service.parse_json, body)
    if not isinstance(data, dict):
        raise CountyError("请求体应为 JSON 对象。", code="invalid_json")
    return data


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


async def who(request: Request) -> service.DeviceIdentity:
    return await run_in_threadpool(service.authenticate, request.app.state.store, bearer(request))


def store_of(request: Request) -> CountyStore:
    return request.app.state.store


# --- endpoints ---------------------------------------------------------------------


@endpoint("time")
async def get_time(request: Request):
    now = datetime.now(timezone.utc) + timedelta(seconds=request.app.state.faults.clock_offset_s)
    return JSONResponse({"now": now.isoformat().replace("+00:00", "Z"), "version": __version__})


@endpoint()
async def post_enroll(request: Request):
    data = await read_json(request)
    result = await run_in_threadpool(
        service.enroll_device, store_of(request), str(data.get("code", "")), str(data.get("device_name", ""))
    )
    return JSONResponse(result)


@endpoint("changes")
async def post_changes(request: Request):
    identity = await who(request)
    data = await read_json(request)
    results = await run_in_threadpool(service.apply_changes, store_of(request), identity, data.get("records"))
    return JSONResponse({"results": results})


@endpoint("missing")
async def post_missing(request: Request):
    identity = await who(request)
    data = await read_json(request)
    missing, unregistered = await run_in_threadpool(service.missing_blobs, store_of(request), identity,
                                                    data.get("hashes"))
    offsets = await run_in_threadpool(service.partial_offsets, store_of(request), identity, missing)
    return JSONResponse({"missing": missing, "offsets": offsets, "unregistered": unregistered})


def _int_param(request: Request, name: str, default: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        if default is None:
            raise CountyError(f"缺少参数 {name}。", code="invalid_input")
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        raise CountyError(f"参数 {name} 应为 0 到 {service.MAX_INT} 之间的整数。", code="invalid_input")
    return service.bounded(int(raw), name)


def _range(request: Request) -> tuple[int, int]:
    """Offset and total from `?offset=&total=` or `Content-Range: bytes START-END/TOTAL`."""
    header = request.headers.get("content-range", "")
    if header.startswith("bytes "):
        try:
            span, total = header[6:].split("/")
            start = span.split("-")[0]
            if not (start.isascii() and start.isdigit() and total.isascii() and total.isdigit()) \
                    or len(start) > 19 or len(total) > 19:
                raise ValueError(header)
            return service.bounded(int(start), "offset"), service.bounded(int(total), "total")
        except ValueError:
            raise CountyError("Content-Range 格式错误。", code="invalid_range", status=416) from None
    return _int_param(request, "offset", 0), _int_param(request, "total")


@endpoint("blob_put")
async def put_blob(request: Request):
    identity = await who(request)
    sha256 = service.check_sha(request.path_params["sha256"])
    offset, total = _range(request)
    body = await read_body(request, service.MAX_CHUNK_BYTES)
    die = request.app.state.faults.half_write_then_exit("blob_put")
    result = await run_in_threadpool(service.put_blob_chunk, store_of(request), identity, sha256, offset, total, body, die)
    return JSONResponse(result)


@endpoint()
async def blob_status(request: Request):
    identity = await who(request)
    status = await run_in_threadpool(service.blob_status, store_of(request), identity, request.path_params["sha256"])
    if request.method == "HEAD":
        return Response(status_code=200, headers={"Upload-Offset": str(status["offset"]),
                                                  "Upload-Complete": "1" if status["complete"] else "0"})
    return JSONResponse(status)


@endpoint("reference")
async def get_reference(request: Request):
    await who(request)
    since = _int_param(request, "since", 0)
    return JSONResponse(await run_in_threadpool(service.reference_since, store_of(request), since))


@endpoint("stats")
async def get_stats(request: Request):
    identity = await who(request)
    return JSONResponse(await run_in_threadpool(service.device_stats, store_of(request), identity))


@endpoint()
async def index_page(request: Request):
    revoked = request.query_params.get("revoked")
    return HTMLResponse(await run_in_threadpool(web.render_index, store_of(request), revoked))


@endpoint()
async def township_page(request: Request):
    html = await run_in_threadpool(web.render_township, store_of(request), request.path_params["township_id"])
    return HTMLResponse(html)


@endpoint()
async def verification_page(request: Request):
    from zwgk_desktop.county.verify import render_verification

    status, html = await run_in_threadpool(render_verification, store_of(request), request.path_params["code"])
    return HTMLResponse(html, status_code=status)


@endpoint("token")
async def post_token(request: Request):
    identity = await who(request)
    return JSONResponse(await run_in_threadpool(service.rotate_token, store_of(request), identity))


@endpoint("audit_head")
async def post_audit_head(request: Request):
    identity = await who(request)
    data = await read_json(request)
    return JSONResponse(await run_in_threadpool(service.record_witness, store_of(request), identity, data))


@endpoint()
async def get_audit_head(request: Request):
    identity = await who(request)
    return JSONResponse(await run_in_threadpool(service.township_witness, store_of(request), identity))


async def revoke_from_page(request: Request):
    """The staff page's revoke form: the admin key must come with it; answers a small HTML page."""
    body = await read_body(request, 64 * 1024)
    form = parse_qs(body.decode("utf-8", "replace"))
    device_id = request.path_params["device_id"]
    try:
        await run_in_threadpool(service.check_admin_key, store_of(request), (form.get("admin_key") or [""])[0])
        await run_in_threadpool(service.revoke_device, store_of(request), device_id)
    except CountyError as exc:
        return HTMLResponse(web.page("未撤销", f'<div class="empty">{escape(exc.message)}<br><a href="/">返回</a></div>'),
                            status_code=exc.status)
    return RedirectResponse("/?revoked=" + quote(device_id[:36]), status_code=303)


async def set_faults(request: Request):
    if not admin_enabled():
        return JSONResponse({"error": {"code": "not_found", "message": "无此接口。"}}, status_code=404)
    data = await request.json()
    request.app.state.faults.replace(str(data.get("spec", "")))
    return JSONResponse({"ok": True})


def create_app(store: CountyStore, faults: FaultPlan | None = None) -> Starlette:
    routes = [
        Route("/", index_page, methods=["GET"]),
        Route("/townships/{township_id}", township_page, methods=["GET"]),
        Route("/v/{code}", verification_page, methods=["GET"]),
        Route(f"{API}/time", get_time, methods=["GET"]),
        Route(f"{API}/enroll", post_enroll, methods=["POST"]),
        Route(f"{API}/changes", post_changes, methods=["POST"]),
        Route(f"{API}/blobs/missing", post_missing, methods=["POST"]),
        Route(f"{API}/blobs/{{sha256}}", put_blob, methods=["PUT"]),
        Route(f"{API}/blobs/{{sha256}}", blob_status, methods=["HEAD"]),
        Route(f"{API}/blobs/{{sha256}}/status", blob_status, methods=["GET"]),
        Route(f"{API}/reference", get_reference, methods=["GET"]),
        Route(f"{API}/stats", get_stats, methods=["GET"]),
        Route(f"{API}/token", post_token, methods=["POST"]),
        Route(f"{API}/audit-head", post_audit_head, methods=["POST"]),
        Route(f"{API}/audit-head", get_audit_head, methods=["GET"]),
        Route("/devices/{device_id}/revoke", revoke_from_page, methods=["POST"]),
        Route("/_test/faults", set_faults, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.store = store
    app.state.faults = faults or plan_from_env()
    return app


def serve(store: CountyStore, host: str = "127.0.0.1", port: int = 8765, certfile: str | None = None,
          keyfile: str | None = None, port_file: str | None = None, say=print) -> None:
    """Run the server with uvicorn (TLS when a certificate and key are given) until interrupted."""
    import os
    import socket

    import uvicorn

    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on accepted sockets whose proto says TCP, and
    # without it every response (headers and body are separate writes) waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    actual = sock.getsockname()[1]
    config = uvicorn.Config(create_app(store), log_level="warning", ssl_certfile=certfile, ssl_keyfile=keyfile,
                            timeout_keep_alive=30)
    server = uvicorn.Server(config)
    scheme = "https" if certfile else "http"
    say(f"县级服务已启动：{scheme}://{host}:{actual}/")
    if port_file:
        tmp = f"{port_file}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(str(actual))
        os.replace(tmp, port_file)
    server.run(sockets=[sock])
