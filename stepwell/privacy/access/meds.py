"""Access to medications, allergies, reconciliations, prescriber visits, adherence,
addiction-medicine records and drug tests.

Roles count in the patient's program: the patient has an episode in a program where the
user holds the role, or the user is on the patient's care team and holds the role in
some program (privacy.access.notes.patients_in_role). Every rule also needs the chart.

- Reading the medication record (list, allergies, reconciliations, visits, adherence
  answers, naloxone and PDMP records): clinicians, prescribers, nurses and directors in
  the patient's program: the care team. Intake coordinators, billing staff and
  administrators read none of it.
- Writing medications, allergies and reconciliations, and recording naloxone: prescribers
  and nurses in the patient's program.
- Attesting a PDMP check: prescribers in the patient's program.
- A visit's side effects and the changes made in it: the author of its medication note
  (a prescriber), while the note is a draft.
- The adherence question: the patient, for themselves, on the portal.
- Drug tests are Part 2 records of the program that did them (docs/clinical-sources.md
  §5): read by clinicians, prescribers, nurses and directors holding that role in the
  test's program; a test of a program that is not a Part 2 program is also read by the
  rest of the care team. Ordered, resulted and reviewed by clinicians, prescribers and
  nurses of the test's program only.
- Random testing: the program's director sets the schedule and asks for a week's draw;
  the draw itself is made by the system, and the jobs in DRAW_JOBS may run it.
A record the user may not reach and one that does not exist get the same audited refusal.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet

from stepwell.accounts.models import Role
from stepwell.care.models import ClinicalNote, NoteKind
from stepwell.clinic.models import Program
from stepwell.core.kept import RecordRead
from stepwell.meds.models import DrugTest, Medication, Reconciliation
from stepwell.patients.models import OPEN_STATES, Episode, Patient
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .alumni import refuse_alumnus
from .conditions import NOBODY, PatientCondition, patients_where
from .notes import role_condition
from .patients import (
    about_one_patient,
    episode_meeting_or_refuse,
    patient_meeting_or_refuse,
    patient_meets,
)
from .predicates import (
    as_record_id,
    holds_role_in,
    is_patient_user,
    is_staff_member,
    is_system_actor,
    programs_with,
    read_and_check,
)

_MEDICATION = RecordRead(Medication, "patient")
_RECONCILIATION = RecordRead(Reconciliation, "episode__patient", "episode__program")
_MED_NOTE = RecordRead(ClinicalNote, "patient", "author")
_DRUG_TEST = RecordRead(DrugTest, "patient", "program", "episode")


READ_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE, Role.PROGRAM_DIRECTOR)
WRITE_ROLES = (Role.PRESCRIBER, Role.NURSE)
PDMP_ROLES = (Role.PRESCRIBER,)
TEST_ROLES = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE)
DRAW_JOBS = frozenset({"drug-test-draw", "seed-demo"})


class MedsNeed(StrEnum):
    READ = "read"
    WRITE = "write"
    PDMP = "pdmp"


_ROLES = {MedsNeed.READ: READ_ROLES, MedsNeed.WRITE: WRITE_ROLES, MedsNeed.PDMP: PDMP_ROLES}


def meds_condition(user, need: MedsNeed = MedsNeed.READ) -> PatientCondition:
    if not is_staff_member(user):
        return NOBODY
    return role_condition(user, *_ROLES[need])


def meds_patients_visible_to(user, need: MedsNeed = MedsNeed.READ) -> QuerySet[Patient]:
    return patients_where(meds_condition(user, need))


def access_meds(user, patient: Patient, need: MedsNeed = MedsNeed.READ) -> bool:
    return meds_condition(user, need).holds_for(patient)


def meds_rights(user, patient: Patient) -> dict[MedsNeed, bool]:
    """access_meds for every need at once, from the patient's facts (the medication
    section asks them all)."""
    return patient_meets(patient, {need: meds_condition(user, need) for need in MedsNeed})


def drug_tests_of(user, patient: Patient) -> QuerySet[DrugTest]:
    """The patient's tests the user reads (drug_tests_visible_to, asked about this patient
    alone)."""
    with about_one_patient(patient.pk):
        return drug_tests_visible_to(user).filter(patient=patient)


def drug_tests_visible_to(user) -> QuerySet[DrugTest]:
    """Tests of the programs where the user reads them, and, outside Part 2 programs, the
    tests of the patients whose medication record the user reads."""
    if not is_staff_member(user):
        return DrugTest.objects.none()
    scope = Q(program_id__in=programs_with(user, *READ_ROLES))
    readable = meds_patients_visible_to(user).values("pk")
    scope |= Q(program__part2_program=False, patient__in=readable)
    return DrugTest.objects.filter(scope)


def drug_tests_written_by(user) -> QuerySet[DrugTest]:
    return DrugTest.objects.filter(program_id__in=programs_with(user, *TEST_ROLES))


def ordering_episodes_of(user, patient: Patient) -> QuerySet[Episode]:
    """The patient's open episodes in programs where the user orders drug tests."""
    return Episode.objects.filter(
        patient=patient, state__in=OPEN_STATES, program_id__in=programs_with(user, *TEST_ROLES)
    ).select_related("program")


