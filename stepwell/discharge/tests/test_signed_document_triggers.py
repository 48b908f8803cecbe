"""Signed discharge summaries and signed aftercare plans are locked in the database itself
(privacy/signed_records.py): the summary, the plan, its contacts, next appointments and
support groups refuse every change once signed; addenda are append-only; drafts stay
editable. Runs on SQLite and, in make test's second pass, PostgreSQL."""

from __future__ import annotations

from datetime import time

import pytest
from django.db import connection
from django.utils import timezone

from stepwell.discharge import services
from stepwell.discharge.models import (
    AftercareAppointment,
    AftercareContact,
    AftercarePlan,
    DischargeSummary,
    SummaryAddendum,
)
from stepwell.privacy.signed_records import install_signed_record_triggers
from stepwell.privacy.tests.signed import (
    assert_every_table_refuses_raw_writes,
    raw,
    refused,
)

from .conftest import NARRATIVE, next_week


@pytest.fixture(autouse=True)
def discharge_triggers(db):
    """The migration's triggers, installed inside this test's transaction (rolled back after)."""
    install_signed_record_triggers(connection, "discharge")


def _fill_plan(clinic) -> AftercarePlan:
    """The plan of the conftest, with a contact, an appointment and a support group."""
    episode_id = clinic.episode_a.pk
    group = services.support_group_add(
        actor=clinic.director_a,
        program_id=clinic.program_a.pk,
        kind="smart",
        name="SMART Recovery Tuesday",
        meeting_day=1,
        meeting_time=time(18, 30),
        place="Community center",
    )
    services.aftercare_plan_update(
        actor=clinic.clinician_a, episode_id=episode_id, changes={}, support_group_ids=[group.pk]
    )
    services.aftercare_contact_add(
        actor=clinic.clinician_a,
        episode_id=episode_id,
        name="Jo Alder",
        relationship="Sister",
        phone="+1 (555) 010-0100",
        consent_given=True,
    )
    services.aftercare_appointment_add(
        actor=clinic.clinician_a,
        episode_id=episode_id,
        kind="therapist",
        provider="Dr. Rivera",
        starts_at=next_week(),
        place="Main St clinic",
    )
    return AftercarePlan.objects.get(episode_id=episode_id)


@pytest.fixture
def summary(signed_summary, diagnosed) -> DischargeSummary:
    """Signed through the services with the triggers on, and one addendum added."""
    services.discharge_summary_addendum_add(
        actor=diagnosed.clinician_a,
        episode_id=diagnosed.episode_a.pk,
        text="Follow-up therapist confirmed.",
    )
    return signed_summary


@pytest.fixture
def signed_plan(plan, diagnosed) -> AftercarePlan:
    _fill_plan(diagnosed)
    return services.aftercare_plan_sign_on_paper(
        actor=diagnosed.nurse_a, episode_id=diagnosed.episode_a.pk
    )


def test_signing_and_addenda_still_work_through_the_services(summary, signed_plan, diagnosed):
    assert (summary.status, summary.signed_by) == ("signed", diagnosed.clinician_a)
    assert SummaryAddendum.objects.get().text == "Follow-up therapist confirmed."
    stored = AftercarePlan.objects.get(pk=signed_plan.pk)
    assert (stored.status, stored.signature_method) == ("signed", "paper")
    assert stored.signature_recorded_by == diagnosed.nurse_a


def test_raw_sql_cannot_update_or_delete_a_locked_row_of_any_discharge_table(summary, signed_plan):
    through = AftercarePlan.support_groups.through.objects.get(aftercareplan=signed_plan)
    assert_every_table_refuses_raw_writes(
        "discharge",
        {
            "discharge_dischargesummary": summary.pk,
            "discharge_summaryaddendum": summary.addenda.get().pk,
            "discharge_aftercareplan": signed_plan.pk,
            "discharge_aftercareplan_support_groups": through.pk,
            "discharge_aftercarecontact": signed_plan.contacts.get().pk,
            "discharge_aftercareappointment": signed_plan.appointments.get().pk,
        },
    )


