"""The demo looks like a real IOP: a director looking at last week sees a minority below
the minimum, every attended visit has a note, the timetable is 3-hour blocks, and the
records agree with each other.

One full demo build (it takes a while), on a fixed day: Tuesday 1 December 2026, so the
last full week is 2026-W48 with Thanksgiving (a closure) and the week before, W47, is an
ordinary week. The build runs once per `make test`, on SQLite (the `demo_engine` mark:
the engine `make demo` serves; see conftest.py); each `check_*` below or in an app's
tests/demo_checks.py is one property of it. Checks of one area go there rather than into
a test of their own that builds the demo again: a build is about two minutes of the suite.
"""

from __future__ import annotations

import zoneinfo
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

import pytest

from stepwell.accounts.models import User
from stepwell.alumni.tests.demo_checks import check_the_alumni_community
from stepwell.billing.models import Coverage
from stepwell.care.hours import weekly as weekly_hours
from stepwell.care.models import Attendance, ClinicalNote
from stepwell.clinic.models import Program
from stepwell.demo.clinic import DEMO_PASSWORD
from stepwell.demo.full import build_demo
from stepwell.intake.models import IntakeAssessment
from stepwell.intake.tests.demo_checks import check_referrals_in_every_state_and_signed_plans
from stepwell.measures.tests.demo_checks import check_measurement_history
from stepwell.patients.models import CareTeamRole, Episode, EpisodeState
from stepwell.plans.models import Goal
from stepwell.privacy.audit import audit_verify
from stepwell.reports.demo_checks import check_reports_look_plausible
from stepwell.schedule.models import Appointment, Holiday, SessionOccurrence
from stepwell.schedule.tests.demo_checks import check_the_calendar

TODAY = date(2026, 12, 1)
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOW = datetime.combine(TODAY, time.min, tzinfo=CHICAGO)
ATTENDED = ("present", "late", "left_early")


@pytest.mark.demo_engine
def test_the_demo_looks_like_a_real_iop(db):
    clinic = build_demo(seed=42, today=TODAY)
    check_every_state_and_the_documented_logins(clinic)
    check_referrals_in_every_state_and_signed_plans()
    check_measurement_history(clinic)
    check_the_calendar(TODAY)
    for week in ("2026-W47", "2026-W48"):
        check_a_minority_is_below_the_minimum(week)
    check_thanksgiving_is_a_closure_not_a_shortfall()
    check_every_attended_visit_has_a_note()
    check_medication_visits_for_patients_with_a_prescriber()
    check_no_weekend_admissions_or_discharges()
    check_tracks_of_three_hour_blocks_three_or_four_days_a_week()
    check_coverages_of_each_payer_kind()
    check_histories_and_goals_agree_with_the_diagnoses()
    check_billing_of_last_month()
    check_reports_look_plausible()
    check_medications_and_drug_tests()
    check_a_part2_disclosure_under_consent_and_the_outbox()
    check_milestones_earned_by_active_patients()
    check_the_alumni_community()
    check_follow_ups_in_every_state()
    check_discharged_patients_have_signed_summaries_and_aftercare_plans()
    assert audit_verify() == []  # every service the build went through kept the chain


def check_every_state_and_the_documented_logins(clinic) -> None:
    assert len(clinic.programs) == 3
    assert 14 <= User.objects.filter(kind="staff").count() <= 16
    assert len(clinic.patients) == 80
    states = Counter(Episode.objects.values_list("state", flat=True))
    assert set(states) == set(EpisodeState.values)
    for username in [
        "director",
        "intake",
        "therapist",
        "therapist2",
        "prescriber",
        "billing",
        "admin",
        "patient1",
    ]:
        assert User.objects.get(username=username).check_password(DEMO_PASSWORD)


def _compliance(week: str):
    rows = []
    for program in Program.objects.order_by("name"):
        rows += weekly_hours.program_compliance(program=program, week=week, now=NOW)
    return rows


