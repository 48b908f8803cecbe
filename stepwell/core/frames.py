"""Calls that do not map and unmap chunks of Python's frame stack again and again.

Python 3.11 (the project's Python) keeps its call frames in chunks of 16 KB, each mapped
from the system on its own (mmap) and given back (munmap) as soon as the frame at its
base returns. A request or a test goes up and down through a hundred or more frames
(middleware, views, the ORM's compiler, template nodes), so its stack crosses chunk
boundaries over and over, and every crossing maps a fresh chunk and faults its pages in.
Counted in 391 cells of the access matrix: 155,000 mmap and 153,000 munmap calls (about
160 a request), and two thirds of the process's page faults; system time was a sixth of
the run.

A call made through `in_roomy_frame` runs on top of one frame that reserves ROOM bytes
of value stack it never uses: Python gives that frame a chunk of twice that, so
everything called beneath it fits in the one chunk, mapped once, its pages faulted in
once and kept while the call lasts. The reserved space is address space only; pages
are touched as the stack reaches them.

Used by every request (stepwell/wsgi.py), every `stepwell`/`manage.py` command
(stepwell/core/cli.py) and every test (conftest.py).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

ROOM = 1 << 20  # bytes: far deeper than any request or test goes


def _call(function, args, kwargs):
    return function(*args, **kwargs)


_ROOMY = types.FunctionType(
    _call.__code__.replace(
        co_stacksize=_call.__code__.co_stacksize + ROOM // 8, co_name="_roomy_call"
    ),
    _call.__globals__,
    "_roomy_call",
)


def in_roomy_frame(function: Callable[..., T], /, *args, **kwargs) -> T:
    """function(*args, **kwargs), run where its calls do not map and unmap frame chunks."""
    return _ROOMY(function, args, kwargs)
