"""A billable record built through the services: a payer, a coverage, the billing
provider and charges, a signed assessment with diagnoses, and group sessions attended
with signed (or unsigned) notes. Times are local to the program."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from stepwell.billing.models import BillingProvider, Charge
from stepwell.care.attendance import services as attendance_services
from stepwell.care.notes import group_notes
from stepwell.intake.models import AssessmentDiagnosis, IntakeAssessment
from stepwell.schedule.calendar.weeks import local_to_utc
from stepwell.schedule.models import Enrollment, SessionOccurrence
from stepwell.testing.factories import CoverageFactory, PayerFactory

# Mondays of two past weeks (the clinic's "today" in these tests is later).
WEEK_1 = date(2026, 11, 2)
WEEK_2 = date(2026, 11, 9)


def provider_and_charges(program) -> BillingProvider:
    for code, amount in [
        ("H0015", "250.00"),
        ("S9480", "300.00"),
        ("90853", "120.00"),
        ("G0177", "60.00"),
        ("90832", "90.00"),
        ("90834", "130.00"),
        ("90837", "170.00"),
        ("90849", "110.00"),
    ]:
        Charge.objects.get_or_create(code=code, defaults={"amount": Decimal(amount)})
    return BillingProvider.objects.create(
        program=program,
        name="Stepwell Synthetic IOP",
        npi="1234567893",
        tax_id="123456789",
        taxonomy_code="261QM0801X",
        address_line="100 Example Way",
        city="Springfield",
        state="IL",
        postal_code="627011234",
        attending_first_name="Ann",
        attending_last_name="Example",
        attending_npi="1234567893",
        submitter_id="STEPWELLSYN",
        receiver_id="CLEARSYN",
        receiver_name="Synthetic Clearinghouse",
        contact_name="Billing Office",
        contact_phone="5555550100",
    )


def covered(patient, **payer_fields):
    """A primary coverage with every field a claim needs, under a new payer."""
    payer = PayerFactory(payer_identifier="SYN01", **payer_fields)
    return CoverageFactory(
        patient=patient,
        payer=payer,
        member_id="M0001",
        group_number="G01",
        effective_from=date(2026, 1, 1),
        address_line="1 Synthetic St",
        city="Springfield",
        state="IL",
        postal_code="62701",
    )


def diagnosed(episode, author, codes=("F33.1", "F41.1")) -> IntakeAssessment:
    assessment = IntakeAssessment.objects.create(
        episode=episode,
        patient=episode.patient,
        status="signed",
        created_by=author,
        signed_by=author,
        signed_at=local_to_utc(episode.program.timezone, date(2026, 10, 1), time(9)),
    )
    for index, code in enumerate(codes):
        AssessmentDiagnosis.objects.create(
            assessment=assessment, code=code, description=code, primary=index == 0
        )
    return assessment


def attended_group(
    program,
    facilitator,
    patient,
    *,
    day: date,
    minutes: int = 180,
    sign: bool = True,
    start: time = time(9, 0),
    length: int = 180,
    kind: str = "process_group",
):
    """A group session on `day` the patient attended `minutes` of (left early if fewer
    than its length), with its group note signed or left a draft."""
    starts_at = local_to_utc(program.timezone, day, start)
    occurrence = SessionOccurrence.objects.create(
        program=program,
        kind=kind,
        title="Process group",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=length),
        capacity=12,
        enrolled_count=1,
    )
    occurrence.facilitators.set([facilitator])
    Enrollment.objects.create(occurrence=occurrence, patient=patient)
    _, rows = attendance_services.attendance_roster_open(
        actor=facilitator, occurrence_id=occurrence.pk
    )
    row = next(r for r in rows if r.patient_id == patient.pk)
    after = occurrence.ends_at + timedelta(hours=1)
    attendance_services.attendance_mark(
        actor=facilitator, attendance_id=row.pk, status="present", now=after
    )
    if minutes < length:
        attendance_services.attendance_mark(
            actor=facilitator,
            attendance_id=row.pk,
            status="left_early",
            check_out_at=starts_at + timedelta(minutes=minutes),
            now=after,
        )
    note = group_notes.group_note_open(actor=facilitator, occurrence_id=occurrence.pk)
    section = note.sections.get(patient=patient)
    group_notes.group_note_update(
        actor=facilitator,
        group_note_id=note.pk,
        shared={"topic": "Distress tolerance", "interventions": "DBT skills"},
        sections={
            section.pk: {
                "behavior": "Engaged.",
                "intervention": "DBT skills practised.",
                "response": "Named two triggers.",
                "plan": "Log urges daily.",
                "risk_check": "no_risk",
            }
        },
    )
    if sign:
        group_notes.group_note_sign(actor=facilitator, group_note_id=note.pk, now=after)
    return occurrence


def now_after(program, day: date) -> datetime:
    return local_to_utc(program.timezone, day, time(12))
