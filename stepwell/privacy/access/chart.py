"""The chart's links: which of the pages a chart links to the user may open, so no link
answers 403. Each is the rule of its page (access_notes_read, access_hours_read,
access_meds, access_availability_edit); the three scope rules are answered from the
patient's facts (privacy.access.conditions), and a test holds the answer to the rules
asked one by one."""

from __future__ import annotations

from stepwell.patients.models import Patient

from .intake import access_availability_edit
from .meds import MedsNeed, meds_condition
from .notes import hours_condition, notes_condition
from .patients import patient_meets


def chart_links(user, patient: Patient) -> frozenset[str]:
    found = patient_meets(
        patient,
        {
            "notes": notes_condition(user),  # access_notes_read
            "hours": hours_condition(user),  # access_hours_read
            "meds": meds_condition(user, MedsNeed.READ),  # access_meds
        },
    )
    found["availability"] = access_availability_edit(user, patient)
    return frozenset(name for name, allowed in found.items() if allowed)
