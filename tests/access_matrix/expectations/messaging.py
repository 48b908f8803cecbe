"""The outbox and the patient's own messages.

Rules: stepwell/privacy/access/messaging.py, README "Consent, disclosures and messages".
- The outbox: staff holding a clinical, intake or director role (the messages to the
  patients they see, and their own safety pages).
- My messages and how to reach me: the patient on the portal.
"""

from __future__ import annotations

from ..facts import Person, portal_users
from ..harness import Entry

OUTBOX_READERS = Person(
    frozenset(
        {
            "clinician",
            "clinician_other",
            "team_clinician",
            "prescriber",
            "nurse",
            "intake",
            "director",
            "director_elsewhere",
        }
    )
)

PAGES = [
    Entry("GET", "messages/", OUTBOX_READERS, shows=False),
    Entry("GET", "messages/mine/", portal_users(), shows=False),
    Entry(
        "POST",
        "messages/mine/",
        portal_users(),
        data={"channel": "none"},
        ok=302,
        location="/messages/mine/",
    ),
]
OPERATIONS = [
    Entry("GET", "/api/v1/messages", OUTBOX_READERS, api=True, shows=False),
]
