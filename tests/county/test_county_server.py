"""The county server's own rules: one-time enrollment, revocation, idempotency, township isolation, limits, TLS, staff page."""

from __future__ import annotations

import hashlib
import subprocess

import httpx
import pytest

from tests.conftest import run_cli
from tests.county.kit import CountyProcess, test_http
from zwgk_desktop.county.service import issue_enroll_code, revoke_device
from zwgk_desktop.county.store import open_store


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
    return {"Authorization": f"Bearer {answer['token']}", **answer, "code": code}


def change(key, entity="disclosure", entity_id="d1", version=1, **data):
    return {"key": key, "entity": entity, "entity_id": entity_id, "row_version": version, "op": "upsert",
            "data": {"id": entity_id, **data}}


def push(api, auth, *records):
    response = api.post("/api/v1/changes", json={"records": list(records)}, headers={"Authorization": auth})
    return [r["status"] for r in response.json()["results"]]


def test_an_enrollment_code_works_once_and_the_token_is_stored_hashed(api, store, tmp_path):
    """A code enrolls one device; reusing it is refused; the database holds only the token's hash."""
    d = device(api, store)
    again = api.post("/api/v1/enroll", json={"code": d["code"], "device_name": "pc2"})
    assert again.status_code == 403 and again.json()["error"]["code"] == "bad_enroll_code"
    import sqlite3

    conn = sqlite3.connect(tmp_path / "county" / "county.sqlite3")
    dump = "\n".join(conn.iterdump())
    conn.close()
    assert d["token"] not in dump and d["code"].replace("-", "") not in dump
    assert hashlib.sha256(d["token"].encode()).hexdigest() in dump


def test_unknown_and_revoked_devices_are_refused(api, store):
    """No token or a wrong token gets 401; a revoked device gets 403 with a Chinese message."""
    assert api.get("/api/v1/stats").status_code == 401
    assert api.get("/api/v1/stats", headers={"Authorization": "Bearer nope"}).status_code == 401
    d = device(api, store)
    assert api.get("/api/v1/stats", headers={"Authorization": d["Authorization"]}).status_code == 200
    revoke_device(store, d["device_id"])
    refused = api.get("/api/v1/stats", headers={"Authorization": d["Authorization"]})
    assert refused.status_code == 403 and "撤销" in refused.json()["error"]["message"]


def test_changes_are_idempotent_on_key_and_on_row_version(api, store):
    """The same key twice, or the same row version under a new key, is a duplicate; an older version is a conflict."""
    auth = device(api, store)["Authorization"]
    assert push(api, auth, change("k1", title="A")) == ["accepted"]
    assert push(api, auth, change("k1", title="A"), change("k2", title="A")) == ["duplicate", "duplicate"]
    assert push(api, auth, change("k3", version=2, title="B")) == ["accepted"]
    assert push(api, auth, change("k4", version=1, title="old")) == ["conflict"]
    stats = api.get("/api/v1/stats", headers={"Authorization": auth}).json()
    assert stats["counts"] == {"disclosure": 1}


def test_a_device_cannot_write_another_townships_data(api, store):
    """Township B's device can neither overwrite A's rows nor claim A's township id."""
    a = device(api, store, "青山镇")["Authorization"]
    b = device(api, store, "桃园镇")["Authorization"]
    assert push(api, a, change("a1", "township", "T-A", name="青山镇"), change("a2", township_id="T-A")) == [
        "accepted", "accepted"]
    assert push(api, b, change("b1", "township", "T-B", name="桃园镇")) == ["accepted"]
    assert push(api, b, change("b2", version=5, township_id="T-B")) == ["rejected"]  # d1 is A's
    assert push(api, b, change("b3", "township", "T-A", name="青山镇")) == ["rejected"]
    assert push(api, b, change("b4", entity_id="d9", township_id="T-A")) == ["rejected"]
    assert push(api, b, change("b5", "disclosure_items", "d1") | {"data": {"items": []}}) == ["rejected"]


def test_requests_over_the_size_limits_are_refused(api, store):
    """A JSON body over 8 MB and a chunk over 8 MB are refused with 413 before anything is stored."""
    auth = {"Authorization": device(api, store)["Authorization"]}
    big = b'{"records": [' + b" " * (8 * 1024 * 1024 + 10) + b"]}"
    assert api.post("/api/v1/changes", content=big, headers=auth).status_code == 413
    sha = "a" * 64
    response = api.put(f"/api/v1/blobs/{sha}?offset=0&total={9 * 1024 * 1024}", content=b"x" * (9 * 1024 * 1024),
                       headers=auth)
    assert response.status_code == 413
    too_big = api.put(f"/api/v1/blobs/{sha}?offset=0&total={300 * 1024 * 1024}", content=b"x", headers=auth)
    assert too_big.status_code == 413


