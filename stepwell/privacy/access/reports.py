"""Who opens the program reports (stepwell/reports).

A report adds up the records of every patient of the programs it counts, so it is opened
per program, by role in that program:
- Program directors open every report for the programs they direct.
- Billing staff open the operational reports a payer asks for and that hold no clinical
  content, for the programs where they hold the billing role: the census, admissions and
  discharges with length of stay (a claim carries the admission and discharge dates and
  the discharge status), attendance with group fill, and weekly-hours compliance by payer
  rule (billing already reads each patient's hours). Not the referral pipeline, staff
  workload, documentation timeliness, outcomes (questionnaire scores) or readmissions.
- Nobody else: clinicians, prescribers, nurses and intake coordinators read their
  patients' charts, not program-wide reports; an administrator reads no clinical content;
  patients and jobs open no report.

Asking for a program one may not report on, and asking for one that does not exist, get
the same audited refusal.
"""

from __future__ import annotations

from enum import StrEnum

from stepwell.accounts.models import Role
from stepwell.clinic.models import Program
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .predicates import as_record_id, programs_with


class ReportAudience(StrEnum):
    """Who a report is for."""

    DIRECTORS = "directors"
    DIRECTORS_AND_BILLING = "directors_and_billing"


AUDIENCE_ROLES: dict[ReportAudience, tuple[str, ...]] = {
    ReportAudience.DIRECTORS: (Role.PROGRAM_DIRECTOR,),
    ReportAudience.DIRECTORS_AND_BILLING: (Role.PROGRAM_DIRECTOR, Role.BILLING),
}


def programs_reported_to(user, audience: ReportAudience) -> frozenset[int]:
    """The programs whose reports of this audience the user opens."""
    return programs_with(user, *AUDIENCE_ROLES[audience])


def access_reports(user) -> bool:
    """Opens some report (the navigation link, the list of reports)."""
    return bool(programs_reported_to(user, ReportAudience.DIRECTORS_AND_BILLING))


def access_report_audiences(user) -> frozenset[ReportAudience]:
    """The audiences whose reports the user opens, or an audited refusal when none."""
    audiences = frozenset(a for a in ReportAudience if programs_reported_to(user, a))
    if not audiences:
        raise refuse(actor=user, action=AuditAction.VIEW, object_type="report", object_id="list")
    return audiences


def access_report_programs_by_id(
    user,
    *,
    report: str,
    audience: ReportAudience,
    program_id=None,
    action: str = AuditAction.VIEW,
) -> list[Program]:
    """The programs a report counts for the user: the one asked for, or every program the
    user reports on when none is named. An audited refusal when that is none."""
    allowed = programs_reported_to(user, audience)
    if program_id not in (None, ""):
        allowed = allowed & {as_record_id(program_id)}
    programs = list(Program.objects.filter(pk__in=allowed).select_related("site").order_by("name"))
    if not programs:
        raise refuse(
            actor=user,
            action=action,
            object_type="report",
            object_id=report,
            detail={"program_id": program_id},
        )
    return programs
