"""The discharge services on the database: drafting from the episode, editing, signing
and locking, addenda, the aftercare plan and its checks, the directory, the policy and
the gate the episode's discharge transition applies."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from stepwell.care.models import Attendance
from stepwell.core.errors import ApplicationError
from stepwell.discharge import services
from stepwell.discharge.models import AftercarePlan, DischargeSummary, SummaryAddendum
from stepwell.measures.models import Administration
from stepwell.patients.services import episode_transition
from stepwell.privacy.models import AuditEvent
from stepwell.schedule.models import SessionOccurrence

from .conftest import NARRATIVE, next_week


def _session(clinic, *, days_ago: int, status: str, minutes: int):
    starts = timezone.now() - timedelta(days=days_ago)
    occurrence = SessionOccurrence.objects.create(
        program=clinic.program_a,
        kind="process_group",
        title="Process group",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        capacity=12,
    )
    Attendance.objects.create(
        occurrence=occurrence,
        patient=clinic.patient_a,
        status=status,
        minutes_attended=minutes,
        session_starts_at=starts,
        session_ends_at=starts + timedelta(hours=3),
    )


def _phq9(clinic, total: int, days_ago: int):
    Administration.objects.create(
        patient=clinic.patient_a,
        episode=clinic.episode_a,
        instrument_key="phq9",
        status="completed",
        answers={},
        total=total,
        band="",
        completed_at=timezone.now() - timedelta(days=days_ago),
    )


def test_draft_reads_the_episode_record(diagnosed):
    clinic = diagnosed
    clinic.episode_a.admitted_on = timezone.localdate() - timedelta(days=30)
    clinic.episode_a.referred_on = clinic.episode_a.admitted_on
    clinic.episode_a.save()
    _session(clinic, days_ago=10, status="present", minutes=180)
    _session(clinic, days_ago=8, status="left_early", minutes=90)
    _session(clinic, days_ago=6, status="absent_unexcused", minutes=0)
    _session(clinic, days_ago=4, status="cancelled_by_program", minutes=0)
    _phq9(clinic, 18, 25)
    _phq9(clinic, 12, 12)
    _phq9(clinic, 6, 2)

    summary = services.discharge_summary_draft(
        actor=clinic.clinician_a, episode_id=clinic.episode_a.pk
    )

    facts = summary.facts
    assert facts["admitted_on"] == clinic.episode_a.admitted_on.isoformat()
    assert facts["diagnoses"] == [
        {
            "code": "F33.1",
            "description": "Major depressive disorder, recurrent, moderate",
            "primary": True,
        }
    ]
    assert facts["attendance"] == {
        "sessions_scheduled": 3,
        "sessions_attended": 2,
        "hours_scheduled": 9.0,
        "hours_attended": 4.5,
    }
    [phq9] = facts["measures"]
    assert (phq9["baseline"], phq9["last"], phq9["change"]) == (18, 6, -12)
    assert phq9["classification"] == "Reliable improvement"
    assert facts["medications"] is None  # no signed discharge reconciliation
    assert summary.status == "draft"
    assert summary.drafted_by == clinic.clinician_a


def test_redraft_keeps_the_narrative_and_a_signed_summary_is_locked(diagnosed):
    clinic = diagnosed
    episode_id = clinic.episode_a.pk
    services.discharge_summary_draft(actor=clinic.clinician_a, episode_id=episode_id)
    services.discharge_summary_update(
        actor=clinic.clinician_a, episode_id=episode_id, changes=NARRATIVE
    )
    again = services.discharge_summary_draft(actor=clinic.clinician_a, episode_id=episode_id)
    assert again.course_of_treatment == NARRATIVE["course_of_treatment"]
    assert DischargeSummary.objects.count() == 1

    services.discharge_summary_sign(actor=clinic.clinician_a, episode_id=episode_id)
    for call in (
        lambda: services.discharge_summary_draft(actor=clinic.clinician_a, episode_id=episode_id),
        lambda: services.discharge_summary_update(
            actor=clinic.clinician_a, episode_id=episode_id, changes={"recommendations": "x"}
        ),
        lambda: services.discharge_summary_sign(actor=clinic.clinician_a, episode_id=episode_id),
    ):
        with pytest.raises(ApplicationError) as error:
            call()
        assert "status" in error.value.field_errors
    stored = DischargeSummary.objects.get()
    assert stored.recommendations == NARRATIVE["recommendations"]
    assert stored.signed_by == clinic.clinician_a


def test_signing_needs_the_narrative_and_a_disposition(diagnosed):
    clinic = diagnosed
    services.discharge_summary_draft(actor=clinic.clinician_a, episode_id=clinic.episode_a.pk)
    with pytest.raises(ApplicationError) as error:
        services.discharge_summary_sign(actor=clinic.clinician_a, episode_id=clinic.episode_a.pk)
    assert set(error.value.field_errors) == {
        "course_of_treatment",
        "condition_at_discharge",
        "recommendations",
        "disposition",
    }
    assert DischargeSummary.objects.get().status == "draft"


def test_update_rejects_bad_fields_and_leaves_the_draft(diagnosed):
    clinic = diagnosed
    services.discharge_summary_draft(actor=clinic.clinician_a, episode_id=clinic.episode_a.pk)
    bad = {
        "disposition": "vanished",
        "discharge_date": clinic.episode_a.admitted_on - timedelta(days=1),
        "recommendations": "kept?",
    }
    with pytest.raises(ApplicationError) as error:
        services.discharge_summary_update(
            actor=clinic.clinician_a, episode_id=clinic.episode_a.pk, changes=bad
        )
    assert set(error.value.field_errors) == {"disposition", "discharge_date"}
    assert DischargeSummary.objects.get().recommendations == ""
    with pytest.raises(ApplicationError) as error:
        services.discharge_summary_update(
            actor=clinic.clinician_a, episode_id=clinic.episode_a.pk, changes={"facts": {}}
        )
    assert error.value.field_errors == {"facts": "Not a field of the summary."}


def test_addenda_only_on_a_signed_summary(signed_summary):
    clinic_episode = signed_summary.episode
    actor = signed_summary.signed_by
    addendum = services.discharge_summary_addendum_add(
        actor=actor,
        episode_id=clinic_episode.pk,
        text="  Late entry: PHQ-9 on the last day was 5. ",
    )
    assert addendum.text == "Late entry: PHQ-9 on the last day was 5."
    with pytest.raises(ApplicationError) as error:
        services.discharge_summary_addendum_add(actor=actor, episode_id=clinic_episode.pk, text=" ")
    assert error.value.field_errors == {"text": "Write the addendum."}
    assert SummaryAddendum.objects.count() == 1


def test_a_never_admitted_episode_has_no_summary(clinic):
    clinic.episode_b.program = clinic.program_a
    clinic.episode_b.save()
    with pytest.raises(ApplicationError) as error:
        services.discharge_summary_draft(actor=clinic.clinician_a, episode_id=clinic.episode_b.pk)
    assert "episode" in error.value.field_errors


# --- the aftercare plan ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"name": "", "relationship": "Sister", "phone": "555-0100", "consent_given": True},
            {"name"},
        ),
        (
            {"name": "Jo", "relationship": "Sister", "phone": "call me", "consent_given": True},
            {"phone"},
        ),
        ({"name": "Jo", "relationship": "Sister", "phone": "12", "consent_given": True}, {"phone"}),
        (
            {"name": "Jo", "relationship": "", "phone": "", "consent_given": False},
            {"relationship", "phone", "consent_given"},
        ),
    ],
)
def test_contacts_are_validated_and_need_consent(plan, diagnosed, fields, errors):
    with pytest.raises(ApplicationError) as error:
        services.aftercare_contact_add(
            actor=diagnosed.clinician_a, episode_id=diagnosed.episode_a.pk, **fields
        )
    assert set(error.value.field_errors) == errors
    assert plan.contacts.count() == 0


def test_contact_with_consent_is_kept(plan, diagnosed):
    contact = services.aftercare_contact_add(
        actor=diagnosed.nurse_a,
        episode_id=diagnosed.episode_a.pk,
        name=" Jo Alder ",
        relationship="Sister",
        phone="+1 (555) 010-0100",
        consent_given=True,
    )
    assert (contact.name, contact.consent_given) == ("Jo Alder", True)
    services.aftercare_contact_remove(
        actor=diagnosed.clinician_a, episode_id=diagnosed.episode_a.pk, contact_id=contact.pk
    )
    assert plan.contacts.count() == 0


def test_appointments_are_validated(plan, diagnosed):
    clinic = diagnosed
    with pytest.raises(ApplicationError) as error:
        services.aftercare_appointment_add(
            actor=clinic.clinician_a,
            episode_id=clinic.episode_a.pk,
            kind="astrologer",
            provider="",
            starts_at=timezone.now() - timedelta(days=2),
            place="Main St clinic",
        )
    assert set(error.value.field_errors) == {"kind", "provider", "starts_at"}
    appointment = services.aftercare_appointment_add(
        actor=clinic.clinician_a,
        episode_id=clinic.episode_a.pk,
        kind="therapist",
        provider="Dr. Rivera",
        starts_at=next_week(),
        place="Main St clinic",
    )
    assert list(plan.appointments.all()) == [appointment]


def test_support_groups_only_from_the_programs_directory(plan, diagnosed):
    clinic = diagnosed
    ours = services.support_group_add(
        actor=clinic.director_a,
        program_id=clinic.program_a.pk,
        kind="smart",
        name="SMART Recovery Tuesday",
        meeting_day=1,
        meeting_time=time(18, 30),
        place="Community center",
    )
    services.aftercare_plan_update(
        actor=clinic.clinician_a,
        episode_id=clinic.episode_a.pk,
        changes={},
        support_group_ids=[ours.pk],
    )
    assert list(plan.support_groups.all()) == [ours]
    with pytest.raises(ApplicationError) as error:
        services.aftercare_plan_update(
            actor=clinic.clinician_a,
            episode_id=clinic.episode_a.pk,
            changes={},
            support_group_ids=[ours.pk, 999999],
        )
    assert "support_groups" in error.value.field_errors
    assert list(plan.support_groups.all()) == [ours]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"kind": "aa", "name": "", "meeting_day": 1, "place": "Hall"}, {"name"}),
        ({"kind": "cult", "name": "X", "meeting_day": 1, "place": "Hall"}, {"kind"}),
        ({"kind": "aa", "name": "X", "meeting_day": 7, "place": "Hall"}, {"meeting_day"}),
        (
            {"kind": "aa", "name": "X", "meeting_day": 1, "place": "Hall", "link": "javascript:x"},
            {"link"},
        ),
    ],
)
def test_directory_entries_are_validated(clinic, fields, errors):
    with pytest.raises(ApplicationError) as error:
        services.support_group_add(
            actor=clinic.director_a, program_id=clinic.program_a.pk, meeting_time=time(19), **fields
        )
    assert set(error.value.field_errors) == errors


def test_patient_signs_on_the_portal_and_the_plan_locks(plan, diagnosed):
    clinic = diagnosed
    signed = services.aftercare_plan_sign_on_portal(actor=clinic.patient_user_a)
    assert (signed.status, signed.signature_method) == ("signed", "portal")
    assert signed.signature_recorded_by is None
    with pytest.raises(ApplicationError) as error:
        services.aftercare_plan_update(
            actor=clinic.clinician_a, episode_id=clinic.episode_a.pk, changes={"triggers": "x"}
        )
    assert "status" in error.value.field_errors
    assert AftercarePlan.objects.get().triggers == "Arguments at work"


def test_an_empty_plan_cannot_be_signed(diagnosed):
    clinic = diagnosed
    services.aftercare_plan_start(actor=clinic.clinician_a, episode_id=clinic.episode_a.pk)
    with pytest.raises(ApplicationError) as error:
        services.aftercare_plan_sign_on_paper(actor=clinic.nurse_a, episode_id=clinic.episode_a.pk)
    assert set(error.value.field_errors) == {"warning_signs", "coping_strategies"}
    assert AftercarePlan.objects.get().status == "draft"


# --- the gate ----------------------------------------------------------------------------


def _discharge(clinic, disposition="completed"):
    return episode_transition(
        actor=clinic.clinician_a,
        episode_id=clinic.episode_a.pk,
        to_state="discharged",
        reason="Done",
        disposition=disposition,
    )


def test_without_a_policy_the_discharge_needs_no_documents(diagnosed):
    assert _discharge(diagnosed).state == "discharged"


def test_gate_blocks_a_completed_discharge_until_both_are_signed(diagnosed):
    clinic = diagnosed
    services.discharge_policy_set(
        actor=clinic.director_a,
        program_id=clinic.program_a.pk,
        documents_required=True,
        exempt_dispositions=["left_against_advice", "administrative"],
        after_hours_line="555-0199",
    )
    with pytest.raises(ApplicationError) as error:
        _discharge(clinic)
    assert set(error.value.field_errors) == {"discharge_summary", "aftercare_plan"}
    clinic.episode_a.refresh_from_db()
    assert clinic.episode_a.state == "active"


def test_gate_lets_exempt_dispositions_through(diagnosed):
    clinic = diagnosed
    services.discharge_policy_set(
        actor=clinic.director_a,
        program_id=clinic.program_a.pk,
        documents_required=True,
        exempt_dispositions=["left_against_advice", "administrative"],
        after_hours_line="",
    )
    assert _discharge(clinic, "left_against_advice").state == "discharged"


def test_gate_opens_with_both_documents_signed(signed_summary, plan, diagnosed):
    clinic = diagnosed
    services.discharge_policy_set(
        actor=clinic.director_a,
        program_id=clinic.program_a.pk,
        documents_required=True,
        exempt_dispositions=[],
        after_hours_line="",
    )
    services.aftercare_plan_sign_on_paper(actor=clinic.nurse_a, episode_id=clinic.episode_a.pk)
    assert _discharge(clinic).state == "discharged"


def test_policy_rejects_unknown_dispositions_and_bad_phone(clinic):
    with pytest.raises(ApplicationError) as error:
        services.discharge_policy_set(
            actor=clinic.director_a,
            program_id=clinic.program_a.pk,
            documents_required=True,
            exempt_dispositions=["eloped"],
            after_hours_line="ring ring",
        )
    assert set(error.value.field_errors) == {"exempt_dispositions", "after_hours_line"}


def test_writes_are_audited(signed_summary):
    events = AuditEvent.objects.filter(object_type="discharge_summary", outcome="allowed")
    assert list(events.order_by("pk").values_list("action", flat=True)) == [
        "create",
        "update",
        "update",
    ]


def test_the_summary_lists_the_signed_discharge_reconciliation(diagnosed):
    from datetime import date

    from stepwell.meds import services as meds
    from stepwell.meds.services import DecisionIn, MedicationData

    clinic = diagnosed
    kept, stopped = (
        meds.medication_create(
            actor=clinic.prescriber_a,
            patient_id=clinic.patient_a.pk,
            data=MedicationData(
                formulary_key=key,
                dose=dose,
                unit="mg",
                frequency="once daily",
                start_date=date(2026, 10, 1),
            ),
        )
        for key, dose in (("sertraline", "50"), ("trazodone", "50"))
    )
    reconciliation = meds.reconciliation_record(
        actor=clinic.prescriber_a,
        episode_id=clinic.episode_a.pk,
        occasion="discharge",
        decisions=[DecisionIn(kept.pk, "continue"), DecisionIn(stopped.pk, "stop", note="Sleeps")],
    )
    meds.reconciliation_sign(actor=clinic.prescriber_a, reconciliation_id=reconciliation.pk)

    summary = services.discharge_summary_draft(
        actor=clinic.clinician_a, episode_id=clinic.episode_a.pk
    )

    assert [m["name"] for m in summary.facts["medications"]] == [kept.name]
