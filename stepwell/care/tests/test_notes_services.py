"""Group notes and individual notes: roster edits keep text, signing checks, lock,
addenda and co-signature."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stepwell.care.attendance import services as attendance_services
from stepwell.care.models import ClinicalNote, GroupNote, NoteAddendum
from stepwell.care.notes import addenda, group_notes
from stepwell.care.notes import services as note_services
from stepwell.care.tests.conftest import AFTER, DURING, GROUP_START
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy.models import AuditEvent


def _take(clinic, group, statuses):
    _, rows = attendance_services.attendance_roster_open(
        actor=clinic.clinician_a, occurrence_id=group.occurrence.pk
    )
    by_patient = {r.patient_id: r for r in rows}
    for patient, status in statuses.items():
        attendance_services.attendance_mark(
            actor=clinic.clinician_a,
            attendance_id=by_patient[patient.pk].pk,
            status=status,
            now=DURING,
        )
    return by_patient


def _birp(text: str) -> dict:
    return {
        "behavior": f"{text} arrived on time, engaged, affect brighter.",
        "intervention": f"DBT distress tolerance; {text} practised TIPP.",
        "response": f"{text} named two triggers and one coping step.",
        "plan": f"{text} will log urges daily until next group.",
        "risk_check": "no_risk",
    }


@pytest.fixture
def documented(clinic, group):
    rows = _take(
        clinic, group, {clinic.patient_a: "present", group.dana: "present", group.emery: "late"}
    )
    note = group_notes.group_note_open(actor=clinic.clinician_a, occurrence_id=group.occurrence.pk)
    sections = {s.patient_id: s for s in note.sections.all()}
    group_notes.group_note_update(
        actor=clinic.clinician_a,
        group_note_id=note.pk,
        shared={"topic": "Distress tolerance", "interventions": "DBT skills, psychoeducation"},
        sections={
            sections[clinic.patient_a.pk].pk: _birp("Patient one"),
            sections[group.dana.pk].pk: _birp("Patient two"),
            sections[group.emery.pk].pk: _birp("Patient three"),
        },
    )
    return note, sections, rows


def test_one_section_per_present_participant_with_defaults(clinic, group, documented):
    note, sections, _ = documented
    assert set(sections) == {clinic.patient_a.pk, group.dana.pk, group.emery.pk}
    assert note.started_at == group.occurrence.starts_at
    assert list(note.facilitators.all()) == [clinic.clinician_a]
    assert group_notes.participant_count(note) == 3


def test_marking_absent_keeps_the_text_and_re_marking_restores_it(clinic, group, documented):
    note, sections, rows = documented
    attendance_services.attendance_mark(
        actor=clinic.clinician_a,
        attendance_id=rows[group.dana.pk].pk,
        status="absent_unexcused",
        now=AFTER,
    )
    kept = ClinicalNote.objects.get(pk=sections[group.dana.pk].pk)
    assert kept.participant_absent is True
    assert kept.behavior == "Patient two arrived on time, engaged, affect brighter."
    assert group_notes.participant_count(note) == 2
    assert [s.patient_id for s in group_notes.attended_sections(note)] == sorted(
        [clinic.patient_a.pk, group.emery.pk],
        key=lambda pk: {clinic.patient_a.pk: "Alder", group.emery.pk: "Elmwood"}[pk],
    )
    attendance_services.attendance_mark(
        actor=clinic.clinician_a,
        attendance_id=rows[group.dana.pk].pk,
        status="late",
        check_in_at=GROUP_START + timedelta(minutes=30),
        now=AFTER,
    )
    restored = ClinicalNote.objects.get(pk=sections[group.dana.pk].pk)
    assert restored.participant_absent is False
    assert restored.behavior == "Patient two arrived on time, engaged, affect brighter."
    assert ClinicalNote.objects.filter(group_note=note).count() == 3


def test_walk_in_gets_a_section_and_nobody_loses_text(clinic, group, documented):
    from stepwell.care.tests.conftest import admitted_patient

    note, sections, _ = documented
    joiner = admitted_patient(clinic.program_a, "Harper", "Hazel")
    attendance_services.attendance_walk_in_add(
        actor=clinic.clinician_a,
        occurrence_id=group.occurrence.pk,
        patient_id=joiner.pk,
        status="late",
        now=DURING,
    )
    assert ClinicalNote.objects.filter(group_note=note).count() == 4
    assert ClinicalNote.objects.get(pk=sections[clinic.patient_a.pk].pk).plan == (
        "Patient one will log urges daily until next group."
    )


def test_signing_refused_while_a_section_is_empty_naming_patient_and_field(
    clinic, group, documented
):
    note, sections, _ = documented
    group_notes.group_note_update(
        actor=clinic.clinician_a,
        group_note_id=note.pk,
        sections={sections[group.dana.pk].pk: {"response": "   "}},
    )
    with pytest.raises(ApplicationError) as error:
        group_notes.group_note_sign(actor=clinic.clinician_a, group_note_id=note.pk, now=AFTER)
    key = f"section-{sections[group.dana.pk].pk}-response"
    assert error.value.field_errors == {key: "Dana Dogwood: Response is empty."}
    assert GroupNote.objects.get(pk=note.pk).signed_at is None


def test_signing_refused_for_a_cloned_section_ignoring_case_and_spacing(clinic, group, documented):
    note, sections, _ = documented
    clone = {
        k: v.upper().replace(" ", "   ")
        for k, v in _birp("Patient one").items()
        if k != "risk_check"
    }
    group_notes.group_note_update(
        actor=clinic.clinician_a,
        group_note_id=note.pk,
        sections={sections[group.emery.pk].pk: clone},
    )
    with pytest.raises(ApplicationError) as error:
        group_notes.group_note_sign(actor=clinic.clinician_a, group_note_id=note.pk, now=AFTER)
    key = f"section-{sections[group.emery.pk].pk}-behavior"
    assert error.value.field_errors == {
        key: "Emery Elmwood: the individual section is identical to Avery Alder's; "
        "write what this patient did and said."
    }


def test_signing_refused_when_one_field_is_cloned(clinic, group, documented):
    note, sections, _ = documented
    group_notes.group_note_update(
        actor=clinic.clinician_a,
        group_note_id=note.pk,
        sections={
            sections[group.emery.pk].pk: {
                "plan": "patient one will log urges daily until next group."
            }
        },
    )
    with pytest.raises(ApplicationError) as error:
        group_notes.group_note_sign(actor=clinic.clinician_a, group_note_id=note.pk, now=AFTER)
    assert error.value.field_errors == {
        f"section-{sections[group.emery.pk].pk}-plan": "Emery Elmwood: Plan is identical to Avery Alder's."
    }


def test_signing_refused_when_a_section_names_another_participant(clinic, group, documented):
    note, sections, _ = documented
    group_notes.group_note_update(
        actor=clinic.clinician_a,
        group_note_id=note.pk,
        sections={
            sections[clinic.patient_a.pk].pk: {"response": "Supported dana after she shared."}
        },
    )
    with pytest.raises(ApplicationError) as error:
        group_notes.group_note_sign(actor=clinic.clinician_a, group_note_id=note.pk, now=AFTER)
    assert error.value.field_errors == {
        f"section-{sections[clinic.patient_a.pk].pk}-response": "Avery Alder: Response names another "
        "participant; refer to others as 'a peer'."
    }


def test_signing_needs_the_risk_check_and_the_shared_section(clinic, group, documented):
    note, sections, _ = documented
    group_notes.group_note_update(
        actor=clinic.clinician_a,
        group_note_id=note.pk,
        shared={"interventions": " "},
        sections={sections[group.dana.pk].pk: {"risk_check": "not_assessed"}},
    )
    with pytest.raises(ApplicationError) as error:
        group_notes.group_note_sign(actor=clinic.clinician_a, group_note_id=note.pk, now=AFTER)
    assert error.value.field_errors == {"interventions": "Name the interventions used."}
    group_notes.group_note_update(
        actor=clinic.clinician_a, group_note_id=note.pk, shared={"interventions": "DBT"}
    )
    with pytest.raises(ApplicationError) as error:
        group_notes.group_note_sign(actor=clinic.clinician_a, group_note_id=note.pk, now=AFTER)
    assert error.value.field_errors == {
        f"section-{sections[group.dana.pk].pk}-risk_check": "Dana Dogwood: record the risk check."
    }


def test_sign_locks_everything_freezes_count_and_refuses_edits(clinic, group, documented):
    note, sections, rows = documented
    attendance_services.attendance_mark(
        actor=clinic.clinician_a,
        attendance_id=rows[group.emery.pk].pk,
        status="absent_excused",
        now=AFTER,
    )
    signed = group_notes.group_note_sign(actor=clinic.clinician_a, group_note_id=note.pk, now=AFTER)
    assert signed.participant_count == 2
    assert signed.facilitator_names == ["Test " + clinic.clinician_a.last_name + ", LCSW"]
    section = ClinicalNote.objects.get(pk=sections[clinic.patient_a.pk].pk)
    assert section.signed_at == AFTER
    assert section.cosign_required is False
    assert (
        ClinicalNote.objects.get(pk=sections[group.emery.pk].pk).signed_at is None
    )  # absent, kept
    with pytest.raises(ApplicationError) as error:
        group_notes.group_note_update(
            actor=clinic.clinician_a, group_note_id=note.pk, shared={"topic": "Changed"}
        )
    assert error.value.message == "This note is signed and locked; add an addendum to correct it."
    # The model refuses too, whatever code path tries it.
    section.plan = "rewritten"
    with pytest.raises(ApplicationError):
        section.save()
    with pytest.raises(ApplicationError):
        section.delete()
    stored = GroupNote.objects.get(pk=note.pk)
    stored.topic = "rewritten"
    with pytest.raises(ApplicationError):
        stored.save()
    assert GroupNote.objects.get(pk=note.pk).topic == "Distress tolerance"
    assert (
        ClinicalNote.objects.get(pk=section.pk).plan
        == "Patient one will log urges daily until next group."
    )
    # Attendance corrections after signing leave the signed count alone.
    attendance_services.attendance_mark(
        actor=clinic.clinician_a,
        attendance_id=rows[group.dana.pk].pk,
        status="absent_unexcused",
        now=AFTER,
    )
    assert group_notes.participant_count(GroupNote.objects.get(pk=note.pk)) == 2
    assert AuditEvent.objects.filter(action="sign", object_type="clinical_note").count() == 2


def test_addenda_by_the_author_only_on_signed_notes(clinic, group, documented):
    note, sections, _ = documented
    with pytest.raises(ApplicationError) as error:
        addenda.note_addendum_add(actor=clinic.clinician_a, group_note_id=note.pk, text="x")
    assert error.value.field_errors == {"text": "The note is not signed yet."}
    group_notes.group_note_sign(actor=clinic.clinician_a, group_note_id=note.pk, now=AFTER)
    addendum = addenda.note_addendum_add(
        actor=clinic.clinician_a,
        note_id=sections[group.dana.pk].pk,
        text="Late entry: patient also reported improved sleep.",
        now=AFTER + timedelta(days=1),
    )
    assert addendum.written_at == AFTER + timedelta(days=1)
    with pytest.raises(AccessDenied):
        addenda.note_addendum_add(
            actor=clinic.director_a, note_id=sections[group.dana.pk].pk, text="y"
        )
    assert NoteAddendum.objects.count() == 1


def test_cosign_required_by_credential(clinic):
    from stepwell.testing.factories import UserFactory

    clinic.director_a.credentials = "PsyD"
    clinic.director_a.save()
    intern = UserFactory(roles=["clinician"], programs=[clinic.program_a], credentials="LMSW")
    note = note_services.note_create(
        actor=intern,
        patient_id=clinic.patient_a.pk,
        kind="individual",
        note_format="dap",
        started_at=GROUP_START,
        ended_at=GROUP_START + timedelta(minutes=53),
    )
    note_services.note_update(
        actor=intern,
        note_id=note.pk,
        data={
            "data": "Reports low mood.",
            "assessment": "Moderate.",
            "plan": "Continue.",
            "risk_check": "no_risk",
        },
    )
    signed = note_services.note_sign(actor=intern, note_id=note.pk, now=AFTER)
    assert signed.cosign_required is True
    with pytest.raises(AccessDenied):
        note_services.note_cosign(actor=intern, note_id=note.pk)
    with pytest.raises(AccessDenied):
        note_services.note_cosign(actor=clinic.billing_a, note_id=note.pk)
    cosignature = note_services.note_cosign(actor=clinic.director_a, note_id=note.pk, now=AFTER)
    assert cosignature.cosigner == clinic.director_a
    with pytest.raises(ApplicationError):
        note_services.note_cosign(actor=clinic.clinician_a, note_id=note.pk)


def test_medication_note_by_prescriber_needs_the_changes(clinic):
    with pytest.raises(AccessDenied):
        note_services.note_create(
            actor=clinic.clinician_a,
            patient_id=clinic.patient_a.pk,
            kind="medication",
            started_at=GROUP_START,
            ended_at=GROUP_START + timedelta(minutes=20),
        )
    note = note_services.note_create(
        actor=clinic.prescriber_a,
        patient_id=clinic.patient_a.pk,
        kind="medication",
        note_format="soap",
        started_at=GROUP_START,
        ended_at=GROUP_START + timedelta(minutes=20),
    )
    note_services.note_update(
        actor=clinic.prescriber_a,
        note_id=note.pk,
        data={
            "subjective": "Sleeping better.",
            "objective": "Calm, linear.",
            "assessment": "Responding to sertraline.",
            "plan": "Recheck in 4 weeks.",
            "risk_check": "no_risk",
        },
    )
    with pytest.raises(ApplicationError) as error:
        note_services.note_sign(actor=clinic.prescriber_a, note_id=note.pk, now=AFTER)
    assert error.value.field_errors == {
        "medication_changes": "Record the changes discussed, or 'none'."
    }
    note_services.note_update(
        actor=clinic.prescriber_a,
        note_id=note.pk,
        data={"medication_changes": "Sertraline 50 -> 100 mg"},
    )
    assert note_services.note_sign(actor=clinic.prescriber_a, note_id=note.pk, now=AFTER).is_signed
    with pytest.raises(ApplicationError):
        note_services.note_update(
            actor=clinic.prescriber_a, note_id=note.pk, data={"plan": "changed"}
        )


def test_goals_linked_must_be_the_patients_own(clinic):
    note = note_services.note_create(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        kind="individual",
        started_at=GROUP_START,
        ended_at=GROUP_START + timedelta(minutes=50),
    )
    with pytest.raises(ApplicationError) as error:
        note_services.note_update(
            actor=clinic.clinician_a, note_id=note.pk, data={"goal_ids": [999999]}
        )
    assert error.value.field_errors == {"goal_ids": "Not a goal of this patient's plan."}


def test_only_the_author_edits_or_signs(clinic):
    note = note_services.note_create(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        kind="individual",
        started_at=GROUP_START,
        ended_at=GROUP_START + timedelta(minutes=50),
    )
    for actor in (clinic.prescriber_a, clinic.director_a, clinic.billing_a):
        with pytest.raises(AccessDenied):
            note_services.note_update(actor=actor, note_id=note.pk, data={"plan": "x"})
        with pytest.raises(AccessDenied):
            note_services.note_sign(actor=actor, note_id=note.pk)
    assert ClinicalNote.objects.get(pk=note.pk).plan == ""
    assert AuditEvent.objects.filter(outcome="denied", object_type="clinical_note").count() == 6
