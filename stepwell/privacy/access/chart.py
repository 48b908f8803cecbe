"""The chart's links: which of the pages a chart links to the user may open, so no link
answers 403. Each is the rule of its page (access_notes_read, access_hours_read,
access_meds, access_availability_edit); the three scope rules are asked together, in one
query, and a test holds the answer to the rules asked one by one."""

from __future__ import annotations

from stepwell.patients.models import Patient

from .intake import access_availability_edit
from .meds import MedsNeed, meds_patients_visible_to
from .notes import patients_hours_visible_to, patients_notes_visible_to
from .patients import patient_in_scopes


def chart_links(user, patient: Patient) -> frozenset[str]:
    found = patient_in_scopes(
        patient.pk,
        {
            "notes": (patients_notes_visible_to, user),  # access_notes_read
            "hours": (patients_hours_visible_to, user),  # access_hours_read
            "meds": (meds_patients_visible_to, user, MedsNeed.READ),  # access_meds
        },
    )
    found["availability"] = access_availability_edit(user, patient)
    return frozenset(name for name, allowed in found.items() if allowed)
