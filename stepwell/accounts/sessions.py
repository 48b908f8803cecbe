"""The session engine (SESSION_ENGINE): Django's database sessions, with the session's
read kept compiled (stepwell/core/kept.py).

Every request that carries a session cookie reads its session first, and Django's
database engine built and compiled that query anew each time (``Session.objects.get(
session_key=..., expire_date__gt=now)``), about a tenth of a millisecond of every page
before its own work. Here the same query is compiled once per connection and run with
each request's key and time; saving, deleting and cycling sessions are Django's own."""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from stepwell.core.kept import KeptRecords

# The session with this key that has not expired (none, or the one).
UNEXPIRED_SESSION = KeptRecords(
    Session,
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now),
    key=Session._meta.pk,
    now=Session._meta.get_field("expire_date"),
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """The stored session if its key names one that has not expired; else None, and
        the key is dropped (a new one is made when the session is saved), as Django's
        engine does."""
        if self.session_key is not None:
            for session in UNEXPIRED_SESSION.records(key=self.session_key, now=timezone.now()):
                return session
        self._session_key = None
        return None