def check_a_minority_is_below_the_minimum(week: str) -> None:
    rows = _compliance(week)
    attending = [r for r in rows if r.hours.window_min > 0]
    below = [r for r in attending if r.hours.below_minimum]
    assert len(attending) >= 30
    assert 0 < len(below) <= len(attending) / 3, [
        (r.patient.display_name, r.hours.projected_minutes, r.hours.window_min) for r in below
    ]
    # Shortfalls come from the patient's own absences and late arrivals, not the plan:
    # whoever attended every session booked for them is not below the minimum.
    for row in below:
        statuses = set(
            Attendance.objects.filter(
                patient=row.patient,
                session_starts_at__gte=datetime.fromisocalendar(
                    *map(int, week.split("-W")), 1
                ).replace(tzinfo=CHICAGO),
                session_starts_at__lt=datetime.fromisocalendar(
                    *map(int, week.split("-W")), 7
                ).replace(tzinfo=CHICAGO)
                + timedelta(days=1),
            ).values_list("status", flat=True)
        )
        assert statuses - {"present"}, row.patient.display_name


def check_thanksgiving_is_a_closure_not_a_shortfall() -> None:
    thanksgiving = date(2026, 11, 26)
    assert Holiday.objects.filter(date=thanksgiving).count() == 3
    assert not SessionOccurrence.objects.filter(
        starts_at__gte=datetime.combine(thanksgiving, time.min, tzinfo=CHICAGO),
        starts_at__lt=datetime.combine(thanksgiving + timedelta(days=1), time.min, tzinfo=CHICAGO),
    ).exists()
    rows = _compliance("2026-W48")
    prorated = [r for r in rows if r.hours.requirement.prorated]
    assert len(prorated) == len([r for r in rows if r.hours.window_min or r.hours.requirement.lost])
    assert all("closed" in {reason for _, reason in r.hours.requirement.lost} for r in prorated)


def check_every_attended_visit_has_a_note() -> None:
    attended = Attendance.objects.filter(appointment__isnull=False, status__in=ATTENDED)
    assert attended.count() > 100
    noted = set(
        ClinicalNote.objects.filter(appointment__isnull=False).values_list(
            "appointment_id", flat=True
        )
    )
    assert {a.appointment_id for a in attended} <= noted
    kinds = Counter(
        Appointment.objects.filter(attendance__status__in=ATTENDED).values_list("kind", flat=True)
    )
    assert kinds["individual"] > 50
    assert kinds["medication"] > 50
    # Nearly all notes older than two days are signed; co-signatures were given.
    old = ClinicalNote.objects.filter(
        ended_at__lt=NOW - timedelta(days=2), kind__in=("individual", "medication")
    )
    assert old.filter(signed_at__isnull=True).count() == 0
    needing = ClinicalNote.objects.filter(
        cosign_required=True, signed_at__lt=NOW - timedelta(days=4)
    )
    assert needing.exists()
    assert not needing.filter(cosignature__isnull=True).exists()


def check_medication_visits_for_patients_with_a_prescriber() -> None:
    week_start = datetime(2026, 11, 16, tzinfo=CHICAGO)
    seen = set(
        Appointment.objects.filter(
            kind="medication", starts_at__gte=week_start, starts_at__lt=week_start + timedelta(7)
        ).values_list("patient_id", flat=True)
    )
    with_prescriber = set(
        Episode.objects.filter(
            state__in=["admitted", "active"],
            admitted_on__lte=date(2026, 11, 16),
            patient__care_team__team_role=CareTeamRole.PRESCRIBER,
        ).values_list("patient_id", flat=True)
    )
    assert len(seen & with_prescriber) >= 0.8 * len(with_prescriber)


def check_no_weekend_admissions_or_discharges() -> None:
    for admitted_on, discharged_on in Episode.objects.values_list("admitted_on", "discharged_on"):
        assert admitted_on is None or admitted_on.weekday() < 5
        assert discharged_on is None or discharged_on.weekday() < 5


def check_tracks_of_three_hour_blocks_three_or_four_days_a_week() -> None:
    blocks = defaultdict(int)
    days = defaultdict(set)
    week = datetime(2026, 11, 16, tzinfo=CHICAGO)
    for occurrence in SessionOccurrence.objects.filter(
        starts_at__gte=week,
        starts_at__lt=week + timedelta(days=7),
        kind__in=("process_group", "psychoeducation"),
    ).select_related("series"):
        local = occurrence.starts_at.astimezone(CHICAGO)
        track = occurrence.series.title.split("(")[-1]
        blocks[(occurrence.program_id, track, local.date())] += occurrence.minutes
        days[(occurrence.program_id, track)].add(local.date())
    assert set(blocks.values()) == {180}
    assert {len(d) for d in days.values()} <= {3, 4}
    assert len(days) == 6  # a morning and an evening track in each of three programs


