"""Rosters (花名册): preview, import, problem report, 台账 export, blank template, and editing a draft's lines.

A reader's path through "import a roster":
1. `zwgk import F --category dibao` (commands/import_cmd.py) or 导入花名册 (ui/import_dialog.py);
2. → `ops.rosters.import_roster(db, actor, F, "dibao")` here: one unit of work;
3. → `services.rosters`: the file is read in a child process with limits (sandbox.py, reader.py),
   the header found and mapped (table.py, mapping.py), every row checked (validate.py);
4. → `importer.import_roster`: under SQLite's write lock the rows are checked against the database
   (a file: once, after it is read; a preview the clerk looked at: its ID numbers again) and the
   draft, its lines, the households, their outbox entries and one audit event are written;
5. → the CLI prints `ImportResult.as_json()`, the desktop tells every page `changed(notices, items, households)`.

The preview op only reads (the desktop runs it on the worker pool, the file itself in a child
process); the import op writes on the database thread. `source` is a path, a `PendingRead`
already started (the CLI starts reading before it opens the database), or, for the import, the
`RosterPreview` the clerk looked at.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.users import EDIT, Actor
from zwgk_desktop.ops.base import read_session, reads, unit_of_work, writes


@reads
def preview_roster(db, actor: Actor, source, category: str, mapping_override: Mapping[str, Any] | None = None,
                   *, job: Job | None = None):
    """A checked preview of the roster against this township's villages, active notices and remembered mappings."""
    from zwgk_desktop.services.rosters.importer import notice_title, roster_facts
    from zwgk_desktop.services.rosters.preview import read_roster

    with read_session(db, actor) as session:
        facts = roster_facts(session, category)
    preview = read_roster(source, category, villages=facts.villages, existing_ids=facts.existing_ids,
                          mapping_override=mapping_override, job=job, known_mappings=facts.known_mappings)
    preview.default_title = notice_title(None, category, facts.township)
    return preview


@writes("notices", "items", "households")
def import_roster(db, actor: Actor, source, category: str | None = None, *, title: str | None = None,
                  dry_run: bool = False, mapping_override: Mapping[str, Any] | None = None, job: Job | None = None):
    """A roster (path, pending read or checked preview) becomes a new draft notice: `ImportResult`."""
    from zwgk_desktop.services.rosters import importer

    actor.require(EDIT)
    with unit_of_work(db, actor) as session:
        return importer.import_roster(session, source, category=category, title=title, dry_run=dry_run,
                                      mapping_override=mapping_override, author=actor.username, job=job)


@dataclass(frozen=True)
class WrittenFile:
    path: Path

    def as_json(self) -> dict:
        return {"path": str(self.path)}


@reads
def write_import_report(db, actor: Actor, preview, path: str | os.PathLike) -> WrittenFile:
    """The problem report workbook of a preview (no database needed; `db` may be None)."""
    from zwgk_desktop.services.rosters.report import write_import_report as write

    return WrittenFile(write(preview, path))


@reads
def export_ledger(db, actor: Actor, path: str | os.PathLike, *, disclosure_id: str | None = None,
                  category: str | None = None, village: str | None = None, preset: str = "semi_public",
                  job: Job | None = None):
    """The 台账 of one notice or one category as .xlsx (`LedgerResult`), masked per `preset`."""
    from zwgk_desktop.services.rosters.export import export_ledger as export

    with read_session(db, actor) as session:
        return export(session, path, disclosure_id=disclosure_id, category=category, village=village,
                      preset=preset, job=job, village_ids=actor.village_scope)


@dataclass(frozen=True)
class TemplateResult:
    path: Path
    category: str
    columns: list[str]

    def as_json(self) -> dict:
        return {"path": str(self.path), "category": self.category, "columns": self.columns}


@reads
def write_template(db, actor: Actor, category: str, path: str | os.PathLike) -> TemplateResult:
    """A blank roster of the category that imports without questions (no database needed; `db` may be None)."""
    from zwgk_desktop.core.catalogue import get_entry
    from zwgk_desktop.services.rosters.export import template_columns, write_template as write

    entry = get_entry(category)
    return TemplateResult(write(category, path), category, [c.label for c in template_columns(entry)])


@reads
def load_draft(db, actor: Actor, disclosure_id: str):
    """A draft's lines as editor texts (`DraftForEdit`), only those the actor may edit."""
    from zwgk_desktop.services.rosters.edit import load_draft as load

    with read_session(db, actor) as session:
        return load(session, actor, disclosure_id)


@writes("items", "notices", "households")
def save_draft_edits(db, actor: Actor, disclosure_id: str, edits):
    """Check every changed line with the import's rules, then write them all (`EditResult`), or nothing."""
    from zwgk_desktop.services.rosters.edit import save_draft_edits as save

    with unit_of_work(db, actor) as session:
        return save(session, actor, disclosure_id, edits)
