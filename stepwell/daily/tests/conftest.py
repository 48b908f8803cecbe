from __future__ import annotations

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from stepwell.daily import registry


def local(zone: str, *args: int) -> datetime:
    """A moment given as a local wall-clock time in ``zone``."""
    return datetime(*args, tzinfo=ZoneInfo(zone))


class Recorder:
    """Jobs for the tests: each call is recorded as (job, program name or None, date)."""

    def __init__(self):
        self.calls: list[tuple[str, str | None, object]] = []
        self.lock = threading.Lock()

    def job(self, name: str, *, per_program: bool = True, fail_times: int = 0, pause: float = 0):
        failures = {"left": fail_times}

        @registry.daily_job(name, per_program=per_program)
        def run(*, actor, program, local_date):
            assert actor.get_username() == f"system:{name}"
            if pause:
                time.sleep(pause)
            with self.lock:
                self.calls.append((name, program.name if program else None, local_date))
            if failures["left"]:
                failures["left"] -= 1
                raise RuntimeError(f"{name} could not reach the mail server")
            return f"ran for {local_date}"

        return run


@pytest.fixture
def recorder(monkeypatch) -> Recorder:
    """The registry holds only the jobs the test registers (the apps' own are found first,
    so discovery does not add them back)."""
    registry.registered_jobs()
    monkeypatch.setattr(registry, "_JOBS", {})
    return Recorder()
