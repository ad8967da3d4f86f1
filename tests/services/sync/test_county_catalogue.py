"""The county catalogue copy in a data dir: laid over the shipped one, re-read when rewritten, ignored when broken."""

from __future__ import annotations

import json
import os

from zwgk_desktop.core import catalogue


def write_county_copy(data_dir, duration: int) -> None:
    raw = {"items": [{"code": "linshi", "name": "临时救助（县版）", "columns": [{"key": "name", "label": "姓名"}],
                      "rule": {"duration": duration, "unit": "working"}}]}
    path = catalogue.county_catalogue_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    os.utime(path, ns=(duration * 10**9, duration * 10**9))  # a distinct mtime even within one clock tick


def test_county_entries_replace_shipped_ones_and_the_rest_stay(tmp_path):
    """With a county copy in use, get_entry answers the county's 临时救助 and the shipped 低保; order is kept."""
    assert catalogue.use_data_dir_catalogue(tmp_path) == tmp_path / "county" / "catalogue.json"
    assert catalogue.get_entry("linshi").rule.duration == 5  # nothing pulled yet: shipped
    write_county_copy(tmp_path, 10)
    assert catalogue.get_entry("linshi").name == "临时救助（县版）"
    assert catalogue.get_entry("linshi").rule.duration == 10
    assert catalogue.get_entry("dibao").rule.duration == 7
    assert list(catalogue.load_catalogue()) == list(catalogue.CATEGORY_CODES)
    write_county_copy(tmp_path, 12)
    assert catalogue.get_entry("linshi").rule.duration == 12


def test_a_broken_county_copy_falls_back_to_the_shipped_catalogue(tmp_path):
    """An unreadable or nonsensical county copy never leaves the program without a catalogue."""
    catalogue.use_data_dir_catalogue(tmp_path)
    path = catalogue.county_catalogue_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    assert catalogue.get_entry("linshi").rule.duration == 5
    path.write_text(json.dumps({"items": [{"code": "linshi", "name": "x", "columns": [],
                                           "rule": {"duration": 0, "unit": "weeks"}}]}), encoding="utf-8")
    assert catalogue.get_entry("linshi").rule.duration == 5
