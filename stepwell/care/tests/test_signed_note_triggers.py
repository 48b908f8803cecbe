"""Signed notes are locked in the database itself (privacy/signed_records.py): every SQL
path that would change a signed note, a section of a signed group note, their goal links,
facilitators, co-signatures or addenda is refused; drafts stay editable, signing,
co-signing and addenda still work. Runs on SQLite and, in make test's second pass,
PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.db import connection

from stepwell.care.attendance import services as attendance_services
from stepwell.care.models import ClinicalNote, GroupNote, NoteAddendum, NoteCosignature
from stepwell.care.notes import addenda, group_notes
from stepwell.care.notes import services as note_services
from stepwell.care.tests.conftest import AFTER, DURING, GROUP_START, admitted_patient
from stepwell.care.tests.helpers import birp
from stepwell.core.errors import ApplicationError
from stepwell.plans.models import Goal, Objective, Problem, TreatmentPlan
from stepwell.privacy.signed_records import install_signed_record_triggers
from stepwell.privacy.tests.signed import (
    assert_every_table_refuses_raw_writes,
    raw_delete,
    raw_update,
    refused,
    row_exists,
)
from stepwell.testing.factories import UserFactory


@pytest.fixture(autouse=True)
def care_triggers(db):
    """The migration's triggers, installed inside this test's transaction (rolled back after)."""
    install_signed_record_triggers(connection, "care")


@dataclass
class Notes:
    group_note: GroupNote
    signed_section: ClinicalNote  # patient_a's, linked to the plan goal
    absent_section: ClinicalNote  # Emery's, kept unsigned while absent
    individual: ClinicalNote  # signed by an intern, co-signed, with an addendum
    goal: Goal
    objective: Objective
    intern: object


def _plan_goal(clinic) -> tuple[Goal, Objective]:
    """A goal and objective of patient_a's plan for notes to link (the plan is not the
    subject here, so it is written directly)."""
    plan = TreatmentPlan.objects.create(
        patient=clinic.patient_a,
        episode=clinic.episode_a,
        version=1,
        review_days=30,
        created_by=clinic.clinician_a,
    )
    problem = Problem.objects.create(plan=plan, statement="Low mood")
    goal = Goal.objects.create(
        problem=problem,
        domain="mental_health",
        patient_words="Feel like myself",
        clinical_wording="Reduce depressive symptoms",
    )
    objective = Objective.objects.create(
        goal=goal, description="PHQ-9 below 10", target_date=date(2027, 1, 31)
    )
    return goal, objective


def _signed_group_with_an_absent_member(clinic, group, goal) -> GroupNote:
    _, rows = attendance_services.attendance_roster_open(
        actor=clinic.clinician_a, occurrence_id=group.occurrence.pk
    )
    for row in rows:
        attendance_services.attendance_mark(
            actor=clinic.clinician_a, attendance_id=row.pk, status="present", now=DURING
        )
    note = group_notes.group_note_open(actor=clinic.clinician_a, occurrence_id=group.occurrence.pk)
    emery = next(row for row in rows if row.patient_id == group.emery.pk)
    attendance_services.attendance_mark(
        actor=clinic.clinician_a, attendance_id=emery.pk, status="absent_excused", now=AFTER
    )
    sections = {s.patient_id: s for s in note.sections.all()}
    group_notes.group_note_update(
        actor=clinic.clinician_a,
        group_note_id=note.pk,
        shared={"topic": "Distress tolerance", "interventions": "DBT skills"},
        sections={
            sections[clinic.patient_a.pk].pk: {**birp("Member one"), "goal_ids": [goal.pk]},
            sections[group.dana.pk].pk: birp("Member two"),
        },
    )
    return group_notes.group_note_sign(actor=clinic.clinician_a, group_note_id=note.pk, now=AFTER)


def _draft_individual_note(actor, patient, goal=None, objective=None) -> ClinicalNote:
    note = note_services.note_create(
        actor=actor,
        patient_id=patient.pk,
        kind="individual",
        note_format="dap",
        started_at=GROUP_START,
        ended_at=GROUP_START + timedelta(minutes=50),
    )
    return note_services.note_update(
        actor=actor,
        note_id=note.pk,
        data={
            "data": "Reports low mood.",
            "assessment": "Moderate.",
            "plan": "Continue.",
            "risk_check": "no_risk",
            "goal_ids": [goal.pk] if goal else None,
            "objective_ids": [objective.pk] if objective else None,
        },
    )


@pytest.fixture
def notes(clinic, group) -> Notes:
    """Signed through the services with the triggers on: signing itself is allowed."""
    goal, objective = _plan_goal(clinic)
    group_note = _signed_group_with_an_absent_member(clinic, group, goal)
    clinic.director_a.credentials = "PsyD"
    clinic.director_a.save()
    intern = UserFactory(roles=["clinician"], programs=[clinic.program_a], credentials="LMSW")
    individual = _draft_individual_note(intern, clinic.patient_a, goal, objective)
    individual = note_services.note_sign(actor=intern, note_id=individual.pk, now=AFTER)
    note_services.note_cosign(actor=clinic.director_a, note_id=individual.pk, now=AFTER)
    addenda.note_addendum_add(actor=intern, note_id=individual.pk, text="Phoned later: safe.")
    return Notes(
        group_note=group_note,
        signed_section=group_note.sections.get(patient=clinic.patient_a),
        absent_section=group_note.sections.get(patient=group.emery),
        individual=individual,
        goal=goal,
        objective=objective,
        intern=intern,
    )


def test_the_services_signed_co_signed_and_added_to_the_notes(notes):
    assert notes.group_note.signed_at == AFTER
    assert notes.signed_section.signed_at == AFTER
    assert notes.absent_section.signed_at is None
    assert notes.individual.signed_at == AFTER
    assert NoteCosignature.objects.filter(note=notes.individual).count() == 1
    assert NoteAddendum.objects.filter(note=notes.individual).count() == 1


def test_raw_sql_cannot_update_or_delete_a_locked_row_of_any_care_table(notes):
    links = ClinicalNote.goals.through.objects
    assert_every_table_refuses_raw_writes(
        "care",
        {
            "care_groupnote": notes.group_note.pk,
            "care_groupnote_facilitators": GroupNote.facilitators.through.objects.get(
                groupnote=notes.group_note
            ).pk,
            "care_clinicalnote": notes.absent_section.pk,  # locked by its signed group note
            "care_clinicalnote_goals": links.get(clinicalnote=notes.individual).pk,
            "care_clinicalnote_objectives": ClinicalNote.objectives.through.objects.get(
                clinicalnote=notes.individual
            ).pk,
            "care_notecosignature": notes.individual.cosignature.pk,
            "care_noteaddendum": notes.individual.addenda.get().pk,
        },
    )
    for note in (notes.signed_section, notes.individual):
        refused("care_clinicalnote", lambda note=note: raw_update("care_clinicalnote", note.pk))
        refused("care_clinicalnote", lambda note=note: raw_delete("care_clinicalnote", note.pk))
    refused(
        "care_clinicalnote_goals",
        lambda: raw_delete(
            "care_clinicalnote_goals", links.get(clinicalnote=notes.signed_section).pk
        ),
    )


def test_queryset_update_and_delete_of_signed_notes_are_refused(notes):
    group_notes = GroupNote.objects.filter(pk=notes.group_note.pk)
    refused("care_groupnote", lambda: group_notes.update(topic="Rewritten"))
    for note in (notes.signed_section, notes.absent_section, notes.individual):
        same = ClinicalNote.objects.filter(pk=note.pk)
        refused("care_clinicalnote", lambda same=same: same.update(plan="Rewritten"))
    dana = ClinicalNote.objects.filter(group_note=notes.group_note, participant_absent=False)
    dana = dana.exclude(pk=notes.signed_section.pk)
    refused("care_clinicalnote", dana.delete)
    # Deleting a linked note removes its links first: the links refuse.
    refused(
        "care_clinicalnote_goals", ClinicalNote.objects.filter(pk=notes.signed_section.pk).delete
    )
    refused("care_notecosignature", NoteCosignature.objects.all().delete)
    refused("care_noteaddendum", lambda: NoteAddendum.objects.update(text="Rewritten"))
    assert GroupNote.objects.get().topic == "Distress tolerance"
    assert ClinicalNote.objects.get(pk=notes.individual.pk).plan == "Continue."
    assert ClinicalNote.objects.filter(group_note=notes.group_note).count() == 3
    assert NoteAddendum.objects.get().text == "Phoned later: safe."


def test_one_statement_over_a_draft_and_a_signed_note_changes_neither(clinic, notes):
    draft = _draft_individual_note(clinic.clinician_a, clinic.patient_a)
    mine = ClinicalNote.objects.filter(pk__in=[draft.pk, notes.individual.pk])
    refused("care_clinicalnote", lambda: mine.update(plan="Bulk edit"))
    assert ClinicalNote.objects.get(pk=draft.pk).plan == "Continue."


def test_unsigning_is_refused(notes):
    refused(
        "care_groupnote",
        lambda: GroupNote.objects.filter(pk=notes.group_note.pk).update(signed_at=None),
    )
    refused(
        "care_clinicalnote",
        lambda: ClinicalNote.objects.filter(pk=notes.individual.pk).update(signed_at=None),
    )
    assert GroupNote.objects.get().signed_at == AFTER
    assert ClinicalNote.objects.get(pk=notes.individual.pk).signed_at == AFTER


def test_a_signed_group_note_takes_no_new_section_and_no_note_moves_into_it(clinic, notes):
    joiner = admitted_patient(clinic.program_a, "Harper", "Hazel")
    refused(
        "care_clinicalnote",
        lambda: ClinicalNote.objects.create(
            kind="group", patient=joiner, author=clinic.clinician_a, group_note=notes.group_note
        ),
    )
    draft = _draft_individual_note(clinic.clinician_a, joiner)
    refused(
        "care_clinicalnote",
        lambda: ClinicalNote.objects.filter(pk=draft.pk).update(group_note=notes.group_note),
    )
    assert notes.group_note.sections.count() == 3


def test_goal_links_and_facilitators_of_a_signed_note_are_fixed(clinic, notes):
    other = Goal.objects.create(
        problem=notes.goal.problem,
        domain="coping_skills",
        patient_words="Cope",
        clinical_wording="Use two coping skills",
    )
    individual = ClinicalNote.objects.get(pk=notes.individual.pk)
    refused("care_clinicalnote_goals", lambda: individual.goals.add(other))
    refused("care_clinicalnote_goals", lambda: individual.goals.remove(notes.goal))
    refused("care_clinicalnote_goals", individual.goals.clear)
    refused("care_clinicalnote_objectives", lambda: individual.objectives.set([]))
    refused("care_clinicalnote_goals", lambda: notes.signed_section.goals.add(other))
    group_note = GroupNote.objects.get()
    refused("care_groupnote_facilitators", lambda: group_note.facilitators.add(clinic.director_a))
    refused(
        "care_groupnote_facilitators", lambda: group_note.facilitators.remove(clinic.clinician_a)
    )
    # An objective a signed note names cannot be deleted from under it.
    refused("care_clinicalnote_objectives", Objective.objects.filter(pk=notes.objective.pk).delete)
    assert list(individual.goals.all()) == [notes.goal]
    assert list(individual.objectives.all()) == [notes.objective]
    assert list(group_note.facilitators.all()) == [clinic.clinician_a]


def test_drafts_stay_editable_with_the_triggers_on(clinic, group):
    goal, objective = _plan_goal(clinic)
    draft = _draft_individual_note(clinic.clinician_a, clinic.patient_a, goal, objective)
    note_services.note_update(
        actor=clinic.clinician_a, note_id=draft.pk, data={"plan": "Revised plan", "goal_ids": []}
    )
    assert ClinicalNote.objects.filter(pk=draft.pk).update(risk_notes="None today.") == 1
    draft.objectives.clear()
    assert ClinicalNote.objects.get(pk=draft.pk).plan == "Revised plan"
    assert (draft.goals.count(), draft.objectives.count()) == (0, 0)
    group_note = group_notes.group_note_open(
        actor=clinic.clinician_a, occurrence_id=group.occurrence.pk
    )
    group_note.facilitators.add(clinic.director_a)
    group_note.facilitators.remove(clinic.director_a)
    group_notes.group_note_update(
        actor=clinic.clinician_a, group_note_id=group_note.pk, shared={"topic": "Sleep hygiene"}
    )
    assert GroupNote.objects.get().topic == "Sleep hygiene"
    other = _draft_individual_note(clinic.clinician_a, clinic.patient_a)
    assert ClinicalNote.objects.filter(pk=other.pk).delete()[0] == 1
    signed = note_services.note_sign(actor=clinic.clinician_a, note_id=draft.pk, now=AFTER)
    assert signed.signed_at == AFTER


def test_addenda_and_co_signatures_are_added_after_signing(notes):
    addenda.note_addendum_add(
        actor=notes.intern, note_id=notes.individual.pk, text="Second correction."
    )
    addenda.note_addendum_add(
        actor=notes.group_note.author,
        group_note_id=notes.group_note.pk,
        text="The group ended at 11:50.",
    )
    assert NoteAddendum.objects.count() == 3
    assert row_exists("care_notecosignature", notes.individual.cosignature.pk)


def test_the_model_guard_still_answers_first_in_words(notes):
    """SignedRecordGuard turns an ORM save of a signed note into the user's message before
    the database is asked; the triggers hold for the paths that skip save()."""
    section = ClinicalNote.objects.get(pk=notes.signed_section.pk)
    section.plan = "Rewritten"
    with pytest.raises(ApplicationError) as caught:
        section.save()
    assert caught.value.message == "This note is signed and locked; add an addendum to correct it."
