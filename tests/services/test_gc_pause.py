"""One collector pause for imports and prints: nested and overlapping pauses restore the collector only at the end."""

from __future__ import annotations

import gc
import threading

from zwgk_desktop.services.gc_pause import paused_gc
from zwgk_desktop.services.printing.pdfmeta import paused_gc as printing_pause
from zwgk_desktop.services.rosters import importer, preview


def test_imports_and_prints_share_one_pause():
    """The roster import and the PDF writers use the same `paused_gc` (no second, unsafe variant)."""
    assert printing_pause is paused_gc
    assert preview.paused_gc is paused_gc and importer.paused_gc is paused_gc
    assert not hasattr(preview, "gc_paused")


def test_an_import_ending_during_a_print_keeps_the_collector_off_until_the_print_ends():
    """Overlapping pauses from two threads: the collector comes back only when the last one ends."""
    assert gc.isenabled()
    print_started, import_done, print_may_end = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def printing():
        with paused_gc():
            print_started.set()
            import_done.wait(5)
            seen["during_print_after_import"] = gc.isenabled()
            print_may_end.set()

    worker = threading.Thread(target=printing)
    with paused_gc():  # an import starts first
        worker.start()
        print_started.wait(5)
    import_done.set()
    print_may_end.wait(5)
    worker.join(5)
    assert seen["during_print_after_import"] is False
    assert gc.isenabled()
