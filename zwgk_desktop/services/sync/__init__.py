"""Township ↔ county sync client: `sync_once(config, job) -> SyncReport`, `enroll`, `sync_status`.

Modules: `client` (httpx, TLS, token file), `push` (outbox), `blobs` (resumable
uploads by hash), `pull` (reference data by cursor), `runner` (the whole sync).
The UI calls `sync_once` from a timer with backoff; it never imports Qt.
"""

from zwgk_desktop.services.sync.runner import SyncReport, enroll, sync_once, sync_status

__all__ = ["SyncReport", "enroll", "sync_once", "sync_status"]
