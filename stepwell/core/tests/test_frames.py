"""Calls beneath a roomy frame (stepwell.core.frames) stay in one chunk of frames."""

from __future__ import annotations

import sys

import pytest

from stepwell.core.frames import ROOM, in_roomy_frame


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
    assert in_roomy_frame(divmod, 17, 5) == (3, 2)
    assert in_roomy_frame(dict, a=1) == {"a": 1}
    with pytest.raises(ValueError, match="not a number"):
        in_roomy_frame(int, "not a number")


def test_calls_in_a_roomy_frame_do_not_map_frame_chunks_again_and_again():
    """Each chunk the stack crosses into is mapped afresh and its first page faulted in;
    beneath a roomy frame the stack stays in one chunk, faulted in once."""
    in_roomy_frame(_up_and_down)  # anything lazily made the first time is made now
    before = _page_faults()
    in_roomy_frame(_up_and_down)
    roomy = _page_faults() - before
    assert roomy < 100, f"{roomy} page faults for calls that fit in one chunk"


def test_each_test_runs_in_a_roomy_frame():
    frame = sys._getframe()
    while frame is not None and frame.f_code.co_name != "_roomy_call":
        frame = frame.f_back
    assert frame is not None, "conftest.py's pytest_runtest_protocol did not run the test"
    assert frame.f_code.co_stacksize > ROOM // 8