def check_coverages_of_each_payer_kind() -> None:
    rules = set(Coverage.objects.values_list("payer__kind", "payer__hours_rule").distinct())
    assert {
        ("medicare", "medicare_iop"),
        ("commercial", "h0015"),
        ("medicaid", "s9480"),
        ("self_pay", "program_default"),
    } <= rules
    sud = Program.objects.get(name="Substance Use IOP")
    sud_rules = Counter(
        Coverage.objects.filter(patient__episodes__program=sud).values_list(
            "payer__hours_rule", flat=True
        )
    )
    assert sud_rules.most_common(1)[0][0] == "h0015"  # alcohol and drug IOP bills H0015


def check_histories_and_goals_agree_with_the_diagnoses() -> None:
    assessments = IntakeAssessment.objects.filter(status="signed").prefetch_related("diagnoses")
    assert assessments.count() > 30
    for assessment in assessments:
        codes = [d.code for d in assessment.diagnoses.all()]
        substance = any(code.startswith("F1") for code in codes)
        assert ("Denies substance use" in assessment.substance_use_history) is not substance
    domains = defaultdict(set)
    for goal in Goal.objects.select_related("problem__plan__episode__program"):
        domains[goal.problem.plan.episode.program.name].add(goal.domain)
    assert domains["Adult Mental Health IOP"] <= {"mental_health", "coping_skills", "resilience"}
    assert domains["Substance Use IOP"] <= {
        "relapse_prevention",
        "addiction_recovery",
        "resilience",
    }


def check_billing_of_last_month() -> None:
    """Authorizations in every state with reviews due this week, billable days with a
    few blocked by notes, and November's claims, each file valid 837I (pyx12)."""
    from stepwell.billing.models import Authorization, BilledDay, ClaimBatch, UtilizationReview
    from stepwell.billing.selectors.days import program_days
    from stepwell.billing.tests.x12_check import pyx12_errors

    statuses = set(Authorization.objects.values_list("status", flat=True))
    assert statuses == {"approved", "pending", "denied"}
    week = (TODAY - timedelta(days=TODAY.weekday()), TODAY + timedelta(days=6 - TODAY.weekday()))
    due = UtilizationReview.objects.filter(outcome="pending", due_on__range=week)
    assert due.count() >= 2
    batches = list(ClaimBatch.objects.all())
    assert len(batches) == 3
    for batch in batches:
        assert (batch.date_from, batch.date_to) == (date(2026, 11, 1), date(2026, 11, 30))
        assert batch.claims.exists()
        valid, errors = pyx12_errors(batch.content)
        assert valid and errors == [], (batch.program, errors[:3])
    assert BilledDay.objects.filter(day__month=11).count() > 100
    blocked = Counter()
    for program in Program.objects.all():
        for day in program_days(
            program=program, date_from=date(2026, 11, 1), date_to=date(2026, 11, 30)
        ).days:
            blocked.update(p.code for p in day.result.problems)
    assert blocked["note_unsigned"] + blocked["note_missing"] >= 1, blocked
    # A payer's remittance (835) for some of them: lines paid, one claim denied (CARC 50).
    from stepwell.billing.models import ClaimLine, Remittance

    remittance = Remittance.objects.get()
    assert remittance.unknown_claims == [] and remittance.unmatched_lines == []
    assert ClaimLine.objects.filter(remit_outcome="paid").exists()
    denied = ClaimLine.objects.filter(remit_outcome="denied")
    assert denied.exists() and all("CO-50" in line.reason_codes for line in denied)


def check_medications_and_drug_tests() -> None:
    """docs/medications.md "Demo": medications, allergies, an admission reconciliation and a
    visit checklist for the patients with a prescriber; adherence answers; weekly random
    tests in the substance-use program with a few unexpected positives and buprenorphine
    shown as expected."""
    from stepwell.meds.models import (
        Adherence,
        Allergy,
        DrugTestResult,
        MedicationVisit,
        RandomDraw,
        Reconciliation,
    )

    with_prescriber = Episode.objects.filter(
        state__in=["admitted", "active"], patient__care_team__team_role=CareTeamRole.PRESCRIBER
    ).select_related("patient")
    assert with_prescriber.count() >= 20
    for episode in with_prescriber:
        patient = episode.patient
        assert 1 <= patient.medications.count() <= 4, patient.display_name
        assert Allergy.objects.filter(patient=patient, active=True).exists()
        assert Reconciliation.objects.filter(
            episode=episode, occasion="admission", signed_at__isnull=False
        ).exists()
    visits = MedicationVisit.objects.exclude(side_effects={})
    assert visits.count() >= 0.8 * with_prescriber.count()
    assert Adherence.objects.exists()
    draws = RandomDraw.objects.filter(program__track="substance_use")
    assert draws.count() == 3
    results = DrugTestResult.objects.filter(test__program__track="substance_use")
    assert results.filter(outcome="positive", expected=False).exists()
    assert (
        0
        < results.filter(outcome="positive", expected=False).count()
        < results.filter(outcome="negative", substance="cocaine").count()
    )
    assert results.filter(substance="buprenorphine", outcome="positive", expected=True).exists()


