"""The demo township: fill an empty data directory with realistic fictional data so a newcomer sees a working app.

One write, one transaction (`services.demo.create_demo` does the work and
reports progress through `job`); refused in Chinese when the data directory
already holds data. The desktop runs it with a progress dialog after
`--demo-if-empty`; `zwgk demo` may call it the same way.
"""

from __future__ import annotations

from zwgk_desktop.core.users import Actor
from zwgk_desktop.ops.base import unit_of_work, writes
from zwgk_desktop.services.demo import DemoSummary
from zwgk_desktop.services.demo import create_demo as build_demo


@writes("notices", "items", "postings", "objections", "households", "villages", "boards", "settings")
def create_demo(db, actor: Actor, households: int = 2400, seed: int = 2026, *, job=None) -> DemoSummary:
    """Create the demo township (`households` households, same people for the same `seed`)."""
    with unit_of_work(db, actor) as session:
        return build_demo(session, households=households, seed=seed, job=job)
