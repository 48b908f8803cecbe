"""A program's billing: billable weeks, authorizations, claims files.

Rules: stepwell/privacy/access/billing.py, README "Billing", docs/billing.md.
- A program's billing work (the worklist of billable weeks, authorizations, writing and
  reading claims files) is done by its billing staff and its directors.
- The billing home sends each of them to their program (the matrix's people hold one
  program's billing each); everyone else is refused.
- The matrix clinic has no billable day in the dates the write asks for, so an allowed
  write answers 400 naming the field (nothing to bill): access is what is judged here;
  the writes themselves are tested in stepwell/billing/tests.
"""

from __future__ import annotations

from ..facts import BILLING, DIRECTOR, INTAKE, PROGRAM_WIDE, Chart, InProgram, Person
from ..harness import Entry, On

PROGRAMS = ("A", "B")
WORKERS = InProgram((BILLING, DIRECTOR))
ON_PROGRAM = On({"program_id": "program"}, keys=PROGRAMS, scope="program")
ON_BATCH = On({"batch_id": "claim_batch"}, keys=PROGRAMS, scope="program")
QUIET_WEEK = {"date_from": "2020-01-06", "date_to": "2020-01-12"}
# A patient's coverages (issue 12): read by whoever reads the chart and by billing staff of
# the patient's programs; recorded by billing staff, intake coordinators and directors.
PATIENTS = ("A", "A2", "B")
COVERAGE_READERS = Chart(PROGRAM_WIDE) | InProgram((BILLING,))
COVERAGE_EDITORS = InProgram((BILLING, INTAKE, DIRECTOR))
ON_PATIENT = On({"patient_id": "patient"}, keys=PATIENTS)
ON_COVERAGE = On({"coverage_id": "coverage"}, keys=PATIENTS)


def _coverage(world, key):
    from stepwell.billing.models import Payer

    return {
        "payer": Payer.objects.get(name="Matrix Coverage Payer").pk,
        "priority": "secondary",
        "member_id": f"MX2-{key}",
        "subscriber_relationship": "self",
    }


def _coverages_of(world, key):
    return f"/billing/patients/{world.patients[key].pk}/coverages/"


NOTHING_TO_BILL = "the matrix clinic has nothing to bill in those dates: 400 naming date_from"

PAGES = [
    Entry(
        "GET",
        "billing/",
        Person(frozenset({"billing", "director", "director_elsewhere"})),
        ok=302,
        location="/billing/programs/",
    ),
    Entry("GET", "billing/programs/{program_id}/", WORKERS, on=ON_PROGRAM, shows=False),
    Entry(
        "POST",
        "billing/programs/{program_id}/claims/",
        WORKERS,
        on=ON_PROGRAM,
        data={**QUIET_WEEK, "file_format": "837i"},
        ok=400,
        writes=False,
        note=NOTHING_TO_BILL,
    ),
    Entry("GET", "billing/claims/{batch_id}/", WORKERS, on=ON_BATCH, shows=False),
    Entry("GET", "billing/claims/{batch_id}/download/", WORKERS, on=ON_BATCH, shows=False),
    Entry("GET", "billing/patients/{patient_id}/coverages/", COVERAGE_READERS, on=ON_PATIENT),
    Entry("GET", "billing/patients/{patient_id}/coverages/new/", COVERAGE_EDITORS, on=ON_PATIENT),
    Entry(
        "POST",
        "billing/patients/{patient_id}/coverages/new/",
        COVERAGE_EDITORS,
        on=ON_PATIENT,
        data=_coverage,
        ok=302,
        location=_coverages_of,
    ),
    Entry("GET", "billing/coverages/{coverage_id}/", COVERAGE_EDITORS, on=ON_COVERAGE),
    Entry(
        "POST",
        "billing/coverages/{coverage_id}/",
        COVERAGE_EDITORS,
        on=ON_COVERAGE,
        data=lambda world, key: {**_coverage(world, key), "priority": "primary"},
        ok=302,
        location=_coverages_of,
    ),
    Entry(
        "POST",
        "billing/coverages/{coverage_id}/end/",
        COVERAGE_EDITORS,
        on=ON_COVERAGE,
        data={"ends_on": "2031-01-01", "reason": "Matrix check"},
        ok=302,
        location=_coverages_of,
    ),
]

API = "/api/v1/billing"
OPERATIONS = [
    Entry(
        "GET",
        f"{API}/programs/{{program_id}}/days",
        WORKERS,
        api=True,
        on=ON_PROGRAM,
        query=QUIET_WEEK,
        shows=False,
    ),
    Entry(
        "POST",
        f"{API}/programs/{{program_id}}/claims",
        WORKERS,
        api=True,
        on=ON_PROGRAM,
        data={**QUIET_WEEK, "file_format": "837i"},
        ok=400,
        writes=False,
        note=NOTHING_TO_BILL,
    ),
    Entry("GET", f"{API}/claims/{{batch_id}}", WORKERS, api=True, on=ON_BATCH, shows=False),
]
