"""The service is the gate: every care service, called directly (no page, no API) by a
user who may not, is refused, writes exactly one denied audit event and changes nothing.

Roles count in their own program: the last cases are people who hold the right role,
but in another program than the record's.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import timedelta

import pytest

from stepwell.accounts.models import Role
from stepwell.care.attendance import services as attendance_services
from stepwell.care.hours import services as hours_services
from stepwell.care.models import (
    Attendance,
    AttendanceChange,
    ClinicalNote,
    EpisodeTransitionWeek,
    GroupNote,
    NoteAddendum,
    NoteCosignature,
    PsychotherapyNote,
)
from stepwell.care.notes import addenda, group_notes, psychotherapy
from stepwell.care.notes import services as note_services
from stepwell.care.tests.conftest import (
    AFTER,
    DURING,
    GROUP_START,
    admitted_patient,
    make_occurrence,
)
from stepwell.care.tests.helpers import birp, signed_group
from stepwell.core.errors import AccessDenied
from stepwell.privacy.actors import system_actor
from stepwell.privacy.models import AuditEvent
from stepwell.schedule.models import Appointment
from stepwell.testing.factories import UserFactory
from stepwell.testing.people import CLINIC_PEOPLE

CARE_MODELS = (
    Attendance,
    AttendanceChange,
    GroupNote,
    ClinicalNote,
    NoteAddendum,
    NoteCosignature,
    PsychotherapyNote,
    EpisodeTransitionWeek,
)


def _snapshot() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in CARE_MODELS}


@dataclass
class World:
    clinic: object
    signed_group_note: GroupNote
    signed_section: ClinicalNote
    draft_group_note: GroupNote
    draft_note: ClinicalNote
    intern_note: ClinicalNote  # signed, waiting for a co-signature
    private_note: PsychotherapyNote
    fresh_occurrence: object  # enrolments, no roster yet
    appointment: Appointment  # no attendance row yet
    row: Attendance
    joiner: object
    users: dict


@pytest.fixture
def world(clinic, group) -> World:
    note, sections = signed_group(clinic, group, now=AFTER)
    later = GROUP_START + timedelta(days=1)
    draft_occurrence = make_occurrence(
        clinic.program_a,
        starts_at=later,
        facilitators=[clinic.clinician_a],
        patients=[clinic.patient_a],
    )
    _, rows = attendance_services.attendance_roster_open(
        actor=clinic.clinician_a, occurrence_id=draft_occurrence.pk
    )
    attendance_services.attendance_mark(
        actor=clinic.clinician_a,
        attendance_id=rows[0].pk,
        status="present",
        now=later + timedelta(minutes=5),
    )
    draft_group_note = group_notes.group_note_open(
        actor=clinic.clinician_a, occurrence_id=draft_occurrence.pk
    )
    draft_note = note_services.note_create(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        kind="individual",
        started_at=GROUP_START + timedelta(days=2),
        ended_at=GROUP_START + timedelta(days=2, minutes=50),
    )
    note_services.note_update(actor=clinic.clinician_a, note_id=draft_note.pk, data=birp("Draft"))
    intern = UserFactory(roles=[Role.CLINICIAN], programs=[clinic.program_a], credentials="LMSW")
    intern_note = note_services.note_create(
        actor=intern,
        patient_id=clinic.patient_a.pk,
        kind="individual",
        started_at=GROUP_START + timedelta(days=3),
        ended_at=GROUP_START + timedelta(days=3, minutes=50),
    )
    note_services.note_update(actor=intern, note_id=intern_note.pk, data=birp("Intern"))
    note_services.note_sign(actor=intern, note_id=intern_note.pk, now=AFTER + timedelta(days=3))
    private = psychotherapy.psychotherapy_note_create(
        actor=clinic.clinician_a, patient_id=clinic.patient_a.pk, text="Process material."
    )
    appointment = Appointment.objects.create(
        patient=clinic.patient_a,
        staff=clinic.clinician_a,
        program=clinic.program_a,
        kind="individual",
        starts_at=GROUP_START + timedelta(days=4),
        ends_at=GROUP_START + timedelta(days=4, minutes=50),
    )
    users = {name: getattr(clinic, name) for name in CLINIC_PEOPLE}
    # The right role, in the other program only (and another role here).
    users["nurse_b_billing_a"] = UserFactory(
        username="nurse_b_billing_a",
        grants=[(Role.NURSE, clinic.program_b), (Role.BILLING, clinic.program_a)],
    )
    users["director_b_nurse_a"] = UserFactory(
        username="director_b_nurse_a",
        credentials="PsyD",
        grants=[(Role.PROGRAM_DIRECTOR, clinic.program_b), (Role.NURSE, clinic.program_a)],
    )
    users["prescriber_b_nurse_a"] = UserFactory(
        username="prescriber_b_nurse_a",
        grants=[(Role.PRESCRIBER, clinic.program_b), (Role.NURSE, clinic.program_a)],
    )
    users["job"] = system_actor("care-gate-test")
    return World(
        clinic=clinic,
        signed_group_note=note,
        signed_section=sections[clinic.patient_a.pk],
        draft_group_note=draft_group_note,
        draft_note=draft_note,
        intern_note=intern_note,
        private_note=private,
        fresh_occurrence=make_occurrence(
            clinic.program_a,
            starts_at=GROUP_START + timedelta(days=7),
            facilitators=[clinic.clinician_a],
            patients=[clinic.patient_a, group.dana],
        ),
        appointment=appointment,
        row=Attendance.objects.get(occurrence=group.occurrence, patient=clinic.patient_a),
        joiner=admitted_patient(clinic.program_a, "Morgan", "Maple"),
        users=users,
    )


# (case, refused user, the call, the denial's object_type)
CASES = [
    (
        "attendance_roster_open",
        "clinician_b",
        lambda w, actor: attendance_services.attendance_roster_open(
            actor=actor, occurrence_id=w.fresh_occurrence.pk
        ),
        "attendance_roster",
    ),
    (
        "attendance_for_appointment_open",
        "billing_a",
        lambda w, actor: attendance_services.attendance_for_appointment_open(
            actor=actor, appointment_id=w.appointment.pk
        ),
        "attendance",
    ),
    (
        "attendance_mark",
        "intake_a",
        lambda w, actor: attendance_services.attendance_mark(
            actor=actor, attendance_id=w.row.pk, status="absent_unexcused", now=AFTER
        ),
        "attendance",
    ),
    (
        "attendance_walk_in_add",
        "clinician_b",
        lambda w, actor: attendance_services.attendance_walk_in_add(
            actor=actor, occurrence_id=w.fresh_occurrence.pk, patient_id=w.joiner.pk, now=DURING
        ),
        "attendance",
    ),
    (
        "group_note_open",
        "prescriber_a",  # writes notes in the program, but does not facilitate this one
        lambda w, actor: group_notes.group_note_open(
            actor=actor, occurrence_id=w.fresh_occurrence.pk
        ),
        "group_note",
    ),
    (
        "group_note_update",
        "nurse_a",  # writes notes in the program, but does not facilitate this one
        lambda w, actor: group_notes.group_note_update(
            actor=actor, group_note_id=w.draft_group_note.pk, shared={"topic": "Changed"}
        ),
        "group_note",
    ),
    (
        "group_note_sign",
        "prescriber_a",
        lambda w, actor: group_notes.group_note_sign(
            actor=actor, group_note_id=w.draft_group_note.pk, now=AFTER
        ),
        "group_note",
    ),
    (
        "note_create",
        "director_a",  # reads notes, writes none
        lambda w, actor: note_services.note_create(
            actor=actor,
            patient_id=w.clinic.patient_a.pk,
            kind="individual",
            started_at=GROUP_START,
            ended_at=GROUP_START + timedelta(hours=1),
        ),
        "clinical_note",
    ),
    (
        "note_create_medication",
        "clinician_a",  # medication-management notes: prescribers
        lambda w, actor: note_services.note_create(
            actor=actor,
            patient_id=w.clinic.patient_a.pk,
            kind="medication",
            started_at=GROUP_START,
            ended_at=GROUP_START + timedelta(hours=1),
        ),
        "clinical_note",
    ),
    (
        "note_update",
        "nurse_a",  # not the author
        lambda w, actor: note_services.note_update(
            actor=actor, note_id=w.draft_note.pk, data={"plan": "Changed"}
        ),
        "clinical_note",
    ),
    (
        "note_sign",
        "director_a",
        lambda w, actor: note_services.note_sign(actor=actor, note_id=w.draft_note.pk, now=AFTER),
        "clinical_note",
    ),
    (
        "note_cosign",
        "nurse_a",  # not a co-signing role
        lambda w, actor: note_services.note_cosign(
            actor=actor, note_id=w.intern_note.pk, now=AFTER
        ),
        "clinical_note",
    ),
    (
        "note_addendum_add_section",
        "director_a",  # only the author adds addenda
        lambda w, actor: addenda.note_addendum_add(
            actor=actor, note_id=w.signed_section.pk, text="A correction."
        ),
        "clinical_note",
    ),
    (
        "note_addendum_add_shared",
        "nurse_a",
        lambda w, actor: addenda.note_addendum_add(
            actor=actor, group_note_id=w.signed_group_note.pk, text="A correction."
        ),
        "group_note",
    ),
    (
        "psychotherapy_note_create",
        "nurse_a",
        lambda w, actor: psychotherapy.psychotherapy_note_create(
            actor=actor, patient_id=w.clinic.patient_a.pk, text="Process material."
        ),
        "psychotherapy_note",
    ),
    (
        "psychotherapy_note_update",
        "director_a",  # the author only, never a director
        lambda w, actor: psychotherapy.psychotherapy_note_update(
            actor=actor, note_id=w.private_note.pk, text="Changed."
        ),
        "psychotherapy_note",
    ),
    (
        "psychotherapy_note_update_by_colleague",
        "prescriber_a",  # may write their own, never read another's
        lambda w, actor: psychotherapy.psychotherapy_note_update(
            actor=actor, note_id=w.private_note.pk, text="Changed."
        ),
        "psychotherapy_note",
    ),
    (
        "transition_week_mark",
        "nurse_a",
        lambda w, actor: hours_services.transition_week_mark(
            actor=actor, episode_id=w.clinic.episode_a.pk, week="2026-W50", reason="Stepping down"
        ),
        "transition_week",
    ),
    # Roles per program: the role is held, but in the other program.
    (
        "attendance_mark_by_a_nurse_of_another_program",
        "nurse_b_billing_a",
        lambda w, actor: attendance_services.attendance_mark(
            actor=actor, attendance_id=w.row.pk, status="absent_unexcused", now=AFTER
        ),
        "attendance",
    ),
    (
        "note_cosign_by_a_director_of_another_program",
        "director_b_nurse_a",
        lambda w, actor: note_services.note_cosign(
            actor=actor, note_id=w.intern_note.pk, now=AFTER
        ),
        "clinical_note",
    ),
    (
        "note_create_medication_by_a_prescriber_of_another_program",
        "prescriber_b_nurse_a",
        lambda w, actor: note_services.note_create(
            actor=actor,
            patient_id=w.clinic.patient_a.pk,
            kind="medication",
            started_at=GROUP_START,
            ended_at=GROUP_START + timedelta(hours=1),
        ),
        "clinical_note",
    ),
    (
        "transition_week_mark_by_a_director_of_another_program",
        "director_b_nurse_a",
        lambda w, actor: hours_services.transition_week_mark(
            actor=actor, episode_id=w.clinic.episode_a.pk, week="2026-W50", reason="Stepping down"
        ),
        "transition_week",
    ),
    (
        "note_update_by_a_job",
        "job",  # a system actor holds no role
        lambda w, actor: note_services.note_update(
            actor=actor, note_id=w.draft_note.pk, data={"plan": "Changed"}
        ),
        "clinical_note",
    ),
]


@pytest.mark.parametrize(
    ("case", "who", "call", "object_type"), CASES, ids=[case[0] for case in CASES]
)
def test_a_refused_service_call_is_audited_once_and_changes_nothing(
    world, case, who, call, object_type
):
    actor = world.users[who]
    before = _snapshot()
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    with pytest.raises(AccessDenied):
        call(world, actor)
    events = list(AuditEvent.objects.filter(seq__gt=last))
    assert [(e.outcome, e.object_type) for e in events] == [("denied", object_type)]
    assert events[0].username == actor.get_username()
    assert _snapshot() == before


def test_every_care_service_has_a_refusal_case():
    covered = {case[0] for case in CASES}
    for name in _use_cases():
        assert any(case.startswith(name) for case in covered), name


def _use_cases() -> list[str]:
    """Every care service that takes the acting user: the public functions of the service
    modules of attendance, notes and hours with a keyword-only `actor`."""
    modules = (attendance_services, note_services, group_notes, addenda, psychotherapy)
    names = []
    for module in (*modules, hours_services):
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function):
                continue
            if function.__module__ != module.__name__:
                continue
            parameter = inspect.signature(function).parameters.get("actor")
            if parameter is not None and parameter.kind is inspect.Parameter.KEYWORD_ONLY:
                names.append(name)
    assert len(names) >= 15, names
    return names


def test_the_same_people_are_allowed_through_the_service(world):
    """The other side of the rules above: the session's staff, or the program's director."""
    clinic = world.clinic
    row = attendance_services.attendance_mark(
        actor=clinic.director_a, attendance_id=world.row.pk, status="absent_unexcused", now=AFTER
    )
    assert row.status == "absent_unexcused"
    clinic.director_a.credentials = "PsyD"
    clinic.director_a.save()
    cosignature = note_services.note_cosign(
        actor=clinic.director_a, note_id=world.intern_note.pk, now=AFTER
    )
    assert cosignature.note_id == world.intern_note.pk
    marked = hours_services.transition_week_mark(
        actor=clinic.director_a,
        episode_id=clinic.episode_a.pk,
        week="2026-W50",
        reason="Stepping down",
    )
    assert marked.week == "2026-W50"
