"""The collector's settings for batches (stepwell.core.collection), checked in a fresh
interpreter: with Python's own settings there, and no test process's heap to collect
(unfreezing a test worker's heap and collecting it took seconds)."""

from __future__ import annotations

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
