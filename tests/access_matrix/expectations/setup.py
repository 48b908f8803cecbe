"""Clinic setup (/setup/, Django's admin site): administrators only.

Rules: README "What an administrator can and cannot do", stepwell/privacy/access/setup.py.
The administrator role decides, not Django's is_staff or
is_superuser flags: a user who holds those flags without the role is refused. Anyone else
signed in is refused (403, audited); someone not signed in is sent to the one login.

Setup has no login, logout or password page of its own: those routes send you to the
ones under /accounts/ (the entries below). The admin site's own routes are walked by
tests/access_matrix/test_setup.py with the expectations in ADMIN_SITE.
"""

from __future__ import annotations

from ..facts import ROLES, Person
from ..harness import Entry

EVERYONE = Person(frozenset(ROLES))
ADMINISTRATOR = Person(frozenset({"administrator"}))

PAGES = [
    Entry(
        "GET",
        "setup/login/",
        ADMINISTRATOR,
        ok=302,
        location="/setup/",
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
    "setup/measures/instrumentdefinition/{object_id}/delete/": (
        403,
        "administrations keep the definition they were scored with",
    ),
    "setup/measures/schedulerule/{object_id}/delete/": (
        403,
        "a schedule rule is made inactive (an audited change), not deleted",
    ),
    # Deactivated, never deleted (privacy.access.setup NEVER_DELETED): so no delete page
    # lists the clinical records that name a staff member, with patients' names.
    "setup/accounts/user/{object_id}/delete/": (403, "staff accounts are deactivated"),
}
# Everyone but the administrator is refused by the admin site (403, audited); someone
# not signed in goes to the login. No one is an exception today.
ADMIN_SITE_DEVIATIONS: dict[str, str] = {}

# Admin pages the administrator gets today with something they should not read: none.
ADMIN_PAGE_DEVIATIONS: dict[str, str] = {}
