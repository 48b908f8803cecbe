"""Clinic setup (/setup/, Django's admin site): administrators only.

Rules: README "What an administrator can and cannot do", privacy/access/patients.py
access_clinic_configuration. The administrator role decides, not Django's is_staff or
is_superuser flags: a user who holds those flags without the role is refused. Anyone else
signed in is refused (403, audited); someone not signed in is sent to the one login.

Setup has no login, logout or password page of its own: those routes send you to the
ones under /accounts/ (the entries below). The admin site's own routes are walked by
tests/access_matrix/test_setup.py with the expectations in ADMIN_SITE.
"""

from __future__ import annotations

from ..facts import NOT_AUDITED, ROLES, Person
from ..harness import Entry

EVERYONE = Person(frozenset(ROLES))
ADMINISTRATOR = Person(frozenset({"administrator"}))
FLAGS_WITHOUT_ROLE = (
    "Django's is_staff/is_superuser let a user without the administrator role into setup"
)
NOT_ADMINISTRATORS = [p for p in ROLES if p not in ("administrator", "anonymous", "superuser")]

PAGES = [
    Entry(
        "GET",
        "setup/login/",
        ADMINISTRATOR,
        ok=302,
        location="/setup/",
        deviations={
            **dict.fromkeys(NOT_ADMINISTRATORS, NOT_AUDITED),
            "superuser": FLAGS_WITHOUT_ROLE,
        },
    ),
    Entry(
        "POST",
        "setup/logout/",
        EVERYONE,
        public=True,
        ok=302,
        location="/accounts/login/",
        writes=False,
        note="ends the session only",
    ),
    Entry(
        "GET",
        "setup/password_change/",
        EVERYONE,
        public=True,
        ok=302,
        location="/accounts/password/",
    ),
    Entry("GET", "setup/password_change/done/", EVERYONE, public=True, ok=302, location="/"),
]
OPERATIONS: list = []

# -- the admin site -------------------------------------------------------------------------

# What the administrator gets from the admin site's own routes, where it is not a 200 page.
# A model route that names an object uses the first object of that model (the matrix
# clinic holds one of each); `<id>/` alone redirects to the object's change page.
ADMIN_SITE_STATUS = {
    "setup/autocomplete/": (403, "Django refuses an autocomplete request that names no field"),
    "setup/r/{content_type_id}/{object_id}/": (404, "the object has no page outside setup"),
    "setup/{url}": (404, "no such setup page"),
    # Records kept by the system: nobody adds them by hand.
    "setup/axes/accessattempt/add/": (403, "login attempts are recorded, not added"),
    "setup/axes/accesslog/add/": (403, "login attempts are recorded, not added"),
    "setup/axes/accessfailurelog/add/": (403, "login attempts are recorded, not added"),
    "setup/django_tasks_database/dbtaskresult/add/": (403, "task results are recorded"),
    "setup/django_tasks_database/dbtaskresult/{object_id}/delete/": (
        403,
        "task results are not deleted by hand",
    ),
    "setup/measures/instrumentdefinition/add/": (403, "definitions are loaded from files"),
    "setup/measures/instrumentsetting/{object_id}/delete/": (
        403,
        "an instrument is switched off, not deleted",
    ),
}
# The person the admin site refuses: everyone but the administrator. Today Django's own
# check (is_staff) decides: a signed-in user without is_staff is sent to the setup login
# (302), which then answers 403 without an audit event; a user with is_staff and
# is_superuser but no administrator role gets in.
ADMIN_SITE_DEVIATIONS = {
    **dict.fromkeys(
        NOT_ADMINISTRATORS,
        "the admin site sends a signed-in user it refuses to its login page (302) instead of "
        "refusing with an audited 403",
    ),
    "superuser": FLAGS_WITHOUT_ROLE,
}

# Admin pages the administrator gets today with something they should not read.
ADMIN_PAGE_DEVIATIONS = {
    "setup/accounts/user/{object_id}/delete/": (
        "deleting a clinician lists the clinical records that protect the account, with "
        "patients' names and record numbers (attendance, notes, assessments): an "
        "administrator reads no clinical content"
    ),
}
