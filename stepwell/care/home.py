"""Each role's home page (/): what the person has to do today, and links only to pages
the person may open. The links are chosen by role for navigation only; every page they
lead to decides access itself (the crawl test checks no link answers 403)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.urls import reverse

from stepwell.accounts.models import Role
from stepwell.care.notes.worklist import WorklistPage, worklist_page
from stepwell.clinic.selectors import programs_of_staff
from stepwell.privacy.access.notes import programs_compliance_reviewed_by
from stepwell.privacy.access.predicates import is_administrator, is_staff_member, programs_with
from stepwell.schedule.calendar.weeks import local_to_utc
from stepwell.schedule.models import Appointment, AppointmentKind, OccurrenceStatus

CLINICAL = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE, Role.PROGRAM_DIRECTOR)


@dataclass(frozen=True)
class HomeLink:
    label: str
    url: str
    hint: str = ""


@dataclass(frozen=True)
class HomePage:
    heading: str
    worklist: WorklistPage | None
    medication_visits: list[Appointment] = field(default_factory=list)
    links: list[HomeLink] = field(default_factory=list)
    director_links: list[HomeLink] = field(default_factory=list)


def lands_on_setup(user) -> bool:
    """An administrator with no role in a program has no caseload: setup is their home."""
    return is_administrator(user) and not programs_with(user, *Role.values)


def _medication_visits(user, now: datetime) -> list[Appointment]:
    programs = list(programs_of_staff(user=user))
    zone = programs[0].timezone if programs else "UTC"
    from stepwell.schedule.calendar.weeks import utc_to_local

    today = utc_to_local(zone, now).date()
    start = local_to_utc(zone, today, time.min)
    end = local_to_utc(zone, today + timedelta(days=1), time.min)
    return list(
        Appointment.objects.filter(
            staff=user,
            kind=AppointmentKind.MEDICATION,
            status=OccurrenceStatus.SCHEDULED,
            starts_at__gte=start,
            starts_at__lt=end,
        ).order_by("starts_at")
    )


def home_page(*, user, now: datetime) -> HomePage | None:
    """The staff member's home page; None for anyone who is not staff."""
    if not is_staff_member(user):
        return None
    clinical = bool(programs_with(user, *CLINICAL))
    prescriber = bool(programs_with(user, Role.PRESCRIBER))
    directed = programs_compliance_reviewed_by(user)
    links = [HomeLink("Caseload", reverse("patients:caseload"), "Your patients and their hours.")]
    if clinical:
        links += [
            HomeLink("Notes and groups", "/care/", "Today's groups, notes to finish."),
            HomeLink("Alerts", "/measures/alerts/", "Scores and answers that need a response."),
            HomeLink("Plans due", "/plans/worklist/", "Reviews and signatures coming due."),
        ]
    if programs_with(user, Role.INTAKE_COORDINATOR, Role.CLINICIAN, Role.PROGRAM_DIRECTOR):
        links.append(HomeLink("Referrals", "/intake/referrals/", "The referral board."))
    links.append(HomeLink("Schedule", "/schedule/", "Weeks, rooms and staff."))
    director_links = []
    for program in programs_of_staff(user=user):
        if program.pk in directed:
            director_links += [
                HomeLink(
                    f"Hours compliance: {program.name}", f"/care/programs/{program.pk}/compliance/"
                ),
                HomeLink(
                    f"Week and optimizer: {program.name}",
                    f"/schedule/{program.pk}/",
                    "Plan the week, book by hand, accept a plan.",
                ),
            ]
    if director_links:
        director_links.append(HomeLink("Audit trail", "/privacy/audit/"))
    heading = "Today"
    if directed:
        heading = "Today in your programs"
    return HomePage(
        heading=heading,
        worklist=worklist_page(user=user, now=now) if clinical else None,
        medication_visits=_medication_visits(user, now) if prescriber else [],
        links=links,
        director_links=director_links,
    )
