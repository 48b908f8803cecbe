"""Login, second step, passwords, API tokens, the audit trail, the portal, /healthz.

Rules: README "Login and sessions", "Audit trail" ("Who reviews what") and
stepwell/privacy/access/audit.py.
- Login, password reset and their links are open to anyone (a link that does not work
  says so); the rest needs a login.
- Personal API tokens are staff's own; a token of someone else cannot be revoked.
- The audit trail: program directors (their programs) and administrators (events that
  name no patient).
- The portal: patients, each only their own record.
"""

from __future__ import annotations

import json

from ..facts import PORTAL_USERS, ROLES, Person, portal_users, staff
from ..harness import Away, Entry, On

EVERYONE = Person(frozenset(ROLES))
SIGNED_IN = Person(frozenset(r for r in ROLES if r != "anonymous"))
STAFF_ACCOUNTS = staff() | Person(frozenset({"superuser"}))
AUDIT_REVIEWERS = Person(frozenset({"director", "director_elsewhere", "administrator"}))
TO_PORTAL = {"patient": Away("/"), "other_patient": Away("/")}


def _own_name(world, person, key):
    return [world.patients[PORTAL_USERS[person]].legal_last_name]


def _audit_scope(world, person, key, sent):
    """Asked for the events about Blake (program B): only B's director gets any."""
    events = json.loads(sent.body)
    if person == "director_elsewhere":
        return None if events else "B's director gets none of the events about B's patient"
    if events:
        return f"{person} gets {len(events)} events about a patient of another program"
    return None


def _token_revoked(world, person, key, sent):
    from stepwell.accounts.models import PersonalAccessToken

    token = PersonalAccessToken.objects.get(pk=world.token_ids[key])
    return None if token.revoked_at else "the token is not revoked"


def _own_token(world, key):
    return world.token_ids[key]


class OwnToken(Person):
    def allows(self, person: str, key: str) -> bool:
        return person == key


PAGES = [
    Entry("GET", "accounts/login/", EVERYONE, public=True),
    Entry("GET", "accounts/mfa/", SIGNED_IN, ok=302, location="/"),
    Entry("GET", "accounts/mfa/setup/", STAFF_ACCOUNTS | portal_users(), variants=TO_PORTAL),
    Entry(
        "POST",
        "accounts/logout/",
        EVERYONE,
        public=True,
        ok=302,
        location="/accounts/login/",
        writes=False,
        note="ends the session only",
    ),
    Entry("GET", "accounts/password/", SIGNED_IN),
    Entry("GET", "accounts/password/reset/", EVERYONE, public=True),
    Entry("GET", "accounts/password/reset/sent/", EVERYONE, public=True),
    Entry("GET", "accounts/password/reset/complete/", EVERYONE, public=True),
    Entry(
        "GET",
        "accounts/password/reset/{uidb64}/{token}/",
        EVERYONE,
        public=True,
        on=On({"uidb64": lambda w, k: "MQ", "token": lambda w, k: "not-a-token"}, keys=("",)),
        note="a link that does not work says so on its page",
    ),
    Entry(
        "GET",
        "accounts/activate/{uidb64}/{token}/",
        Person(frozenset()),
        public=True,
        refused=404,
        on=On({"uidb64": lambda w, k: "MQ", "token": lambda w, k: "not-a-token"}, keys=("",)),
        note="an invitation link that does not work: 404, audited without a user",
    ),
    Entry(
        "GET",
        "accounts/tokens/",
        STAFF_ACCOUNTS,
    ),
    Entry(
        "POST",
        "accounts/tokens/{token_id}/revoke/",
        OwnToken(frozenset()),
        on=On({"token_id": _own_token}, keys=("clinician", "director"), scope="staff"),
        ok=302,
        location="/accounts/tokens/",
        check=_token_revoked,
        note="another person's token, or none, is refused (403, audited)",
    ),
    Entry("GET", "privacy/audit/", AUDIT_REVIEWERS, shows=False),
    Entry("GET", "portal/", portal_users(), contains=_own_name),
    Entry("GET", "healthz", EVERYONE, public=True),
    Entry("GET", "api/v1/openapi.json", EVERYONE, public=True, note="the API's description"),
    Entry("GET", "api/v1/docs", EVERYONE, public=True, note="the API's description"),
    Entry(
        "GET",
        "api/v1/",
        Person(frozenset()),
        public=True,
        refused=404,
        audited=False,
        note="nothing at the API's root",
    ),
]

OPERATIONS = [
    Entry(
        "POST",
        "/api/v1/auth/token",
        Person(frozenset()),
        api=True,
        public=True,
        refused=401,
        data={"username": "m_nobody", "password": "not-the-password"},
        note="wrong credentials: 401 for anyone",
    ),
    Entry(
        "GET",
        "/api/v1/audit",
        AUDIT_REVIEWERS,
        api=True,
        query=lambda world, key: {"patient": world.patients["B"].pk},
        check=_audit_scope,
    ),
]
