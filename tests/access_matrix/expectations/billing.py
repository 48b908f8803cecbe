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

# Authorizations, reviews, remittances and voids (issue 17): a program's billing staff and
# directors; on a patient, those of the patient's program.
BILLERS = InProgram((BILLING, DIRECTOR))
UR_READERS = Chart(PROGRAM_WIDE) | BILLERS
ON_AUTHORIZATION = On({"authorization_id": "authorization"}, keys=PATIENTS)
ON_REVIEW = On({"review_id": "review"}, keys=PATIENTS)
ON_REMITTANCE = On({"remittance_id": "remittance"}, keys=PROGRAMS, scope="program")
ON_CLAIM = On({"claim_id": "claim"}, keys=PROGRAMS, scope="program")


def _authorization(world, key):
    return {
        "number": f"MX-AUTH-{key}",
        "level_of_care": "intensive_outpatient",
        "unit_kind": "days",
        "units_approved": "15",
        "starts_on": "2020-01-01",
        "ends_on": "2020-03-31",
    }


def _new_authorization(world, key):
    from stepwell.billing.models import Payer

    return {
        **_authorization(world, key),
        "number": f"MX-NEW-{key}",
        "program": world.programs["B" if key == "B" else "A"].pk,
        "payer": Payer.objects.get(name="Matrix Coverage Payer").pk,
        "status": "approved",
    }


def _authorization_page(world, key):
    return "/billing/authorizations/"


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

PAGES += [
    Entry("GET", "billing/programs/{program_id}/reviews/", WORKERS, on=ON_PROGRAM, shows=False),
    Entry("GET", "billing/patients/{patient_id}/authorizations/", BILLERS, on=ON_PATIENT),
    Entry("GET", "billing/patients/{patient_id}/authorizations/new/", BILLERS, on=ON_PATIENT),
    Entry(
        "POST",
        "billing/patients/{patient_id}/authorizations/new/",
        BILLERS,
        on=ON_PATIENT,
        data=_new_authorization,
        ok=302,
        location=_authorization_page,
    ),
    Entry("GET", "billing/authorizations/{authorization_id}/", BILLERS, on=ON_AUTHORIZATION),
    Entry(
        "POST",
        "billing/authorizations/{authorization_id}/",
        BILLERS,
        on=ON_AUTHORIZATION,
        data=_authorization,
        ok=302,
        location=_authorization_page,
    ),
    Entry(
        "POST",
        "billing/authorizations/{authorization_id}/reviews/",
        BILLERS,
        on=ON_AUTHORIZATION,
        data={"due_on": "2020-03-20"},
        ok=302,
        location=_authorization_page,
    ),
    Entry("GET", "billing/reviews/{review_id}/", BILLERS, on=ON_REVIEW),
    Entry(
        "POST",
        "billing/reviews/{review_id}/",
        BILLERS,
        on=ON_REVIEW,
        data={"outcome": "denied", "comment": "Matrix check"},
        ok=302,
        location=_authorization_page,
    ),
    # The clinical summary for the review call: billers of the program while the review is
    # open (the matrix reviews are), and whoever reads the chart.
    Entry("GET", "billing/reviews/{review_id}/summary/", UR_READERS, on=ON_REVIEW),
    Entry("GET", "billing/reviews/{review_id}/summary.pdf", UR_READERS, on=ON_REVIEW, shows=False),
    Entry(
        "POST",
        "billing/coverages/{coverage_id}/eligibility/",
        COVERAGE_EDITORS,
        on=ON_COVERAGE,
        data={"checked_on": "2020-01-02", "method": "phone", "result": "active"},
        ok=302,
        location=_coverages_of,
    ),
    Entry(
        "POST",
        "billing/programs/{program_id}/remittances/",
        WORKERS,
        on=ON_PROGRAM,
        data={},
        ok=400,
        writes=False,
        note="no file sent (form posts here are not multipart): 400 naming the file",
    ),
    Entry("GET", "billing/remittances/{remittance_id}/", WORKERS, on=ON_REMITTANCE, shows=False),
    Entry(
        "POST",
        "billing/claim/{claim_id}/void/",
        WORKERS,
        on=ON_CLAIM,
        ok=302,
        location="/billing/",
        writes=False,
        note="the matrix clinic has no billing provider: the void is refused as a message",
    ),
    Entry(
        "POST",
        "billing/claim/{claim_id}/correct/",
        WORKERS,
        on=ON_CLAIM,
        ok=302,
        location="/billing/",
        writes=False,
        note="no day of the matrix claim is billable: the correction is refused as a message",
    ),
    Entry(
        "POST",
        "billing/claim/{claim_id}/secondary/",
        WORKERS,
        on=ON_CLAIM,
        ok=302,
        location="/billing/",
        writes=False,
        note="the matrix claim is not paid: the secondary claim is refused as a message",
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
