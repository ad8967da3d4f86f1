"""The photo flags' words and which flags keep a photo from counting as evidence (plain data, no database).

Kept apart from `core.photo_links` so that the import's probe (`services.photos.quality`)
can name flags without loading SQLAlchemy and the models: `zwgk photos import` starts
decoding before the database layer is imported.
"""

from __future__ import annotations

EVIDENCE_DISQUALIFYING_FLAGS = frozenset({
    "blurry", "no_exif_time", "time_mismatch", "low_resolution", "too_dark", "wrong_version", "foreign_qr",
})
# The words for every photo flag, wherever a flag is shown (gallery, evidence sheet, postings, 今日待办).
PHOTO_FLAG_LABELS = {
    "no_exif_time": "无拍摄时间（EXIF）",
    "low_resolution": "分辨率偏低",
    "blurry": "画面模糊",
    "too_dark": "光线过暗",
    "time_mismatch": "拍摄时间与张贴日期不符",
    "wrong_version": "照片中是已更正或撤回的旧版本公示（仍在张贴）",
    "foreign_qr": "照片中二维码不是本乡镇的公示（或核验码无效）",
}
