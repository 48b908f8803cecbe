"""FHIR: a patient's record, a program's bulk export, referrals received as FHIR.

Rules: stepwell/privacy/access/interop.py.
- A patient's record ($everything): staff on the patient's care team, and the directors of
  the patient's programs (their episodes). Nobody else: not other clinicians of the
  program, billing, administrators or the patient.
- A program's bulk export: its directors; its files: only the director who asked.
- A referral received as FHIR: whoever may register patients in the program.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from stepwell.testing.matrix_clinic import MISSING_ID

from ..facts import CLINICIAN, DIRECTOR, INTAKE, InProgram, OnCareTeam, Person
from ..harness import Entry, On

FHIR = "/api/v1/fhir"
PROGRAMS = ("A", "B")
EXPORTERS = OnCareTeam() | InProgram((DIRECTOR,))


class AskedForIt(Person):
    """The director who asked for the export (A: director; B: a director not in the matrix)."""

    def allows(self, person: str, key: str) -> bool:
        return key == "A" and person == "director"


def _program(world, key):
    return {"program": MISSING_ID if key == "missing" else world.programs[key].pk}


def _bundle(world, key):
    path = Path(settings.BASE_DIR) / "examples" / "fhir" / "referral-bundle.json"
    return json.loads(path.read_text())


OPERATIONS = [
    Entry(
        "GET",
        f"{FHIR}/Patient/{{patient_id}}/$everything",
        EXPORTERS,
        api=True,
        on=On({"patient_id": "patient"}, keys=("A", "A2", "B")),
    ),
    Entry(
        "GET",
        f"{FHIR}/$export",
        InProgram((DIRECTOR,)),
        api=True,
        on=On({}, keys=PROGRAMS, scope="program"),
        query=_program,
        ok=202,
    ),
    Entry(
        "GET",
        f"{FHIR}/bulk-status/{{job_id}}",
        AskedForIt(frozenset()),
        api=True,
        on=On({"job_id": "export"}, keys=PROGRAMS, scope="program"),
    ),
    Entry(
        "GET",
        f"{FHIR}/bulk-files/{{job_id}}/{{file_name}}",
        AskedForIt(frozenset()),
        api=True,
        on=On(
            {"job_id": "export", "file_name": lambda world, key: world.clinic.export_files[key]},
            keys=PROGRAMS,
            scope="program",
        ),
    ),
    Entry(
        "POST",
        f"{FHIR}/referrals",
        InProgram((INTAKE, CLINICIAN, DIRECTOR)),
        api=True,
        on=On({}, keys=PROGRAMS, scope="program"),
        query=_program,
        data=_bundle,
        ok=201,
    ),
]
PAGES: list = []
