"""The county server against hostile clients (issue 18 item 7): deep and out-of-range JSON, blob probing and spoiling,
token theft (rotation, idle expiry, revocation from the staff page), enrollment over plain http."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import run_cli
from tests.county.kit import CountyProcess, test_http
from zwgk_desktop.county.service import issue_enroll_code
from zwgk_desktop.county.store import Blob, Device, Receipt, Record, open_store, utcnow


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "county")
    yield s
    s.dispose()


@pytest.fixture
def api(store):
    with test_http(store) as client:
        yield client


def device(api, store, township="青山镇") -> dict:
    code = issue_enroll_code(store, township)["code"]
    answer = api.post("/api/v1/enroll", json={"code": code, "device_name": "pc"}).json()
    return {"Authorization": f"Bearer {answer['token']}", **answer}


def auth(d: dict) -> dict:
    return {"Authorization": d["Authorization"]}


def photo_record(key: str, entity_id: str, sha: str, version: int = 1) -> dict:
    return {"key": key, "entity": "photo", "entity_id": entity_id, "row_version": version, "op": "upsert",
            "data": {"id": entity_id, "sha256": sha}}


def stored_rows(store) -> tuple[int, int]:
    with store.session() as s:
        return (s.execute(select(func.count()).select_from(Record)).scalar_one(),
                s.execute(select(func.count()).select_from(Receipt)).scalar_one())


# --- JSON and integers -------------------------------------------------------------------------


def test_json_nested_100000_deep_is_a_400_from_a_real_server_process(tmp_path):
    """A body nested 100,000 deep gets 400 invalid_input (not a 500 RecursionError), and the server keeps serving."""
    server = CountyProcess(tmp_path / "county").start()
    try:
        s = open_store(server.data_dir)
        code = issue_enroll_code(s, "青山镇")["code"]
        s.dispose()
        token = httpx.post(f"{server.url}/api/v1/enroll", json={"code": code, "device_name": "pc"}).json()["token"]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        deep = b'{"records": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
        answer = httpx.post(f"{server.url}/api/v1/changes", content=deep, headers=headers, timeout=30)
        assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_input"
        assert "嵌套过深" in answer.json()["error"]["message"]
        forty = b'{"records": [' + b'{"a":' * 40 + b"1" + b"}" * 40 + b"]}"
        assert httpx.post(f"{server.url}/api/v1/changes", content=forty, headers=headers).status_code == 400
        assert httpx.get(f"{server.url}/api/v1/stats", headers=headers).status_code == 200
    finally:
        server.stop()


@pytest.mark.parametrize("body", [
    b'{"records": [{"key": "k1", "entity": "disclosure", "entity_id": "d1", "row_version": 1180591620717411303424,'
    b' "op": "upsert", "data": {"id": "d1"}}]}',
    b'{"records": [{"key": "k1", "entity": "disclosure", "entity_id": "d1", "row_version": 1, "op": "upsert",'
    b' "data": {"id": "d1", "amount_fen": NaN}}]}',
    b'{"records": [{"key": "k1", "entity": "disclosure", "entity_id": "d1", "row_version": 1, "op": "upsert",'
    b' "data": {"id": "d1", "total": Infinity}}]}',
    b'{"records": [{"key": "k1", "entity": "disclosure", "entity_id": "d1", "row_version": 1, "op": "upsert",'
    b' "data": {"id": "d1", "total": -Infinity, "x": 1e999}}]}',
], ids=["row_version_2**70", "NaN", "Infinity", "-Infinity_and_1e999"])
def test_out_of_range_numbers_are_refused_whole_and_nothing_is_stored(api, store, body):
    """row_version 2^70, NaN and ±Infinity: 400 invalid_input for the whole batch; no record, no receipt."""
    d = device(api, store)
    answer = api.post("/api/v1/changes", content=body, headers={**auth(d), "Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_input"
    assert stored_rows(store) == (0, 0)


@pytest.mark.parametrize("url", [
    "/api/v1/reference?since=1180591620717411303424", "/api/v1/reference?since=-1", "/api/v1/reference?since=1e3",
])
def test_out_of_range_query_integers_are_400(api, store, url):
    """A cursor beyond 64 bits, negative or not a plain integer is a 400, never an OverflowError."""
    answer = api.get(url, headers=auth(device(api, store)))
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "invalid_input"


def test_a_huge_upload_offset_is_refused(api, store):
    """Content-Range offsets beyond 64 bits are refused (416), nothing written."""
    d = device(api, store)
    sha = hashlib.sha256(b"x").hexdigest()
    api.post("/api/v1/changes", json={"records": [photo_record("p1", "ph1", sha)]}, headers=auth(d))
    answer = api.put(f"/api/v1/blobs/{sha}", content=b"x",
                     headers={**auth(d), "Content-Range": f"bytes {2**70}-{2**70}/{2**71}"})
    assert answer.status_code == 416
    assert not store.blob_path(sha).exists()


# --- blobs: no probing, no spoiling ---------------------------------------------------------------


def test_a_township_learns_nothing_about_another_townships_photos(api, store):
    """B asks about a hash only A registered (and the county holds): status 404, `missing` silent, listed unregistered."""
    a, b = device(api, store, "青山镇"), device(api, store, "桃园镇")
    data = b"photo of a notice board" * 100
    sha = hashlib.sha256(data).hexdigest()
    assert api.post("/api/v1/changes", json={"records": [photo_record("a1", "pa1", sha)]},
                    headers=auth(a)).json()["results"][0]["status"] == "accepted"
    assert api.put(f"/api/v1/blobs/{sha}?offset=0&total={len(data)}", content=data, headers=auth(a)).json()["complete"]
    assert api.get(f"/api/v1/blobs/{sha}/status", headers=auth(a)).json()["complete"]
    probe = api.get(f"/api/v1/blobs/{sha}/status", headers=auth(b))
    assert probe.status_code == 404 and probe.json()["error"]["code"] == "blob_not_registered"
    unknown = api.get(f"/api/v1/blobs/{'c' * 64}/status", headers=auth(b))
    assert unknown.status_code == 404 and unknown.json()["error"] == probe.json()["error"]
    assert api.head(f"/api/v1/blobs/{sha}", headers=auth(b)).status_code == 404
    answer = api.post("/api/v1/blobs/missing", json={"hashes": [sha]}, headers=auth(b)).json()
    assert answer == {"missing": [], "offsets": {}, "unregistered": [sha]}


def test_another_township_cannot_spoil_an_upload_in_progress(api, store):
    """A uploads half a photo; B registers the same hash and writes garbage: A's upload still completes and verifies,
    B's garbage is refused as a hash mismatch."""
    a, b = device(api, store, "青山镇"), device(api, store, "桃园镇")
    data = bytes(range(256)) * 400
    sha = hashlib.sha256(data).hexdigest()
    api.post("/api/v1/changes", json={"records": [photo_record("a1", "pa1", sha)]}, headers=auth(a))
    assert api.put(f"/api/v1/blobs/{sha}?offset=0&total={len(data)}", content=data[:50_000],
                   headers=auth(a)).json()["offset"] == 50_000
    api.post("/api/v1/changes", json={"records": [photo_record("b1", "pb1", sha)]}, headers=auth(b))
    assert api.get(f"/api/v1/blobs/{sha}/status", headers=auth(b)).json()["offset"] == 0  # B sees only its own part
    garbage = api.put(f"/api/v1/blobs/{sha}?offset=0&total={len(data)}", content=b"\0" * len(data), headers=auth(b))
    assert garbage.status_code == 422 and garbage.json()["error"]["code"] == "hash_mismatch"
    done = api.put(f"/api/v1/blobs/{sha}?offset=50000&total={len(data)}", content=data[50_000:], headers=auth(a))
    assert done.json()["complete"] and store.blob_path(sha).read_bytes() == data
    with store.session() as s:
        assert s.get(Blob, sha).size == len(data)


