"""Two threads, each on its own database connection, one waiting for the other's lock.

For tests marked postgres with committed data (transactional_db): the second thread's
work must wait for a lock the first holds, and then see what the first committed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def _on_own_connection(work: Callable[..., None], *args) -> None:
    try:
        work(*args)
    finally:
        connection.close()  # the thread's own connection, opened by its first query


def second_waits_for_first(
    hold: Callable[[threading.Event, threading.Event], None],
    wait: Callable[[], None],
    *,
    message: str,
) -> None:
    """Run `hold(holding, release)` in a thread: it takes a lock, sets `holding`, and keeps
    the lock until `release` is set. Then run `wait` in a second thread, check that a
    second later it is still running (blocked on that lock: `message` if not), let the
    first one go, and wait for both to end."""
    holding, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_on_own_connection, args=(hold, holding, release))
    holder.start()
    try:
        assert holding.wait(10), "the first thread never took its lock"
        waiter = threading.Thread(target=_on_own_connection, args=(wait,))
        waiter.start()
        waiter.join(1.0)
        assert waiter.is_alive(), message
    finally:
        release.set()
        holder.join(10)
    waiter.join(10)
