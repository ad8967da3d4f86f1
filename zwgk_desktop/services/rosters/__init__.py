"""Roster import/export (花名册): read messy county spreadsheets into checked line items, write 台账 and templates.

Public API for the UI and the CLI:
- `read_roster(path, category, villages, existing_ids, mapping_override=None, job=None)` → `RosterPreview`
  (no database; see `preview.py`);
- `import_roster(session, preview_or_path, ...)` → `ImportResult` (one transaction; see `importer.py`);
- `write_import_report(preview, path)` (report.py), `export_ledger(...)` and `write_template(...)` (export.py).
"""

from zwgk_desktop.services.rosters.preview import RosterPreview, read_roster

__all__ = ["RosterPreview", "read_roster"]