def test_an_upload_of_a_hash_the_township_never_registered_is_refused(api, store):
    """PUT of a hash no row of the township names: 403 blob_not_registered, nothing written."""
    d = device(api, store)
    data = b"unrelated"
    sha = hashlib.sha256(data).hexdigest()
    answer = api.put(f"/api/v1/blobs/{sha}?offset=0&total={len(data)}", content=data, headers=auth(d))
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "blob_not_registered"
    assert not store.blob_path(sha).exists() and not list(store.partial_dir.rglob("*.part"))


# --- device tokens ---------------------------------------------------------------------------------


def test_tokens_rotate_and_the_old_one_lapses_after_its_grace(api, store):
    """POST /token gives a new token; the old one still works during the grace period and is refused after it."""
    d = device(api, store)
    old = auth(d)
    fresh = api.post("/api/v1/token", headers=old).json()["token"]
    new = {"Authorization": f"Bearer {fresh}"}
    assert fresh != d["token"] and api.get("/api/v1/stats", headers=new).status_code == 200
    assert api.get("/api/v1/stats", headers=old).status_code == 200
    with store.session() as s:
        s.get(Device, d["device_id"]).prev_valid_until = utcnow() - timedelta(seconds=1)
    refused = api.get("/api/v1/stats", headers=old)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorized"
    assert api.get("/api/v1/stats", headers=new).status_code == 200


def test_a_token_idle_too_long_expires(api, store):
    """A device silent for longer than the idle limit must enroll again (401 token_expired, in Chinese)."""
    d = device(api, store)
    with store.session() as s:
        s.get(Device, d["device_id"]).last_seen_at = utcnow() - timedelta(days=store.token_idle_days + 1)
    answer = api.get("/api/v1/stats", headers=auth(d))
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "token_expired"
    assert "重新注册" in answer.json()["error"]["message"]


def test_a_device_is_revoked_from_the_staff_page_only_with_the_admin_key(api, store):
    """The staff page lists the device with a revoke form; a wrong key changes nothing, the right one revokes it."""
    d = device(api, store)
    page = api.get("/").text
    assert f'action="/devices/{d["device_id"]}/revoke"' in page and "管理密钥" in page
    wrong = api.post(f"/devices/{d['device_id']}/revoke", content=b"admin_key=guess",
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert wrong.status_code == 403 and "管理密钥不正确" in wrong.text
    assert api.get("/api/v1/stats", headers=auth(d)).status_code == 200
    ok = api.post(f"/devices/{d['device_id']}/revoke", content=f"admin_key={store.admin_key()}".encode(),
                  headers={"Content-Type": "application/x-www-form-urlencoded"}, follow_redirects=False)
    assert ok.status_code == 303
    refused = api.get("/api/v1/stats", headers=auth(d))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "device_revoked"
    assert "已撤销" in api.get("/").text


def test_the_admin_key_is_private_and_shown_by_the_cli(tmp_path):
    """`county admin-key` prints the key kept in a 600 file of the county data dir."""
    import os
    import stat

    code, payload, _ = run_cli("county", "admin-key", "--data", str(tmp_path / "c"), "--json")
    assert code == 0 and len(payload["admin_key"]) >= 24
    assert stat.S_IMODE(os.stat(tmp_path / "c" / "admin-key").st_mode) == 0o600
    assert run_cli("county", "admin-key", "--data", str(tmp_path / "c"), "--json")[1] == payload
