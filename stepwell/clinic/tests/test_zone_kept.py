"""The program time zone is kept in the session between its refreshes (clinic.middleware):
read again when the session's expiry is pushed forward, at most once a minute, and kept
in that same save; every other page reads nothing for it."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stepwell.accounts.middleware import REFRESHED_AT, IdleSessionMiddleware
from stepwell.clinic.middleware import ZONE_KEY, ProgramTimezoneMiddleware
from stepwell.clinic.models import Program

pytestmark = pytest.mark.django_db


def _answered(session, user) -> tuple[str, bool, bool]:
    """The zone the page ran in, whether the zone was read from the database, and
    whether the session was saved (modified) by the request."""
    seen = {}

    def page(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse("ok")

    request = RequestFactory().get("/caseload/")
    # a request loads its user anew (timezone_for_user keeps the zone on the instance)
    request.session, request.user = session, type(user).objects.get(pk=user.pk)
    chain = IdleSessionMiddleware(ProgramTimezoneMiddleware(page))
    session.modified = False
    with CaptureQueriesContext(connection) as queries:
        chain(request)
    read = any('"timezone"' in query["sql"] for query in queries.captured_queries)
    return seen["zone"], read, session.modified


def _session(refreshed_seconds_ago: float) -> SessionStore:
    session = SessionStore()
    session["_auth_user_id"] = "1"
    session[REFRESHED_AT] = time.time() - refreshed_seconds_ago
    return session


def test_the_zone_is_read_at_a_refresh_and_kept_until_the_next(clinic):
    Program.objects.filter(memberships__user=clinic.clinician_a).update(timezone="Asia/Tokyo")
    user = clinic.clinician_a
    session = _session(refreshed_seconds_ago=30)
    # Within the first minute, nothing kept: read every time, and no session write for it.
    assert _answered(session, user) == ("Asia/Tokyo", True, False)
    assert ZONE_KEY not in session
    # The refresh reads it and keeps it in the save the refresh makes anyway.
    session[REFRESHED_AT] = time.time() - 61
    assert _answered(session, user) == ("Asia/Tokyo", True, True)
    assert session[ZONE_KEY] == [user.pk, "Asia/Tokyo"]
    # Until the next refresh, nothing is read and nothing written.
    assert _answered(session, user) == ("Asia/Tokyo", False, False)
    # A change of zone shows at the next refresh, a minute at the most.
    Program.objects.filter(memberships__user=user).update(timezone="America/Adak")
    assert _answered(session, user) == ("Asia/Tokyo", False, False)
    session[REFRESHED_AT] = time.time() - 61
    assert _answered(session, user) == ("America/Adak", True, True)
    assert _answered(session, user) == ("America/Adak", False, False)


def test_a_zone_kept_for_someone_else_is_not_used(clinic):
    Program.objects.filter(memberships__user=clinic.clinician_a).update(timezone="Asia/Tokyo")
    session = _session(refreshed_seconds_ago=10)
    session[ZONE_KEY] = [clinic.clinician_b.pk, "Pacific/Kiritimati"]
    assert _answered(session, clinic.clinician_a) == ("Asia/Tokyo", True, False)
    session[ZONE_KEY] = "Pacific/Kiritimati"  # not what the middleware keeps
    assert _answered(session, clinic.clinician_a) == ("Asia/Tokyo", True, False)


def test_a_user_of_no_zone_runs_in_utc_and_that_is_kept_too(clinic):
    Program.objects.update(timezone="")
    session = _session(refreshed_seconds_ago=61)
    zone, read, _ = _answered(session, clinic.clinician_a)
    assert read and zone == "UTC"
    assert _answered(session, clinic.clinician_a) == ("UTC", False, False)