def test_queryset_update_and_delete_of_a_signed_summary_are_refused(summary):
    same = DischargeSummary.objects.filter(pk=summary.pk)
    refused("discharge_dischargesummary", lambda: same.update(recommendations="Rewritten"))
    refused(
        "discharge_dischargesummary",
        lambda: same.update(status="draft", signed_at=None, signed_by=None),
    )
    refused("discharge_summaryaddendum", lambda: summary.addenda.update(text="Rewritten"))
    refused("discharge_summaryaddendum", summary.addenda.all().delete)
    stored = DischargeSummary.objects.get(pk=summary.pk)
    assert (stored.status, stored.recommendations) == ("signed", NARRATIVE["recommendations"])
    assert stored.addenda.get().text == "Follow-up therapist confirmed."


def test_queryset_writes_to_a_signed_aftercare_plan_and_its_parts_are_refused(
    signed_plan, diagnosed
):
    same = AftercarePlan.objects.filter(pk=signed_plan.pk)
    refused("discharge_aftercareplan", lambda: same.update(triggers="Rewritten"))
    refused(
        "discharge_aftercareplan",
        lambda: same.update(status="draft", patient_signed_at=None, signature_method=""),
    )
    refused("discharge_aftercarecontact", lambda: signed_plan.contacts.update(phone="5550000"))
    refused("discharge_aftercarecontact", signed_plan.contacts.all().delete)
    refused(
        "discharge_aftercareappointment", lambda: signed_plan.appointments.update(place="Moved")
    )
    refused("discharge_aftercareappointment", signed_plan.appointments.all().delete)
    refused("discharge_aftercareplan_support_groups", signed_plan.support_groups.clear)
    # Nothing is added to a signed plan either.
    refused(
        "discharge_aftercarecontact",
        lambda: AftercareContact.objects.create(
            plan=signed_plan,
            name="Sam",
            relationship="Friend",
            phone="5550101",
            consent_given=True,
            consent_recorded_on=timezone.localdate(),
        ),
    )
    refused(
        "discharge_aftercareappointment",
        lambda: AftercareAppointment.objects.create(
            plan=signed_plan,
            kind="prescriber",
            provider="Dr. Lee",
            starts_at=next_week(),
            place="Elm St",
        ),
    )
    stored = AftercarePlan.objects.get(pk=signed_plan.pk)
    assert (stored.status, stored.triggers) == ("signed", "Arguments at work")
    assert list(stored.contacts.values_list("name", "phone")) == [("Jo Alder", "+1 (555) 010-0100")]
    assert list(stored.appointments.values_list("provider", flat=True)) == ["Dr. Rivera"]
    assert stored.support_groups.count() == 1


def test_drafts_stay_editable_with_the_triggers_on(plan, diagnosed):
    clinic = diagnosed
    episode_id = clinic.episode_a.pk
    draft = services.discharge_summary_draft(actor=clinic.clinician_a, episode_id=episode_id)
    services.discharge_summary_update(
        actor=clinic.clinician_a, episode_id=episode_id, changes=NARRATIVE
    )
    services.discharge_summary_draft(actor=clinic.clinician_a, episode_id=episode_id)  # re-draft
    filled = _fill_plan(clinic)
    contact, appointment = filled.contacts.get(), filled.appointments.get()
    services.aftercare_contact_remove(
        actor=clinic.clinician_a, episode_id=episode_id, contact_id=contact.pk
    )
    services.aftercare_appointment_remove(
        actor=clinic.clinician_a, episode_id=episode_id, appointment_id=appointment.pk
    )
    services.aftercare_plan_update(
        actor=clinic.clinician_a,
        episode_id=episode_id,
        changes={"triggers": "Late nights"},
        support_group_ids=[],
    )
    stored = AftercarePlan.objects.get(pk=plan.pk)
    assert stored.triggers == "Late nights"
    assert not (stored.contacts.exists() or stored.appointments.exists())
    assert not stored.support_groups.exists()
    # A raw write to a draft is a write like any other.
    assert raw("UPDATE discharge_dischargesummary SET referrals = 'None' WHERE id = %s", [draft.pk])
    signed = services.discharge_summary_sign(actor=clinic.clinician_a, episode_id=episode_id)
    assert (signed.status, DischargeSummary.objects.get().referrals) == ("signed", "None")
