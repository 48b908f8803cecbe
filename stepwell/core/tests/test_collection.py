"""The collector's settings for batches (stepwell.core.collection), checked in a fresh
interpreter: with Python's own settings there, and no test process's heap to collect
(unfreezing a test worker's heap and collecting it took seconds)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

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


# -- roomy frames ---------------------------------------------------------------------------


def _depth(n: int) -> int:
    return 0 if n == 0 else _depth(n - 1) + 1


def _up_and_down() -> int:
    """Calls that go 0 to 400 frames deep and back, over and over: far more than one
    16 KB chunk of frames, so the stack crosses chunk boundaries each time."""
    total = 0
    for _ in range(100):
        for depth in range(0, 400, 7):
            total += _depth(depth)
    return total


def _page_faults() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def test_a_roomy_frame_gives_back_what_the_call_gives_and_raises_what_it_raises():
    from stepwell.core.collection import in_roomy_frame

    assert in_roomy_frame(divmod, 17, 5) == (3, 2)
    assert in_roomy_frame(dict, a=1) == {"a": 1}
    with pytest.raises(ValueError, match="not a number"):
        in_roomy_frame(int, "not a number")


def test_calls_in_a_roomy_frame_do_not_map_frame_chunks_again_and_again():
    """Each chunk the stack crosses into is mapped afresh and its first page faulted in;
    beneath a roomy frame the stack stays in one chunk, faulted in once."""
    from stepwell.core.collection import in_roomy_frame

    in_roomy_frame(_up_and_down)  # anything lazily made the first time is made now
    before = _page_faults()
    in_roomy_frame(_up_and_down)
    roomy = _page_faults() - before
    assert roomy < 100, f"{roomy} page faults for calls that fit in one chunk"


def test_each_test_runs_in_a_roomy_frame():
    from stepwell.core.collection import ROOM

    frame = sys._getframe()
    while frame is not None and frame.f_code.co_name != "_roomy_call":
        frame = frame.f_back
    assert frame is not None, "conftest.py's pytest_runtest_protocol did not run the test"
    assert frame.f_code.co_stacksize > ROOM // 8
