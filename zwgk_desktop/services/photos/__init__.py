"""The photo evidence archive (留痕照片): import, quality flags, linking to postings, evidence packages.

Modules: `probe` (identify/guard/decode/EXIF, pure), `quality` (flags),
`archive` (originals by SHA-256, caches, captioned copies, verification),
`link` (postings ↔ photos), `importer` (batch import in one transaction),
`evidence` (per-notice evidence package). No Qt anywhere.

The names below are resolved on first use (PEP 562), so importing one
submodule — e.g. the importer, which starts decoding photos before the
database layer is even imported — does not pull in all the others.
"""

from __future__ import annotations

from zwgk_desktop.lazy import lazy_exports

_EXPORTS = {
    "FLAG_LABELS": "quality",
    "ImportReport": "importer",
    "PhotoProbe": "probe",
    "PhotoRejected": "probe",
    "build_evidence_package": "evidence",
    "captioned_copy": "archive",
    "display_copy_path": "archive",
    "find_original": "archive",
    "import_photos": "importer",
    "link_photo": "link",
    "posting_evidence": "link",
    "probe_bytes": "probe",
    "probe_file": "probe",
    "suggest_posting": "link",
    "thumbnail_path": "archive",
    "verify_archive": "archive",
}

__all__ = sorted(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