def register_blobs(api, auth, *hashes, prefix="p"):
    """Push photo rows naming `hashes`: the county then takes those files from this township."""
    records = [change(f"{prefix}{n}", "photo", f"{prefix}-photo-{n}", sha256=sha) for n, sha in enumerate(hashes)]
    assert push(api, auth["Authorization"], *records) == ["accepted"] * len(hashes)


def test_chunked_upload_checks_offsets_and_the_hash(api, store):
    """Chunks must continue at the county's offset (409 says where); a wrong hash discards the upload (422)."""
    auth = {"Authorization": device(api, store)["Authorization"]}
    data = bytes(range(256)) * 100
    sha = hashlib.sha256(data).hexdigest()
    fake = "b" * 64
    register_blobs(api, auth, sha, fake)
    assert api.put(f"/api/v1/blobs/{sha}?offset=0&total={len(data)}", content=data[:1000], headers=auth).json()[
        "offset"] == 1000
    wrong = api.put(f"/api/v1/blobs/{sha}?offset=0&total={len(data)}", content=data[:1000], headers=auth)
    assert wrong.status_code == 409 and wrong.json()["error"]["detail"]["offset"] == 1000
    assert api.head(f"/api/v1/blobs/{sha}", headers=auth).headers["Upload-Offset"] == "1000"
    done = api.put(f"/api/v1/blobs/{sha}", content=data[1000:], headers={
        **auth, "Content-Range": f"bytes 1000-{len(data) - 1}/{len(data)}"}).json()
    assert done["complete"] and store.blob_path(sha).read_bytes() == data
    refused = api.put(f"/api/v1/blobs/{fake}?offset=0&total=5", content=b"hello", headers=auth)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "hash_mismatch"
    assert api.post("/api/v1/blobs/missing", json={"hashes": [sha, fake]}, headers=auth).json()["missing"] == [fake]


def test_staff_page_flags_postings_without_photos_and_short_periods(api, store):
    """The county page lists the township and flags a posting with no photo and one removed before 7 days."""
    auth = device(api, store)["Authorization"]
    push(api, auth,
         change("1", entity_id="d1", category="dibao", title="低保公示", status="publishing"),
         change("2", "posting", "p1", disclosure_id="d1", posted_on="2026-03-02", removed_on="2026-03-04"))
    index = api.get("/").text
    assert "青山镇" in index
    page = api.get(index.split('href="')[1].split('"')[0]).text
    assert "低保公示" in page and "无照片留档" in page and "公示期不足" in page


def test_county_cli_enroll_and_stats(tmp_path):
    """`county enroll --json` prints a code and `county stats --json` lists the township with zero counts."""
    code, payload, _ = run_cli("county", "enroll", "--data", str(tmp_path / "c"), "--township", "青山镇", "--json")
    assert code == 0 and len(payload["code"]) == 19
    code, payload, _ = run_cli("county", "stats", "--data", str(tmp_path / "c"), "--json")
    assert payload["townships"] == [{"name": "青山镇", "disclosures": 0, "items": 0, "postings": 0, "photos": 0,
                                     "blobs_bytes": 0, "blobs_missing": 0}]


def test_tls_with_the_countys_self_signed_certificate(tmp_path):
    """Over HTTPS the client trusts the county's pinned certificate via county_ca_file and refuses without it."""
    from zwgk_desktop.config import Config
    from zwgk_desktop.services.sync import enroll
    from zwgk_desktop.services.sync.client import SyncError

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=county.test", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out",
                    str(cert)], check=True, capture_output=True)
    server = CountyProcess(tmp_path / "county", cert=cert, key=key).start()
    try:
        store = open_store(server.data_dir)
        code = issue_enroll_code(store, "青山镇")["code"]
        store.dispose()
        config = Config.load(tmp_path / "t")
        with pytest.raises(SyncError) as info:
            enroll(config, server.url, code)
        assert info.value.code == "sync_tls" and "证书" in info.value.message
        config.settings.county_ca_file = str(cert)
        assert enroll(config, server.url, code)["device_id"]
        assert httpx.get(server.url + "/api/v1/time", verify=False).status_code == 200
    finally:
        server.stop()