def access_testing_schedule(user, program_id: int | None) -> bool:
    return holds_role_in(user, program_id, Role.PROGRAM_DIRECTOR)


def access_random_draw(actor, program_id: int | None) -> bool:
    if is_system_actor(actor):
        return actor.job in DRAW_JOBS
    return access_testing_schedule(actor, program_id)


# --- fetch and check in one call ---------------------------------------------------------


def _refuse(user, action, object_type, object_id, patient_id=None):
    return refuse(
        actor=user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
    )


def access_patient_meds_by_id(
    user,
    patient_id,
    *,
    need: MedsNeed = MedsNeed.READ,
    action: str = AuditAction.VIEW,
    object_type: str = "medication",
    object_id: object = None,
) -> Patient:
    """A patient whose medication record the user may read (or write), or a refusal."""
    return patient_meeting_or_refuse(
        user,
        patient_id,
        meds_condition(user, need),
        action=action,
        object_type=object_type,
        object_id=object_id,
    )


def access_medication_by_id(
    user, medication_id, *, need: MedsNeed = MedsNeed.WRITE, action: str = AuditAction.UPDATE
) -> Medication:
    condition = meds_condition(user, need)
    return read_and_check(
        _MEDICATION,
        medication_id,
        lambda medication: condition.holds_for(medication.patient),
        user=user,
        action=action,
        object_type="medication",
    )


def access_episode_meds_by_id(
    user, episode_id, *, need: MedsNeed = MedsNeed.WRITE, action: str = AuditAction.CREATE
) -> Episode:
    return episode_meeting_or_refuse(
        user,
        episode_id,
        meds_condition(user, need),
        action=action,
        object_type="reconciliation",
        object_id="new",
    )


def access_reconciliation_by_id(
    user, reconciliation_id, *, need: MedsNeed = MedsNeed.READ, action: str = AuditAction.VIEW
) -> Reconciliation:
    condition = meds_condition(user, need)
    return read_and_check(
        _RECONCILIATION,
        reconciliation_id,
        lambda reconciliation: condition.holds_for(reconciliation.episode.patient),
        user=user,
        action=action,
        object_type="reconciliation",
        patient_of=lambda reconciliation: reconciliation.episode.patient_id,
    )


def access_visit_note_by_id(
    user, note_id, *, author: bool = False, action: str = AuditAction.VIEW
) -> ClinicalNote:
    """A medication note whose visit the user reads, or (author=True) writes as its
    author, or an audited refusal."""
    condition = meds_condition(user)
    return read_and_check(
        _MED_NOTE,
        note_id,
        lambda note: (
            note.kind == NoteKind.MEDICATION
            and (not author or note.author_id == user.pk)
            and condition.holds_for(note.patient)
        ),
        user=user,
        action=action,
        object_type="medication_visit",
    )


def access_drug_test_by_id(
    user, test_id, *, write: bool = False, action: str = AuditAction.VIEW
) -> DrugTest:
    return read_and_check(
        _DRUG_TEST,
        test_id,
        lambda test: (
            _drug_test_written_by(user, test) if write else _drug_test_visible_to(user, test)
        ),
        user=user,
        action=action,
        object_type="drug_test",
    )


def _drug_test_visible_to(user, test: DrugTest) -> bool:
    """drug_tests_visible_to for one test read with its program and patient."""
    if not is_staff_member(user):
        return False
    if test.program_id in programs_with(user, *READ_ROLES):
        return True
    return not test.program.part2_program and meds_condition(user).holds_for(test.patient)


def _drug_test_written_by(user, test: DrugTest) -> bool:
    return test.program_id in programs_with(user, *TEST_ROLES)


def access_patient_drug_tests_by_id(
    user, patient_id, *, write: bool = False, action: str = AuditAction.LIST
) -> Patient:
    """A patient whose drug tests the user reads (some of them), or for whom the user may
    order one (write=True), or an audited refusal."""
    if write:
        patients = Patient.objects.filter(
            episodes__state__in=OPEN_STATES,
            episodes__program_id__in=programs_with(user, *TEST_ROLES),
        )
    else:
        patients = Patient.objects.filter(
            Q(pk__in=meds_patients_visible_to(user).values("pk"))
            | Q(episodes__program_id__in=programs_with(user, *READ_ROLES))
        )
    patient = patients.distinct().filter(pk=as_record_id(patient_id)).first()
    if patient is None:
        raise _refuse(user, action, "drug_test", "new" if write else patient_id, patient_id)
    return patient


def access_testing_program_by_id(user, program_id, *, action: str = AuditAction.VIEW) -> Program:
    program = Program.objects.filter(
        pk=as_record_id(program_id), pk__in=programs_with(user, Role.PROGRAM_DIRECTOR)
    ).first()
    if program is None:
        raise _refuse(user, action, "testing_schedule", program_id)
    return program


def access_own_meds_patient(user, *, action: str = AuditAction.VIEW) -> Patient:
    """The signed-in patient's own record (the adherence question), or a refusal."""
    patient = Patient.objects.filter(user=user).first() if is_patient_user(user) else None
    if patient is None:
        raise _refuse(user, action, "adherence", "")
    refuse_alumnus(user, object_type="adherence", action=action)  # care has ended
    return patient
