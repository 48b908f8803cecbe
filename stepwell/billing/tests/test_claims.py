"""Billable days from the record and the claims written from them, end to end: attended
sessions with signed notes under each payer's rule, weekly claims per coverage, the 837I
checked by pyx12, a day never billed twice, a corrected claim naming its original, and
the services refused to roles that do not bill."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from stepwell.billing import services
from stepwell.billing.models import Authorization, BilledDay, Claim, ClaimBatch
from stepwell.billing.selectors.days import program_days
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy.models import AuditEvent
from stepwell.schedule.calendar.weeks import local_to_utc

from .records import (
    WEEK_1,
    WEEK_2,
    attended_group,
    covered,
    diagnosed,
    now_after,
    provider_and_charges,
)
from .x12_check import pyx12_errors

H0015 = {
    "kind": "commercial",
    "hours_rule": "h0015",
    "claim_method": "per_diem",
    "per_diem_code": "H0015",
    "billable_day_minutes": 180,
}
MEDICARE = {
    "kind": "medicare",
    "hours_rule": "medicare_iop",
    "claim_method": "medicare_iop",
    "condition_code": "92",
}


@pytest.fixture
def record(clinic):
    provider_and_charges(clinic.program_a)
    diagnosed(clinic.episode_a, clinic.clinician_a)
    return clinic


def _days(clinic, date_from, date_to):
    result = program_days(program=clinic.program_a, date_from=date_from, date_to=date_to)
    return {d.day: d for d in result.days}


def _problems(day):
    return [p.code for p in day.result.problems]


def test_h0015_days_from_attendance_and_notes(record):
    clinic = record
    covered(clinic.patient_a, **H0015)
    a, b, c = WEEK_1, WEEK_1 + timedelta(days=1), WEEK_1 + timedelta(days=2)
    attended_group(clinic.program_a, clinic.clinician_a, clinic.patient_a, day=a)
    attended_group(clinic.program_a, clinic.clinician_a, clinic.patient_a, day=b, minutes=179)
    attended_group(clinic.program_a, clinic.clinician_a, clinic.patient_a, day=c, sign=False)
    days = _days(clinic, WEEK_1, WEEK_1 + timedelta(days=6))
    assert days[a].result.billable and days[a].to_bill
    assert [(ln.procedure_code, ln.revenue_code, ln.units) for ln in days[a].result.lines] == [
        ("H0015", "0905", 1)
    ]
    assert _problems(days[b]) == ["below_day_rule"]
    assert "2 h 59 min" in days[b].result.problems[0].message
    assert _problems(days[c]) == ["note_unsigned"]
    assert days[c].needs_work and not days[c].to_bill


def test_two_sessions_on_a_day_add_up_to_the_day_rule(record):
    clinic = record
    covered(clinic.patient_a, **H0015)
    for start, length in [(9, 90), (13, 90)]:
        from datetime import time

        attended_group(
            clinic.program_a,
            clinic.clinician_a,
            clinic.patient_a,
            day=WEEK_1,
            start=time(start),
            length=length,
            minutes=length,
        )
    day = _days(clinic, WEEK_1, WEEK_1)[WEEK_1]
    assert day.result.minutes == 180 and day.result.billable


def test_a_day_without_a_diagnosis_or_member_id_names_the_fix(clinic):
    provider_and_charges(clinic.program_a)
    coverage = covered(clinic.patient_a, **H0015)
    coverage.member_id = ""
    coverage.save()
    attended_group(clinic.program_a, clinic.clinician_a, clinic.patient_a, day=WEEK_1)
    day = _days(clinic, WEEK_1, WEEK_1)[WEEK_1]
    assert set(_problems(day)) == {"no_diagnosis", "coverage_incomplete"}
    assert any("member ID" in p.message for p in day.result.problems)


def test_claims_per_week_validate_as_837i_and_bill_a_day_once(record):
    clinic = record
    covered(clinic.patient_a, **H0015)
    for day in (WEEK_1, WEEK_1 + timedelta(days=2), WEEK_2):
        attended_group(clinic.program_a, clinic.clinician_a, clinic.patient_a, day=day)
    attended_group(
        clinic.program_a,
        clinic.clinician_a,
        clinic.patient_a,
        day=WEEK_2 + timedelta(1),
        sign=False,
    )
    now = now_after(clinic.program_a, WEEK_2 + timedelta(days=10))
    batch = services.claims_generate(
        actor=clinic.billing_a,
        program_id=clinic.program_a.pk,
        date_from=WEEK_1,
        date_to=WEEK_2 + timedelta(days=6),
        file_format="837i",
        now=now,
    )
    claims = list(batch.claims.order_by("statement_from"))
    assert [(c.statement_from, c.statement_to, c.lines.count()) for c in claims] == [
        (WEEK_1, WEEK_1 + timedelta(days=2), 2),
        (WEEK_2, WEEK_2, 1),
    ]
    valid, errors = pyx12_errors(batch.content)
    assert valid and errors == [], errors
    assert "SV2*0905*HC:H0015*250*UN*1~" in batch.content
    assert "HI*ABK:F331~" in batch.content
    assert "BEHAVIOR" not in batch.content.upper().replace("BEHAVIORAL", "")
    assert BilledDay.objects.filter(active=True).count() == 3
    event = AuditEvent.objects.get(object_type="claim_batch", outcome="allowed")
    assert event.detail["patients"] == [clinic.patient_a.pk]
    with pytest.raises(ApplicationError) as again:
        services.claims_generate(
            actor=clinic.billing_a,
            program_id=clinic.program_a.pk,
            date_from=WEEK_1,
            date_to=WEEK_2 + timedelta(days=6),
            file_format="837i",
            now=now,
        )
    assert "date_from" in again.value.field_errors
    assert ClaimBatch.objects.count() == 1


def test_a_corrected_claim_references_the_original(record):
    clinic = record
    covered(clinic.patient_a, **H0015)
    attended_group(clinic.program_a, clinic.clinician_a, clinic.patient_a, day=WEEK_1)
    now = now_after(clinic.program_a, WEEK_2 + timedelta(days=10))
    first = services.claims_generate(
        actor=clinic.billing_a,
        program_id=clinic.program_a.pk,
        date_from=WEEK_1,
        date_to=WEEK_1 + timedelta(days=6),
        file_format="837i",
        now=now,
    )
    original = first.claims.get()
    batch = services.claim_correct(actor=clinic.billing_a, claim_id=original.pk, now=now)
    corrected = batch.claims.get()
    assert (corrected.frequency_code, corrected.original_id) == ("7", original.pk)
    assert f"REF*F8*{original.claim_number}~" in batch.content
    assert "13:A:7" in batch.content
    assert pyx12_errors(batch.content) == (True, [])
    original.refresh_from_db()
    assert original.status == "replaced"
    assert list(BilledDay.objects.filter(active=True).values_list("claim_id", flat=True)) == [
        corrected.pk
    ]


def test_medicare_iop_lines_per_service_with_condition_code_92(record):
    clinic = record
    covered(clinic.patient_a, **MEDICARE)
    from datetime import time

    for hour in (8, 10, 12, 14):
        attended_group(
            clinic.program_a,
            clinic.clinician_a,
            clinic.patient_a,
            day=WEEK_1,
            start=time(hour),
            length=60,
            minutes=60,
        )
    for hour in (8, 10, 12):
        attended_group(
            clinic.program_a,
            clinic.clinician_a,
            clinic.patient_a,
            day=WEEK_1 + timedelta(1),
            start=time(hour),
            length=60,
            minutes=60,
        )
    days = _days(clinic, WEEK_1, WEEK_1 + timedelta(days=6))
    assert days[WEEK_1].result.tier == "4 or more services"
    assert days[WEEK_1 + timedelta(1)].result.tier == "up to 3 services"
    batch = services.claims_generate(
        actor=clinic.billing_a,
        program_id=clinic.program_a.pk,
        date_from=WEEK_1,
        date_to=WEEK_1 + timedelta(days=6),
        file_format="837i",
        now=now_after(clinic.program_a, WEEK_2 + timedelta(days=3)),
    )
    assert batch.content.count("SV2*0905*HC:90853") == 7
    assert "HI*BG:92~" in batch.content and "SBR*P*18*G01******MA~" in batch.content
    assert pyx12_errors(batch.content) == (True, [])


def test_authorized_days_are_counted_and_run_out(record):
    clinic = record
    coverage = covered(clinic.patient_a, requires_authorization=True, **H0015)
    services.authorization_create(
        actor=clinic.billing_a,
        patient_id=clinic.patient_a.pk,
        program_id=clinic.program_a.pk,
        payer_id=coverage.payer_id,
        starts_on=WEEK_1,
        ends_on=WEEK_2 + timedelta(days=6),
        number="AUTH-1",
        units_approved=2,
    )
    for offset in (0, 1, 2):
        attended_group(
            clinic.program_a,
            clinic.clinician_a,
            clinic.patient_a,
            day=WEEK_1 + timedelta(days=offset),
        )
    result = program_days(
        program=clinic.program_a, date_from=WEEK_1, date_to=WEEK_1 + timedelta(days=6)
    )
    states = [d.result.authorization.value for d in result.days]
    assert states == ["covered", "covered", "exhausted"]
    assert result.units_used == {Authorization.objects.get().pk: 2}
    assert _problems(result.days[2]) == ["authorization_exhausted"]
    batch = services.claims_generate(
        actor=clinic.billing_a,
        program_id=clinic.program_a.pk,
        date_from=WEEK_1,
        date_to=WEEK_1 + timedelta(days=6),
        file_format="csv",
        now=now_after(clinic.program_a, WEEK_2 + timedelta(days=10)),
    )
    assert batch.claims.get().prior_authorization == "AUTH-1"
    assert batch.content.count("H0015") == 2


def test_a_claims_file_needs_the_billing_provider(clinic):
    covered(clinic.patient_a, **H0015)
    diagnosed(clinic.episode_a, clinic.clinician_a)
    attended_group(clinic.program_a, clinic.clinician_a, clinic.patient_a, day=WEEK_1)
    with pytest.raises(ApplicationError) as error:
        services.claims_generate(
            actor=clinic.billing_a,
            program_id=clinic.program_a.pk,
            date_from=WEEK_1,
            date_to=WEEK_1,
            file_format="837i",
            now=now_after(clinic.program_a, WEEK_2),
        )
    assert "program" in error.value.field_errors
    assert not ClaimBatch.objects.exists() and not BilledDay.objects.exists()


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"file_format": "837p"}, "file_format"),
        ({"date_to": WEEK_1 - timedelta(days=1)}, "date_to"),
    ],
)
def test_bad_claims_input_names_the_field(record, bad, field):
    kwargs = {
        "actor": record.billing_a,
        "program_id": record.program_a.pk,
        "date_from": WEEK_1,
        "date_to": WEEK_1,
        "file_format": "837i",
        "now": now_after(record.program_a, WEEK_2),
    } | bad
    with pytest.raises(ApplicationError) as error:
        services.claims_generate(**kwargs)
    assert field in error.value.field_errors
    assert not ClaimBatch.objects.exists()


@pytest.mark.parametrize("name", ["clinician_a", "nurse_a", "intake_a", "admin", "patient_user_a"])
def test_claims_generate_called_directly_by_a_refused_role(record, name):
    covered(record.patient_a, **H0015)
    attended_group(record.program_a, record.clinician_a, record.patient_a, day=WEEK_1)
    with pytest.raises(AccessDenied):
        services.claims_generate(
            actor=getattr(record, name),
            program_id=record.program_a.pk,
            date_from=WEEK_1,
            date_to=WEEK_1,
            file_format="837i",
            now=now_after(record.program_a, WEEK_2),
        )
    assert AuditEvent.objects.filter(outcome="denied", object_type="claim_batch").count() == 1
    assert not ClaimBatch.objects.exists() and not BilledDay.objects.exists()


@pytest.mark.parametrize("name", ["clinician_a", "billing_a"])
def test_claim_correct_called_directly_by_a_refused_role(record, name):
    """clinician_a does no billing; billing_a does program A's, not program B's."""
    covered(record.patient_a, **H0015)
    attended_group(record.program_a, record.clinician_a, record.patient_a, day=WEEK_1)
    now = now_after(record.program_a, WEEK_2)
    batch = services.claims_generate(
        actor=record.director_a,
        program_id=record.program_a.pk,
        date_from=WEEK_1,
        date_to=WEEK_1,
        file_format="837i",
        now=now,
    )
    claim = batch.claims.get()
    if name == "billing_a":
        Claim.objects.filter(pk=claim.pk).update(program=record.program_b)
    with pytest.raises(AccessDenied):
        services.claim_correct(actor=getattr(record, name), claim_id=claim.pk, now=now)
    assert AuditEvent.objects.filter(outcome="denied", object_type="claim").count() == 1
    assert ClaimBatch.objects.count() == 1
    assert Claim.objects.get().status == "submitted"


def test_claims_command_writes_the_file_and_bills_nothing_twice(record, tmp_path):
    from django.core.management import CommandError, call_command

    covered(record.patient_a, **H0015)
    attended_group(record.program_a, record.clinician_a, record.patient_a, day=WEEK_1)
    out = tmp_path / "claims.837"
    args = ["billing", "claims", "--program", str(record.program_a.pk), "--from", str(WEEK_1)]
    call_command(*args, "--to", str(WEEK_1 + timedelta(days=6)), "--out", str(out))
    assert pyx12_errors(out.read_text()) == (True, [])
    event = AuditEvent.objects.get(object_type="claim_batch", outcome="allowed")
    assert event.username.startswith("system:stepwell billing claims by ")
    with pytest.raises(CommandError, match="--date-from: Nothing to bill"):
        call_command(*args, "--to", str(WEEK_1), "--out", str(tmp_path / "again.837"))
    with pytest.raises(CommandError, match="--program: no program with id 999999"):
        call_command(
            "billing",
            "claims",
            "--program",
            "999999",
            "--from",
            "2026-11-02",
            "--to",
            "2026-11-03",
            "--out",
            str(tmp_path / "none.837"),
        )
    with pytest.raises(CommandError, match="not a date"):
        call_command(*args, "--to", "tomorrow", "--out", str(tmp_path / "bad.837"))


def test_no_other_system_job_writes_claims(record):
    from stepwell.privacy.actors import system_actor

    covered(record.patient_a, **H0015)
    attended_group(record.program_a, record.clinician_a, record.patient_a, day=WEEK_1)
    with pytest.raises(AccessDenied):
        services.claims_generate(
            actor=system_actor("reminders"),
            program_id=record.program_a.pk,
            date_from=WEEK_1,
            date_to=WEEK_1,
            file_format="837i",
            now=now_after(record.program_a, WEEK_2),
        )
    assert not ClaimBatch.objects.exists()


def _part2_consent(clinic, *, status="signed", programs=None, **terms):
    """A Part 2 consent of patient A, signed on paper before the claim's days."""
    from stepwell.consent.models import Consent

    fields = {
        "recipient_kind": "tpo",
        "purpose": "",
        "sections": ["episodes", "diagnoses", "attendance"],
        "expires_on": date(2027, 12, 31),
        **terms,
    }
    zone = clinic.program_a.timezone
    consent = Consent.objects.create(
        patient=clinic.patient_a,
        kind="part2",
        status=status,
        signature_method="paper",
        signer_name="Synthetic Patient",
        signed_at=local_to_utc(zone, date(2026, 10, 1), time(9)),
        signed_html="<p>synthetic consent</p>",
        created_by=clinic.clinician_a,
        ended_at=local_to_utc(zone, date(2026, 10, 2), time(9)) if status == "revoked" else None,
        **fields,
    )
    consent.disclosing_programs.set(programs if programs is not None else [clinic.program_a])
    return consent


def _consent_problem(clinic):
    day = _days(clinic, WEEK_1, WEEK_1)[WEEK_1]
    return _problems(day), " ".join(p.message for p in day.result.problems)


def test_a_part2_claim_needs_the_patients_consent_to_disclose_for_payment(record):
    """A program outside Part 2 bills without consent (HIPAA allows disclosure for
    payment); a Part 2 program's day is blocked until a signed Part 2 consent covers
    disclosure to this payer for payment, naming the program, and it is billable then."""
    coverage = covered(record.patient_a, **H0015)
    attended_group(record.program_a, record.clinician_a, record.patient_a, day=WEEK_1)
    assert record.program_a.part2_program is False
    assert _consent_problem(record) == ([], "")
    record.program_a.part2_program = True
    record.program_a.save()
    codes, message = _consent_problem(record)
    assert codes == ["consent_missing"]
    assert coverage.payer.name in message and "signed no Part 2 consent" in message
    day = _days(record, WEEK_1, WEEK_1)[WEEK_1]
    assert "consent" in day.result.problems[0].fix and not day.to_bill
    # The single consent for treatment, payment and operations covers the claim.
    _part2_consent(record)
    assert _consent_problem(record) == ([], "")


@pytest.mark.parametrize(
    ("consent", "says"),
    [
        ({"status": "revoked"}, "revoked"),
        ({"programs": []}, "does not name"),
        ({"expires_on": date(2026, 10, 15)}, "expired"),
        ({"sections": ["episodes", "diagnoses"]}, "Attendance"),
        (
            {"recipient_kind": "named", "recipients": "Another Health Plan", "purpose": "payment"},
            "as a recipient",
        ),
        ({"recipient_kind": "named", "recipients": "PAYER", "purpose": "treatment"}, "Payment"),
        ({"date_to": date(2026, 10, 31)}, "up to 2026-10-31"),
    ],
)
def test_a_part2_consent_that_does_not_cover_the_claim_blocks_it(record, consent, says):
    coverage = covered(record.patient_a, **H0015)
    attended_group(record.program_a, record.clinician_a, record.patient_a, day=WEEK_1)
    record.program_a.part2_program = True
    record.program_a.save()
    if consent.get("recipients") == "PAYER":
        consent["recipients"] = coverage.payer.name
    _part2_consent(record, **consent)
    codes, message = _consent_problem(record)
    assert codes == ["consent_missing"]
    assert message.startswith("No Part 2 consent covers this claim") and says in message


def test_a_named_consent_for_payment_to_this_payer_covers_the_claim(record):
    coverage = covered(record.patient_a, **H0015)
    attended_group(record.program_a, record.clinician_a, record.patient_a, day=WEEK_1)
    record.program_a.part2_program = True
    record.program_a.save()
    _part2_consent(
        record,
        recipient_kind="named",
        recipients=f"  {coverage.payer.name.upper()} ",
        purpose="payment",
    )
    assert _consent_problem(record) == ([], "")
