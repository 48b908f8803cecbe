"""The small synthetic clinic of the `clinic` test fixture (conftest.py): two programs and
every role. build_clinic() makes it for a fixture of a wider scope too; SHARED keeps one
built clinic per test process for the tests that take the fixture (see SharedClinic)."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from stepwell.accounts.models import Role, UserKind
from stepwell.clinic.time import program_today
from stepwell.patients.models import EpisodeState
from stepwell.testing.factories import (
    CareTeamMemberFactory,
    EpisodeFactory,
    PatientFactory,
    ProgramFactory,
    SiteFactory,
    UserFactory,
)


@dataclass
class Clinic:
    program_a: object
    program_b: object
    clinician_a: object
    clinician_b: object
    prescriber_a: object
    nurse_a: object
    intake_a: object
    director_a: object
    billing_a: object
    admin: object
    patient_a: object
    patient_b: object
    episode_a: object
    episode_b: object
    patient_user_a: object
    patient_user_b: object
    team_patient_b: object  # a program-B patient on clinician_a's care team


def build_clinic() -> Clinic:
    site = SiteFactory()
    program_a = ProgramFactory(site=site, name="Adult MH")
    program_b = ProgramFactory(site=site, name="Substance Use", track="substance_use")
    clinician_a = UserFactory(
        username="clin_a", roles=[Role.CLINICIAN], programs=[program_a], credentials="LCSW"
    )
    patient_user_a = UserFactory(username="pat_a", kind=UserKind.PATIENT)
    patient_user_b = UserFactory(username="pat_b", kind=UserKind.PATIENT)
    patient_a = PatientFactory(
        legal_first_name="Avery", legal_last_name="Alder", user=patient_user_a
    )
    patient_b = PatientFactory(
        legal_first_name="Blake", legal_last_name="Birch", user=patient_user_b
    )
    team_patient_b = PatientFactory(legal_first_name="Casey", legal_last_name="Cedar")
    episode_a = EpisodeFactory(patient=patient_a, program=program_a, state=EpisodeState.ACTIVE)
    episode_a.admitted_on = episode_a.referred_on
    episode_a.save()
    episode_b = EpisodeFactory(patient=patient_b, program=program_b, state=EpisodeState.REFERRED)
    EpisodeFactory(patient=team_patient_b, program=program_b, state=EpisodeState.REFERRED)
    CareTeamMemberFactory(patient=team_patient_b, user=clinician_a)
    return Clinic(
        program_a=program_a,
        program_b=program_b,
        clinician_a=clinician_a,
        clinician_b=UserFactory(username="clin_b", roles=[Role.CLINICIAN], programs=[program_b]),
        prescriber_a=UserFactory(
            username="presc_a", roles=[Role.PRESCRIBER], programs=[program_a], credentials="MD"
        ),
        nurse_a=UserFactory(username="nurse_a", roles=[Role.NURSE], programs=[program_a]),
        intake_a=UserFactory(
            username="intake_a", roles=[Role.INTAKE_COORDINATOR], programs=[program_a]
        ),
        director_a=UserFactory(
            username="dir_a", roles=[Role.PROGRAM_DIRECTOR], programs=[program_a]
        ),
        billing_a=UserFactory(username="bill_a", roles=[Role.BILLING], programs=[program_a]),
        admin=UserFactory(
            username="admin", roles=[Role.ADMINISTRATOR], is_staff=True, is_superuser=True
        ),
        patient_a=patient_a,
        patient_b=patient_b,
        episode_a=episode_a,
        episode_b=episode_b,
        patient_user_a=patient_user_a,
        patient_user_b=patient_user_b,
        team_patient_b=team_patient_b,
    )


class SharedClinic:
    """One clinic for a run of tests that take the `clinic` fixture, built in a transaction
    that stays open while they run and is rolled back after them.

    Thousands of tests take the fixture; building the clinic for each was about 12 ms and
    37 queries, and its deferred foreign-key checks were scanned again by each test's
    teardown. Here the clinic is built once, its deferred checks fired once at the top
    level, and each test runs in pytest-django's savepoint inside the transaction, so
    whatever a test changes is rolled back and the next test finds the clinic as built.
    Each test gets a deep copy of the built records (as Django's TestCase gives each test
    a copy of setUpTestData's), so a change a test makes to a record in memory does not
    reach the next test either.

    The transaction is open only between tests that take the fixture: conftest.py closes
    it before any other test that touches the database (a test with no clinic must find
    none, and a test that commits must not run inside it), and a fixture wider than one
    test that opens its own transaction closes it first (built_and_rolled_back). It is
    opened only when no other transaction is open; otherwise the test builds its own
    clinic as before. The clinic is built again when the clinic's date or the UTC date has
    moved on since, or after MAX_AGE seconds, so that "today" and "recently" in a test mean
    what they meant with a clinic built for the test.
    """

    MAX_AGE = 300.0

    def __init__(self) -> None:
        self._atomic: transaction.Atomic | None = None
        self._built: Clinic | None = None
        self._built_at = 0.0
        self._dates: tuple = ()

    @property
    def is_open(self) -> bool:
        return self._atomic is not None

    def open(self) -> None:
        """Make sure the transaction is open with a clinic built today (before a test's
        own savepoint is entered); nothing when another transaction is open."""
        if self.is_open and not self._stale():
            return
        self.close()
        if connection.in_atomic_block:
            return
        atomic = transaction.atomic()
        # As a TestCase's own: a durable block in the build may nest in it.
        atomic._from_testcase = True
        atomic.__enter__()
        self._atomic = atomic
        try:
            self._built = build_clinic()
            # The build's deferred foreign-key checks, fired once here at the top level,
            # where PostgreSQL then drops them, not in every test's teardown check.
            connection.check_constraints()
        except BaseException:
            self.close()
            raise
        self._built_at = time.monotonic()
        self._dates = self._today()

    def copy(self) -> Clinic | None:
        """A test's own copy of the built clinic, or None when none is open."""
        if not self.is_open:
            return None
        return copy.deepcopy(self._built)

    def close(self) -> None:
        """Roll the clinic back, if it is there."""
        atomic = self._atomic
        if atomic is None:
            return
        if connection.atomic_blocks and connection.atomic_blocks[-1] is not atomic:
            raise RuntimeError(
                "The shared test clinic's transaction is not the innermost one: a "
                "transaction opened after it is still open."
            )
        self._atomic, self._built = None, None
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)

    def _stale(self) -> bool:
        too_old = time.monotonic() - self._built_at > self.MAX_AGE
        return too_old or self._today() != self._dates

    def _today(self) -> tuple:
        built = self._built
        programs = (built.program_a, built.program_b) if built else ()
        return (timezone.now().date(), *(program_today(p) for p in programs))


SHARED = SharedClinic()
