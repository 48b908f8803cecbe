"""The collector's settings for batches (stepwell.core.collection), checked in a fresh
interpreter: with Python's own settings there, and no test process's heap to collect
(unfreezing a test worker's heap and collecting it took seconds)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

CHECKS = textwrap.dedent(
    """
    import gc

    from stepwell.core.collection import FEWER_COLLECTIONS, collect_less, collecting_less

    assert gc.get_threshold() == (700, 10, 10) and gc.get_freeze_count() == 0
    with collecting_less():
        assert gc.get_threshold() == FEWER_COLLECTIONS
        assert gc.get_freeze_count() > 0  # what was loaded before it
        assert gc.isenabled()  # rarer, not off
    assert gc.get_threshold() == (700, 10, 10), "a batch leaves the settings it found"
    assert gc.get_freeze_count() == 0, "and unfreezes what it froze"

    collect_less()  # a process tuned for good (the test processes)
    frozen = gc.get_freeze_count()
    with collecting_less():
        pass
    assert gc.get_threshold() == FEWER_COLLECTIONS, "a tuned process stays tuned"
    assert gc.get_freeze_count() >= frozen, "what was frozen before stays frozen"
    assert gc.isenabled()
    print("ok")
    """
)


def test_a_batch_collects_less_and_leaves_the_settings_it_found():
    done = subprocess.run(
        [sys.executable, "-c", CHECKS], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr


SERVED = textwrap.dedent(
    """
    import gc
    import sys

    assert gc.get_freeze_count() == 0
    import stepwell.wsgi

    assert gc.get_threshold() == (700, 10, 10) and gc.isenabled()  # Python's own
    assert gc.get_freeze_count() > 100_000, gc.get_freeze_count()  # Django, the app
    assert "stepwell.patients.views" in sys.modules  # the views loaded before the freeze
    print("ok")
    """
)


def test_the_served_application_is_loaded_then_frozen():
    """The app servers' workers (stepwell.wsgi) load every view, then freeze what they
    loaded, keeping Python's thresholds."""
    done = subprocess.run(
        [sys.executable, "-c", SERVED],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "stepwell.settings.test"},
    )
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr
