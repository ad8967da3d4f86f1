"""Test-only fault injection for the county server, enabled by an environment variable.

`ZWGK_COUNTY_FAULTS="ROUTE:WHEN:ACTION:COUNT;..."` (or `POST /_test/faults`
when `ZWGK_COUNTY_FAULTS_ADMIN=1`) makes the next COUNT requests to ROUTE
(`changes`, `blob_put`, `missing`, `reference`, `stats`, `time`, `token`, `audit_head`) misbehave:
WHEN `before` (nothing processed) or `after` (processed and committed, answer
lost); ACTION `500`, `sleepN` (seconds, then carry on) or `exit` (the process
dies; for `blob_put` before: half the chunk is written first).
`ZWGK_COUNTY_CLOCK_OFFSET_S=SECONDS` shifts the time `GET /api/v1/time`
reports (a county clock that runs fast, or slow when negative), so the
township's clock-skew warning can be tested. Never set in production: with
none of these variables set this module does nothing.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

FAULTS_ENV = "ZWGK_COUNTY_FAULTS"
ADMIN_ENV = "ZWGK_COUNTY_FAULTS_ADMIN"
CLOCK_OFFSET_ENV = "ZWGK_COUNTY_CLOCK_OFFSET_S"


class InjectedFault(Exception):
    """Answer this request with HTTP 500."""


@dataclass
class Fault:
    route: str
    when: str
    action: str
    remaining: int


class FaultPlan:
    def __init__(self, spec: str = "", clock_offset_s: float = 0.0):
        self._lock = threading.Lock()
        self.faults: list[Fault] = parse_spec(spec)
        self.clock_offset_s = clock_offset_s

    def replace(self, spec: str) -> None:
        with self._lock:
            self.faults = parse_spec(spec)

    def take(self, route: str, when: str) -> str | None:
        with self._lock:
            for fault in self.faults:
                if fault.route == route and fault.when == when and fault.remaining > 0:
                    fault.remaining -= 1
                    return fault.action
        return None

    def trigger(self, route: str, when: str) -> None:
        """Apply a matching fault: raise InjectedFault (500), sleep, or kill the process."""
        action = self.take(route, when)
        if action is None:
            return
        if action == "500":
            raise InjectedFault(f"injected fault {route}:{when}")
        if action.startswith("sleep"):
            time.sleep(float(action[5:] or 30))
            return
        if action == "exit":
            os._exit(17)

    def half_write_then_exit(self, route: str):
        """For blob_put: a callback that writes half the chunk and dies, if such a fault is armed."""
        if self.take(route, "mid") != "exit":
            return None

        def die(fh, body: bytes) -> None:
            fh.write(body[: len(body) // 2])
            fh.flush()
            os.fsync(fh.fileno())
            os._exit(17)

        return die


def parse_spec(spec: str) -> list[Fault]:
    faults = []
    for part in (spec or "").split(";"):
        part = part.strip()
        if not part:
            continue
        route, when, action, count = (part.split(":") + ["1"])[:4]
        faults.append(Fault(route, when, action, int(count)))
    return faults


def plan_from_env() -> FaultPlan:
    return FaultPlan(os.environ.get(FAULTS_ENV, ""), clock_offset_from_env())


def clock_offset_from_env() -> float:
    raw = os.environ.get(CLOCK_OFFSET_ENV, "").strip()
    try:
        return float(raw) if raw else 0.0
    except ValueError:
        return 0.0


def admin_enabled() -> bool:
    return os.environ.get(ADMIN_ENV) == "1"
