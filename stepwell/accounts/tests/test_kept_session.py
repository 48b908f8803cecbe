"""Every signed-in request reads its session and its second factor's device with reads
kept compiled (stepwell/core/kept.py): the same answers as Django's database sessions and
django-otp's middleware, with nothing compiled after the first request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from stepwell.accounts.sessions import UNEXPIRED_SESSION, SessionStore
from stepwell.core.kept import KEPT_ON_CONNECTION, LISTS
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import UserFactory
from stepwell.testing.kept import assert_records_as_orm, compiles

pytestmark = [pytest.mark.django_db, pytest.mark.both_engines]

DEVICE_KEY = "otp_device_id"


def _stored(data: dict, expires_in: timedelta) -> str:
    session = SessionStore()
    session.update(data)
    session.create()
    Session.objects.filter(pk=session.session_key).update(expire_date=timezone.now() + expires_in)
    return session.session_key


def test_the_session_read_is_the_orms_and_djangos_engines_answer():
    live = _stored({"n": 1}, timedelta(minutes=5))
    expired = _stored({"n": 2}, -timedelta(seconds=1))
    assert UNEXPIRED_SESSION in LISTS
    now = timezone.now()
    for key in (live, expired, "no-such-session-key-at-all"):
        assert_records_as_orm(UNEXPIRED_SESSION, key=key, now=now)
        ours, djangos = SessionStore(key), DjangoSessionStore(key)
        assert ours.load() == djangos.load()
        assert ours.session_key == djangos.session_key  # an expired key is dropped
    assert SessionStore(live).load() == {"n": 1}
    stale = SessionStore(expired)
    assert stale.load() == {}
    assert stale.session_key is None  # a new key is made when it is saved
    assert SessionStore(None).load() == {}


def test_a_session_is_read_without_compiling_a_query_after_the_first(monkeypatch):
    first, second = _stored({"n": 1}, timedelta(minutes=5)), _stored({"n": 2}, timedelta(1))
    getattr(connection, KEPT_ON_CONNECTION, {}).pop(UNEXPIRED_SESSION, None)
    compiled = compiles(monkeypatch)
    assert SessionStore(first).load() == {"n": 1}
    assert compiled == [Session]
    assert SessionStore(second).load() == {"n": 2}
    assert compiled == [Session]


def _devices(user) -> dict[str, str]:
    """Persistent device ids of every kind the session can hold for ``user``."""
    own = TOTPDevice.objects.create(user=user, name="own", confirmed=True)
    unconfirmed = TOTPDevice.objects.create(user=user, name="new", confirmed=False)
    others = TOTPDevice.objects.create(user=UserFactory(), name="other", confirmed=True)
    gone = TOTPDevice.objects.create(user=user, name="gone", confirmed=True)
    gone_id = gone.persistent_id
    gone.delete()
    return {
        "own": own.persistent_id,
        "unconfirmed": unconfirmed.persistent_id,
        "another user's": others.persistent_id,
        "deleted": gone_id,
        "not a number": "otp_totp.totpdevice/abc",
        "past the column": "otp_totp.totpdevice/99999999999999999999",
        "legacy path": f"django_otp.plugins.otp_totp.models.TOTPDevice/{own.pk}",
        "unknown kind": f"otp_static.staticdevice/{own.pk}",
    }


@pytest.mark.parametrize("middleware", ["ours", "django-otp's"])
def test_the_device_read_verifies_whom_django_otp_verifies(client, clinic, settings, middleware):
    """Each device a session may name, through our middleware and through django-otp's
    own: only the user's own confirmed device lets them past the second-factor step, and
    a device that does not verify them is dropped from the session."""
    if middleware != "ours":
        settings.MIDDLEWARE = [
            "django_otp.middleware.OTPMiddleware"
            if name == "stepwell.accounts.middleware.VerifiedDeviceMiddleware"
            else name
            for name in settings.MIDDLEWARE
        ]
    user = clinic.clinician_a
    verified_login(client, user)
    for kind, persistent_id in _devices(user).items():
        session = client.session
        session[DEVICE_KEY] = persistent_id
        session.save()
        response = client.get("/accounts/tokens/")
        verified = kind in ("own", "legacy path")
        assert response.status_code == (200 if verified else 302), (middleware, kind)
        assert (DEVICE_KEY in client.session) == verified, (middleware, kind)


def test_the_device_is_read_without_compiling_a_query_after_the_first(client, clinic, monkeypatch):
    verified_login(client, clinic.clinician_a)
    assert client.get("/accounts/tokens/").status_code == 200
    compiled = compiles(monkeypatch)
    assert client.get("/accounts/tokens/").status_code == 200
    assert TOTPDevice not in compiled and Session not in compiled, compiled


def _user_seen(middleware_class, rf, session_key: str | None):
    """The request's user (and its auser) as a view behind the session, Django's
    authentication and ``middleware_class`` sees them."""
    from django.conf import settings as django_settings
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.http import HttpResponse

    seen = {}

    def view(request):
        seen["user"], seen["auser"] = request.user, request.auser
        return HttpResponse()

    request = rf.get("/accounts/tokens/")
    if session_key:
        request.COOKIES[django_settings.SESSION_COOKIE_NAME] = session_key
    SessionMiddleware(AuthenticationMiddleware(middleware_class(view)))(request)
    return seen["user"], seen["auser"]


def test_the_request_user_is_the_user_itself_as_django_otp_verifies_it(client, clinic, rf):
    """Views get the user itself, not django-otp's lazy object around Django's: the same
    user, signed in or not, with the device django-otp finds verified (or none);
    ``auser()`` gives that same user."""
    from asgiref.sync import async_to_sync
    from django.utils.functional import LazyObject
    from django_otp.middleware import OTPMiddleware

    from stepwell.accounts.middleware import VerifiedDeviceMiddleware

    user = clinic.clinician_a
    devices = _devices(user)
    verified_login(client, user)
    signed_in = client.session.session_key
    sessions = {"anonymous": None}
    for kind in ("own", "another user's", "deleted"):
        session = SessionStore()
        session.update({**dict(client.session.items()), DEVICE_KEY: devices[kind]})
        session.create()
        sessions[kind] = session.session_key
    sessions["signed in, no device"] = signed_in
    for name, key in sessions.items():
        ours, ours_async = _user_seen(VerifiedDeviceMiddleware, rf, key)
        theirs, _ = _user_seen(OTPMiddleware, rf, key)
        assert not isinstance(ours, LazyObject)
        assert async_to_sync(ours_async)() is ours
        assert (ours.is_authenticated, ours.pk) == (theirs.is_authenticated, theirs.pk), name
        assert ours.is_verified() == theirs.is_verified(), name
        assert getattr(ours.otp_device, "pk", None) == getattr(theirs.otp_device, "pk", None)
    assert _user_seen(VerifiedDeviceMiddleware, rf, sessions["own"])[0].is_verified()
    assert not _user_seen(VerifiedDeviceMiddleware, rf, None)[0].is_authenticated