def check_a_part2_disclosure_under_consent_and_the_outbox() -> None:
    """Issue 15: a Part 2 consent with a disclosure under it (carrying the 2.32 notice), a
    release waiting for a portal signature, and messages in the outbox."""
    from stepwell.consent.models import Consent, Disclosure
    from stepwell.consent.notices import PART2_NOTICE
    from stepwell.messaging.models import Message

    disclosure = Disclosure.objects.get()
    assert disclosure.part2 and disclosure.consent.kind == "part2"
    assert PART2_NOTICE[:60] in disclosure.document
    assert Consent.objects.filter(status="awaiting_signature").exists()
    assert Message.objects.filter(purpose="follow_up").exists()
    # A Part 2 program's claims go out under each insured patient's signed consent for
    # treatment, payment and operations; one patient has not signed, and billing says so.
    from stepwell.billing.selectors.days import program_days

    part2 = list(Program.objects.filter(part2_program=True))
    assert part2
    without_consent = 0
    for program in part2:
        days = program_days(
            program=program, date_from=date(2026, 11, 1), date_to=date(2026, 11, 30)
        ).days
        blocked = {
            d.patient.pk
            for d in days
            if any(p.code == "consent_missing" for p in d.result.problems)
        }
        assert len(blocked) <= 1, program.name
        assert any(d.result.billable and d.patient.pk not in blocked for d in days)
        without_consent += len(blocked)
    assert without_consent >= 1


def check_milestones_earned_by_active_patients():
    """Active patients have earned milestones from their record; patient1 sees theirs on
    the portal and said yes to being named in group."""
    from stepwell.accounts.models import User
    from stepwell.milestones import selectors as milestone_selectors
    from stepwell.milestones.models import Milestone

    computed = Milestone.objects.filter(kind="computed", episode__state__in=["admitted", "active"])
    assert computed.values("patient").distinct().count() >= 10
    kinds = {code.split(":")[0] for code in computed.values_list("code", flat=True)}
    assert {"attendance_weeks_2", "first_week_hours_met"} <= kinds, kinds
    assert kinds & {"reliable_improvement", "response", "remission"}, kinds
    patient1 = User.objects.get(username="patient1")
    progress = milestone_selectors.portal_progress(user=patient1)
    assert progress.named_in_group is True
    assert any(m.kind == "computed" for m in progress.milestones)
    assert any(m.kind == "recorded" for m in progress.milestones)
    assert progress.trajectories


def check_follow_ups_in_every_state():
    from stepwell.followups.models import FollowUp, FollowUpStatus

    states = set(FollowUp.objects.values_list("status", flat=True))
    assert states == set(FollowUpStatus.values), states
    completed = FollowUp.objects.filter(status=FollowUpStatus.COMPLETED)
    assert all(f.scores.exists() and f.method == "phone" for f in completed)


def check_discharged_patients_have_signed_summaries_and_aftercare_plans() -> None:
    from stepwell.discharge.models import AftercarePlan, DischargeSummary, SupportGroup

    discharged = Episode.objects.filter(state="discharged", admitted_on__isnull=False)
    assert discharged.count() >= 3
    summaries = DischargeSummary.objects.filter(episode__in=discharged)
    assert summaries.count() == discharged.count()
    assert set(summaries.values_list("status", flat=True)) == {"signed"}
    plans = AftercarePlan.objects.filter(episode__in=discharged)
    assert plans.count() == discharged.count()
    assert set(plans.values_list("status", flat=True)) == {"signed"}
    assert all(p.contacts.exists() and p.appointments.exists() for p in plans)
    assert SupportGroup.objects.values("kind").distinct().count() == 6
    # patient1 has a draft plan to sign on the portal.
    assert AftercarePlan.objects.filter(
        episode__patient__user__username="patient1", status="draft"
    ).exists()
