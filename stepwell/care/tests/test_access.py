"""Every branch of the care rules in privacy/access/attendance.py and notes.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from stepwell.care.models import Attendance, ClinicalNote, PsychotherapyNote
from stepwell.care.notes import cosignature
from stepwell.care.tests.conftest import GROUP_START, make_occurrence
from stepwell.core.kept import READS
from stepwell.privacy.access import attendance, notes
from stepwell.schedule.models import Appointment
from stepwell.testing.checks_by_id import Outcomes, compare
from stepwell.testing.factories import UserFactory
from stepwell.testing.kept import assert_read_as_orm
from stepwell.testing.people import CLINIC_PEOPLE

ROLES = CLINIC_PEOPLE


@pytest.mark.parametrize("name", ROLES)
def test_attendance_take(clinic, group, name):
    """The session's facilitator (clinician_a) and the program's director only: another
    clinician, prescriber or nurse of the same program does not take it (issue 12)."""
    expected = name in {"clinician_a", "director_a"}
    assert attendance.access_attendance_take(getattr(clinic, name), group.occurrence) is expected


def test_facilitator_without_program_membership_takes_attendance(clinic, group):
    group.occurrence.facilitators.add(clinic.clinician_b)
    assert attendance.access_attendance_take(clinic.clinician_b, group.occurrence) is True
    assert notes.access_group_note_write(clinic.clinician_b, group.occurrence) is True


def test_co_facilitator_of_the_program_takes_attendance_and_shares_the_note(clinic, group):
    assert attendance.access_attendance_take(clinic.nurse_a, group.occurrence) is False
    group.occurrence.facilitators.add(clinic.nurse_a)
    assert attendance.access_attendance_take(clinic.nurse_a, group.occurrence) is True
    assert notes.access_group_note_write(clinic.nurse_a, group.occurrence) is True


@pytest.mark.parametrize("name", ROLES)
def test_group_note_write(clinic, group, name):
    expected = name in {"clinician_a", "director_a"}
    assert notes.access_group_note_write(getattr(clinic, name), group.occurrence) is expected


@pytest.mark.parametrize("name", ROLES)
def test_notes_read(clinic, name):
    expected = name in {"clinician_a", "prescriber_a", "nurse_a", "director_a"}
    assert notes.access_notes_read(getattr(clinic, name), clinic.patient_a) is expected


def test_notes_read_care_team_across_programs(clinic):
    assert notes.access_notes_read(clinic.clinician_a, clinic.team_patient_b) is True
    assert notes.access_notes_read(clinic.clinician_a, clinic.patient_b) is False


@pytest.mark.parametrize(
    ("name", "individual", "medication"),
    [
        ("clinician_a", True, False),
        ("prescriber_a", True, True),
        ("nurse_a", True, False),
        ("director_a", False, False),
        ("clinician_b", False, False),
        ("billing_a", False, False),
        ("patient_user_a", False, False),
    ],
)
def test_note_write(clinic, name, individual, medication):
    user = getattr(clinic, name)
    assert notes.access_note_write(user, clinic.patient_a, "individual") is individual
    assert notes.access_note_write(user, clinic.patient_a, "medication") is medication


def test_note_sign_author_only(clinic):
    assert notes.access_note_sign(clinic.clinician_a, clinic.clinician_a.pk) is True
    assert notes.access_note_sign(clinic.director_a, clinic.clinician_a.pk) is False
    assert notes.access_note_sign(clinic.patient_user_a, clinic.patient_user_a.pk) is False


@pytest.mark.parametrize(
    ("credentials", "needs_cosign"),
    [
        ("MD", False),
        ("DO", False),
        ("PsyD", False),
        ("PhD", False),
        ("PMHNP", False),
        ("LCSW", False),
        ("lcsw", False),  # case does not matter
        ("LPC", False),
        ("LMHC", False),
        ("LMFT", False),
        ("LCPC", False),
        ("LCSW, LCADC", False),  # one independent licence is enough
        ("MD/PhD", False),
        ("LCADC", True),  # addiction counsellors practise under supervision
        ("CADC", True),
        ("LMSW", True),  # interns and associates
        ("LPC-A", True),
        ("APCC", True),
        ("MA, intern", True),
        ("RN", True),  # not on the default list
        ("", True),  # a blank credential needs a co-signer
        ("   ", True),
    ],
)
def test_cosign_needed_unless_an_independent_licence(db, credentials, needs_cosign):
    user = UserFactory(roles=["clinician"], credentials=credentials)
    assert cosignature.credential_requires_cosign(user) is needs_cosign


@override_settings(STEPWELL_INDEPENDENT_CREDENTIALS=["LCSW", "RN"])
def test_independent_credentials_are_the_clinics_list(db):
    assert cosignature.credential_requires_cosign(UserFactory(credentials="RN")) is False
    assert cosignature.credential_requires_cosign(UserFactory(credentials="MD")) is True


def test_cosign_branches(clinic):
    clinic.director_a.credentials = "PsyD"
    clinic.director_a.save()
    intern = UserFactory(roles=["clinician"], programs=[clinic.program_a], credentials="MA, intern")
    assert cosignature.credential_requires_cosign(intern) is True
    assert cosignature.credential_requires_cosign(clinic.clinician_a) is False
    note = ClinicalNote(patient=clinic.patient_a, author=intern)
    assert notes.access_note_cosign(clinic.clinician_a, note) is True
    assert notes.access_note_cosign(clinic.director_a, note) is True
    assert notes.access_note_cosign(intern, note) is False  # own note
    other_intern = UserFactory(roles=["clinician"], programs=[clinic.program_a], credentials="LMSW")
    assert notes.access_note_cosign(other_intern, note) is False  # needs co-sign themselves
    unlicensed_director = UserFactory(roles=["program_director"], programs=[clinic.program_a])
    assert notes.access_note_cosign(unlicensed_director, note) is False  # blank credential
    assert notes.access_note_cosign(clinic.nurse_a, note) is False
    assert notes.access_note_cosign(clinic.clinician_b, note) is False  # no chart access
    assert notes.access_note_cosign(clinic.patient_user_a, note) is False


@pytest.mark.parametrize("name", ROLES)
def test_hours_read(clinic, name):
    expected = name in {"clinician_a", "prescriber_a", "nurse_a", "director_a", "billing_a"}
    assert notes.access_hours_read(getattr(clinic, name), clinic.patient_a) is expected


@pytest.mark.parametrize("name", ROLES)
def test_transition_week_mark(clinic, name):
    expected = name in {"clinician_a", "director_a"}
    assert notes.access_transition_week_mark(getattr(clinic, name), clinic.episode_a) is expected


@pytest.mark.parametrize("name", ROLES)
def test_psychotherapy_write(clinic, name):
    expected = name in {"clinician_a", "prescriber_a"}
    assert (
        notes.access_psychotherapy_note_write(getattr(clinic, name), clinic.patient_a) is expected
    )


@pytest.mark.parametrize("name", ROLES)
def test_psychotherapy_read_author_only(clinic, name):
    note = PsychotherapyNote(author=clinic.clinician_a, patient=clinic.patient_a, text="x")
    assert notes.access_psychotherapy_note_read(getattr(clinic, name), note) is (
        name == "clinician_a"
    )


@pytest.mark.parametrize("name", ROLES)
def test_program_compliance(clinic, name):
    assert notes.access_program_compliance(getattr(clinic, name), clinic.program_a.pk) is (
        name == "director_a"
    )
    assert notes.access_program_compliance(getattr(clinic, name), clinic.program_b.pk) is False


def test_appointment_attendance(clinic):
    appointment = Appointment(
        patient=clinic.patient_a,
        staff=clinic.clinician_b,
        program=clinic.program_a,
        kind="individual",
        starts_at=GROUP_START,
        ends_at=GROUP_START + timedelta(hours=1),
    )
    assert (
        attendance.access_appointment_attendance(clinic.clinician_b, appointment) is True
    )  # the clinician
    assert attendance.access_appointment_attendance(clinic.nurse_a, appointment) is False
    assert attendance.access_appointment_attendance(clinic.director_a, appointment) is True
    assert attendance.access_appointment_attendance(clinic.billing_a, appointment) is False
    assert attendance.access_appointment_attendance(clinic.patient_user_a, appointment) is False


def test_attendance_checked_by_id_is_allowed_exactly_as_its_scope_allows(clinic, group):
    """access_attendance_by_id and access_appointment_attendance_by_id read the row once
    and answer from it; for every person, every row (group sessions of both programs, a
    co-facilitator from another program, appointments with and without the program's
    staff) and an id not stored, the answer is the scope's (attendance_rows_taken_by,
    appointments_attendance_taken_by), and each refusal is audited naming the row's
    patient (none for the id not stored)."""
    other = make_occurrence(
        clinic.program_b,
        starts_at=GROUP_START,
        facilitators=[clinic.clinician_b, clinic.nurse_a],  # nurse_a: another program's
        patients=[clinic.patient_b],
    )
    rows = []
    for occurrence, patients in (
        (group.occurrence, [clinic.patient_a, group.dana, group.emery]),
        (other, [clinic.patient_b]),
    ):
        for patient in patients:
            rows.append(
                Attendance.objects.create(
                    occurrence=occurrence,
                    patient=patient,
                    session_starts_at=occurrence.starts_at,
                    session_ends_at=occurrence.ends_at,
                )
            )
    appointments = [
        Appointment.objects.create(
            patient=patient,
            staff=staff,
            program=program,
            kind="individual",
            starts_at=GROUP_START + timedelta(days=1),
            ends_at=GROUP_START + timedelta(days=1, hours=1),
        )
        for patient, staff, program in (
            (clinic.patient_a, clinic.clinician_b, clinic.program_a),  # staff of program B
            (clinic.patient_b, clinic.clinician_b, clinic.program_b),
        )
    ]
    for appointment in appointments:
        rows.append(
            Attendance.objects.create(
                appointment=appointment,
                patient=appointment.patient,
                session_starts_at=appointment.starts_at,
                session_ends_at=appointment.ends_at,
            )
        )
    outcomes = Outcomes()
    checks = (
        ("row", attendance.access_attendance_by_id, attendance.attendance_rows_taken_by, rows),
        (
            "appointment",
            attendance.access_appointment_attendance_by_id,
            attendance.appointments_attendance_taken_by,
            appointments,
        ),
    )
    for who in ROLES:
        user = getattr(clinic, who)
        for name, check, scope, records in checks:
            allowed = set(scope(user).values_list("pk", flat=True))
            compare(outcomes, name, user, check, records, allowed, lambda r: r.patient_id)
    assert set(outcomes.seen) == {"row", "appointment"}
    outcomes.verify()
    # The kept reads of both checks read what the ORM reads (with a session or an
    # appointment, the other relation empty).
    kept = [read for read in READS if read.model in (Attendance, Appointment)]
    assert {read.model for read in kept} == {Attendance, Appointment}
    for read in kept:
        for record in rows if read.model is Attendance else appointments:
            assert_read_as_orm(read, record.pk)
