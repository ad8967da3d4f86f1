"""The photo evidence archive (留痕照片): import, quality flags, linking to postings, evidence packages.

Modules: `probe` (identify/guard/decode/EXIF, pure), `quality` (flags),
`archive` (originals by SHA-256, caches, captioned copies, verification),
`link` (postings ↔ photos), `importer` (batch import in one transaction),
`evidence` (per-notice evidence package). No Qt anywhere.
"""

from zwgk_desktop.services.photos.archive import (
    captioned_copy,
    display_copy_path,
    find_original,
    thumbnail_path,
    verify_archive,
)
from zwgk_desktop.services.photos.evidence import build_evidence_package
from zwgk_desktop.services.photos.importer import ImportReport, import_photos
from zwgk_desktop.services.photos.link import link_photo, posting_evidence, suggest_posting
from zwgk_desktop.services.photos.probe import PhotoProbe, PhotoRejected, probe_bytes, probe_file
from zwgk_desktop.services.photos.quality import FLAG_LABELS

__all__ = [
    "FLAG_LABELS",
    "ImportReport",
    "PhotoProbe",
    "PhotoRejected",
    "build_evidence_package",
    "captioned_copy",
    "display_copy_path",
    "find_original",
    "import_photos",
    "link_photo",
    "posting_evidence",
    "probe_bytes",
    "probe_file",
    "suggest_posting",
    "thumbnail_path",
    "verify_archive",
]
