"""A photo's further link (a photo proving two notices) travels to the county like the photo row itself."""

from __future__ import annotations

from tests.county.kit import test_http
from zwgk_desktop.county.service import issue_enroll_code
from zwgk_desktop.county.store import open_store


def test_the_county_accepts_photo_link_rows(tmp_path):
    """`photo_link` is a synced entity: the county stores it instead of rejecting an unknown kind."""
    store = open_store(tmp_path / "county")
    try:
        with test_http(store) as api:
            code = issue_enroll_code(store, "青山镇")["code"]
            token = api.post("/api/v1/enroll", json={"code": code, "device_name": "pc"}).json()["token"]
            record = {"key": "k-link", "entity": "photo_link", "entity_id": "l1", "row_version": 1, "op": "upsert",
                      "data": {"id": "l1", "photo_id": "p1", "posting_id": "s2", "role": "start", "source": "qr"}}
            answer = api.post("/api/v1/changes", json={"records": [record]}, headers={"Authorization": f"Bearer {token}"})
            assert [r["status"] for r in answer.json()["results"]] == ["accepted"]
    finally:
        store.dispose()
