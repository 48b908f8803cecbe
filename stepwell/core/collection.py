"""Python's cyclic garbage collector, tuned for runs that make many short-lived objects.

The ORM makes and drops many objects per query (querysets, expressions, compilers, rows,
model instances), and Python's collector looks for cycles among the youngest objects
after every 700 allocations, and through every object it tracks every so often. In the
demo build (80 patients and a year of their care, on SQLite) that was 10.5 s of 79, 13%
of the build; in 540 of the access matrix's page cells 1.9 s of 22, 8%. Collecting the
youngest after 10,000 allocations instead, and the older generations less often, with
everything loaded before the run frozen (left out of every collection: the modules, the
models, the URL patterns, which live as long as the process), took the demo build's to
4.8 s and the matrix cells' to 0.75 s. Nothing is left uncollected; a cycle lives a
little longer, and the process holds a little more memory (tens of megabytes).

Used by the test suite (conftest.py, once the tests are collected) and by seed-demo; the
app servers only freeze what they load (freeze_loaded, stepwell/wsgi.py).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

FEWER_COLLECTIONS = (10_000, 20, 50)  # Python's own: (700, 10, 10)


def freeze_loaded() -> None:
    """From now on in this process: what is loaded is frozen (left out of every later
    collection), with Python's own thresholds. For the app servers: their full
    collections no longer walk the app's 200,000 loaded objects (a pause of 120 to 180 ms
    every 150 or so caseload requests, 12 ms at most after), while the young generation
    stays as small as Python keeps it (collect_less's larger one was not better under
    the load test)."""
    gc.collect()
    gc.freeze()


def collect_less() -> None:
    """From now on in this process: what is loaded is frozen, collections are rarer."""
    freeze_loaded()
    gc.set_threshold(*FEWER_COLLECTIONS)


@contextmanager
def collecting_less() -> Iterator[None]:
    """collect_less for a batch (the demo build), then the settings it found again (and
    unfrozen, if nothing was frozen before: in a test process, conftest.py froze first)."""
    before, frozen_before = gc.get_threshold(), gc.get_freeze_count()
    collect_less()
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if not frozen_before:
            gc.unfreeze()
