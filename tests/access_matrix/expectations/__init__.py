"""The expectations table: every page route and API operation, who may use it, and what
anyone else gets. One module per area; `PAGES` and `OPERATIONS` collect them.

To add a route: add an `Entry` to the area's module with the route as the walk prints it
("patients/{patient_id}/" for pages, "/api/v1/patients/{patient_id}" for the API), the
rule of who may (tests/access_matrix/facts.py), the records its path names (`On`), the
success status and, for a write, a valid body. Where today's code disagrees with the
rule, name the person in `deviations` with the reason (a strict xfail).
"""

from __future__ import annotations

from . import (
    accounts,
    alumni,
    billing,
    care,
    consent,
    discharge,
    followups,
    intake,
    interop,
    measures,
    meds,
    messaging,
    milestones,
    patients,
    plans,
    reports,
    schedule,
    setup,
)

AREAS = (
    patients,
    accounts,
    intake,
    plans,
    measures,
    care,
    schedule,
    interop,
    reports,
    setup,
    billing,
    meds,
    consent,
    messaging,
    milestones,
    alumni,
    followups,
    discharge,
)
PAGES = [entry for area in AREAS for entry in area.PAGES]
OPERATIONS = [entry for area in AREAS for entry in area.OPERATIONS]
