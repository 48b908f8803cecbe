"""Program reports: the list, a report's page, its CSV and PDF, and the API.

Rules: stepwell/privacy/access/reports.py.
- Every report: the directors of the program it counts.
- The census, admissions, attendance and weekly-hours reports: also billing of that
  program. The referral, staff, documentation and outcome reports (outcomes,
  depression, readmissions, followup): directors only.
- The list of reports: anyone holding the director or billing role in some program.
A program one may not report on and a program that does not exist get the same refusal.
"""

from __future__ import annotations

from stepwell.testing.matrix_clinic import MISSING_ID

from ..facts import BILLING, DIRECTOR, InProgram, Person
from ..harness import Entry, On

PROGRAMS = ("A", "B")
REPORTERS = Person(frozenset({"director", "director_elsewhere", "billing"}))
BILLING_REPORTS = InProgram((DIRECTOR, BILLING))
DIRECTOR_REPORTS = InProgram((DIRECTOR,))


def _program(world, key):
    return {"program": MISSING_ID if key == "missing" else world.programs[key].pk}


def _on(report: str) -> On:
    return On({"name": lambda world, key: report}, keys=PROGRAMS, scope="program")


def _report_entries(route: str, *, api: bool = False) -> list[Entry]:
    return [
        Entry(
            "GET",
            route,
            BILLING_REPORTS,
            on=_on("census"),
            query=_program,
            api=api,
            variant="census",
        ),
        Entry(
            "GET",
            route,
            DIRECTOR_REPORTS,
            on=_on("outcomes"),
            query=_program,
            api=api,
            variant="outcomes",
        ),
    ]


PAGES = [
    Entry("GET", "reports/", REPORTERS),
    *_report_entries("reports/{name}/"),
    *_report_entries("reports/{name}/csv/"),
    Entry(
        "GET",
        "reports/{name}/",
        DIRECTOR_REPORTS,
        on=_on("followup"),
        query=_program,
        variant="followup",
    ),
    Entry(
        "GET",
        "reports/{name}/pdf/",
        DIRECTOR_REPORTS,
        on=_on("depression"),
        query=_program,
        variant="depression",
    ),
]
OPERATIONS = [
    Entry("GET", "/api/v1/reports", REPORTERS, api=True),
    *_report_entries("/api/v1/reports/{name}", api=True),
]
