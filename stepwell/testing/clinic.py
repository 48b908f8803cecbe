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
    """The records of the clinic fixture (and of fixtures built on it) made once for a run
    of tests that take them, in a transaction that stays open while they run and is
    rolled back after them.

    Thousands of tests take the `clinic` fixture; building it for each was about 12 ms and
    37 queries, and its deferred foreign-key checks were scanned again by each test's
    teardown. Here it is built once, its deferred checks fired once at the top level, and
    each test runs in pytest-django's savepoint inside the transaction, so whatever a test
    changes is rolled back and the next test finds the records as built. Each test gets a
    deep copy of the built records (as Django's TestCase gives each test a copy of
    setUpTestData's), so a change a test makes to a record in memory does not reach the
    next test either; the copies a test gets share one memo, so a record two fixtures
    hold is one object in the test, as it was when each fixture was built for it.

    A fixture built on the clinic (a scheduled program, a full chart) can be shared the
    same way: `register` names it, the fixture that marks a test as taking it, and how it
    is built from the records below it. It is built in a savepoint on top of the clinic,
    from a copy of the clinic's records (what it changes in them, in the rows and in
    memory, is what the test sees: its own `clinic` is that copy), and rolled back when a
    test that does not take it comes.

    The transaction is open only between tests that take the clinic: conftest.py closes
    it before any other test that touches the database (a test with no clinic must find
    none, and a test that commits must not run inside it), and a fixture wider than one
    test that opens its own transaction closes it first (built_and_rolled_back). It is
    opened only when no other transaction is open; otherwise the test builds its own
    records as before. Everything is built again when the UTC date or the clinic's date
    has moved on since, or after MAX_AGE seconds, so that "today" and "recently" in a
    test mean what they meant with records built for the test.
    """

    MAX_AGE = 300.0
    BASE = "clinic"

    def __init__(self) -> None:
        # (name, its transaction or savepoint, the records as built up to this layer)
        self._layers: list[tuple[str, transaction.Atomic, dict]] = []
        self._builders: dict[str, tuple[str, object]] = {
            self.BASE: ("_shared_clinic", lambda records: build_clinic())
        }
        self._built_at = 0.0
        self._dates: tuple = ()
        self._memo: dict = {}

    def register(self, name: str, marker: str, build) -> None:
        """A fixture built on the clinic, shared by the tests that take `marker` (a fixture
        that only its own fixture asks for); `build(records)` makes it from the records
        below it (`records["clinic"]`), which it may change."""
        self._builders[name] = (marker, build)

    def wanted_by(self, fixturenames) -> list[str]:
        """The layers a test with these fixtures takes, the clinic first; [] for none."""
        names = set(fixturenames)
        if self._builders[self.BASE][0] not in names:
            return []
        upper = [
            n for n, (marker, _) in self._builders.items() if n != self.BASE and marker in names
        ]
        return [self.BASE, *upper]

    @property
    def is_open(self) -> bool:
        return bool(self._layers)

    def open(self, names: list[str] | None = None) -> None:
        """Make sure these layers (default: the clinic alone) are built and open, before a
        test's own savepoint is entered; nothing when another transaction is open."""
        names = names or [self.BASE]
        if self.is_open and self._stale():
            self.close()
        kept = 0
        for (name, _, _), wanted in zip(self._layers, names, strict=False):
            if name != wanted:
                break
            kept += 1
        self._close_above(kept)
        self._memo = {}
        if kept == len(names) or (not self._layers and connection.in_atomic_block):
            return
        self._check_innermost()
        if not self._layers:
            self._built_at = time.monotonic()
        try:
            for name in names[kept:]:
                self._push(name)
        except BaseException:
            self.close()
            raise
        if kept == 0:
            self._dates = self._today()

    def _push(self, name: str) -> None:
        atomic = transaction.atomic()
        # As a TestCase's own: a durable block in the build may nest in it.
        atomic._from_testcase = True
        atomic.__enter__()
        below = copy.deepcopy(self._layers[-1][2]) if self._layers else {}
        self._layers.append((name, atomic, below))
        below[name] = self._builders[name][1](below)
        # The build's deferred foreign-key checks, fired once here, where PostgreSQL then
        # drops them, not in every test's teardown check.
        connection.check_constraints()

    def copy(self, name: str = BASE):
        """The test's own copy of a shared record set, or None when it is not open."""
        if not self._layers or name not in self._layers[-1][2]:
            return None
        return copy.deepcopy(self._layers[-1][2][name], self._memo)

    def close(self) -> None:
        """Roll everything back, if anything is there."""
        self._close_above(0)

    def _close_above(self, kept: int) -> None:
        while len(self._layers) > kept:
            self._check_innermost()
            atomic = self._layers.pop()[1]
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)

    def _check_innermost(self) -> None:
        """The top layer's block must be the connection's innermost before a layer is
        pushed on it or popped."""
        if self._layers and connection.atomic_blocks[-1] is not self._layers[-1][1]:
            raise RuntimeError(
                "The shared test clinic's transaction is not the innermost one: a "
                "transaction opened after it is still open."
            )

    def _stale(self) -> bool:
        too_old = time.monotonic() - self._built_at > self.MAX_AGE
        return too_old or self._today() != self._dates

    def _today(self) -> tuple:
        built = self._layers[0][2][self.BASE] if self._layers else None
        programs = (built.program_a, built.program_b) if built else ()
        return (timezone.now().date(), *(program_today(p) for p in programs))


SHARED = SharedClinic()
