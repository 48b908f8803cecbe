"""The ways into a patient scope, written once and asked two ways.

Every patient scope (the chart's readers, the note readers, the medication writers, ...)
is built from four ways in: the patient has an episode in one of some programs; the user
is on the patient's care team; the user holds unexpired emergency access to the patient;
the patient's own account is the user. A PatientCondition combines them with ``|`` and
``&`` and answers:

- ``q()``: the condition on Patient for the database, each way in a subquery (no join
  fans the patients out), narrowed to the patients asked about inside about_patients;
- ``holds(facts)``: the answer for one patient from facts already read
  (PatientFacts: the programs of the patient's episodes, its care team, who holds
  emergency access, its own account). A page that asks several rules about one patient
  (the chart asks seven) reads the facts once and builds no query per rule; a test holds
  ``holds`` equal to ``q()`` for every person, patient and scope.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db.models import DateTimeField, Q, QuerySet, Value
from django.utils import timezone

from stepwell.core.kept import KeptRows
from stepwell.patients.models import CareTeamMember, Episode, Patient

# Set while some patients' place in a scope is asked (patient_in_scope, patients_in_scope):
# the subqueries that build patient scopes then read only those patients' rows.
_patients_asked: ContextVar[tuple[int, ...] | None] = ContextVar(
    "access_patients_asked", default=None
)

NO_PATIENT = Q(pk__in=[])


@contextmanager
def about_patients(patient_ids) -> Iterator[None]:
    """Within it, patient scopes are built for asking about these patients only."""
    ids = tuple(sorted({int(pid) for pid in patient_ids if pid is not None}))
    token = _patients_asked.set(ids)
    try:
        yield
    finally:
        _patients_asked.reset(token)


def about_one_patient(patient_id: int | None):
    """about_patients for one patient (none when the id is None: the scope then holds no
    one asked about)."""
    return about_patients([patient_id])


def _of_the_patient_asked(rows: QuerySet) -> QuerySet:
    asked = _patients_asked.get()
    return rows if asked is None else rows.filter(patient_id__in=asked)


def in_programs(program_ids) -> Q:
    """Patients with an episode in one of the programs. A subquery, not a join: no join
    fans the patients out, so the database uses its indexes whatever the clinic's size."""
    episodes = _of_the_patient_asked(Episode.objects.filter(program_id__in=program_ids))
    return Q(pk__in=episodes.values("patient_id"))


def on_care_team(user) -> Q:
    """Patients whose care team the user is on (a subquery, as in_programs)."""
    members = _of_the_patient_asked(CareTeamMember.objects.filter(user=user))
    return Q(pk__in=members.values("patient_id"))


def _emergency_grants(now=None):
    """Emergency access that has not expired (at ``now``, a time or a query's value)."""
    from stepwell.consent.models import BreakGlassGrant

    return BreakGlassGrant.objects.filter(expires_at__gt=timezone.now() if now is None else now)


def emergency_access_patient_ids(user) -> QuerySet:
    """Patients the user opened with emergency access that has not expired yet."""
    grants = _emergency_grants().filter(user_id=user.pk)
    return _of_the_patient_asked(grants).values("patient_id")


@dataclass(frozen=True)
class PatientFacts:
    """What every way in asks of one patient."""

    program_ids: frozenset[int]  # of the patient's episodes, in any state
    care_team_ids: frozenset[int]  # the users on its care team
    emergency_ids: frozenset[int]  # the users with unexpired emergency access
    account_id: int | None  # the patient's own login, if any


_EPISODE, _TEAM, _EMERGENCY, _ACCOUNT = "episode", "team", "emergency", "account"
_FACTS = "access_facts"


def _union(patients, now, *, accounts: bool) -> QuerySet:
    """The UNION ALL of the ways in for the patients ``patients(key)`` filters: (way,
    patient id, the program or user id it names); with ``accounts``, each patient's own
    login too. Emergency access counts while it has not expired at ``now``."""
    ways = [
        (_EPISODE, Episode.objects, "patient_id", "program_id"),
        (_TEAM, CareTeamMember.objects, "patient_id", "user_id"),
        (_EMERGENCY, _emergency_grants(now), "patient_id", "user_id"),
    ]
    if accounts:
        ways.append((_ACCOUNT, Patient.objects, "pk", "user_id"))
    first, *others = (
        rows.filter(**patients(key)).order_by().values_list(Value(way), key, column)
        for way, rows, key, column in ways
    )
    return first.union(*others, all=True)


# One patient's ways in: the query every record check of a patient's record asks, kept
# compiled (stepwell/core/kept.py).
# The emergency access open on one patient: asked with the chart's rows (facts_of), kept
# compiled too. (The model names the database read; the grants' own is imported late,
# as _emergency_grants does: the consent app imports this module.)
_ONE_PATIENTS_GRANTS = KeptRows(
    Patient,
    lambda patient, now: _emergency_grants(now).filter(patient_id=patient).values_list("user_id"),
    patient=Patient._meta.pk,
    now=DateTimeField(),
)
_ONE_PATIENT = KeptRows(
    Episode,
    lambda patient, now: _union(lambda key: {key: patient}, now, accounts=False),
    patient=Patient._meta.pk,
    now=DateTimeField(),
)


def _gathered(rows) -> dict[int, dict[str, set]]:
    found: dict[int, dict[str, set]] = {}
    for way, patient_id, value in rows:
        found.setdefault(patient_id, {_EPISODE: set(), _TEAM: set(), _EMERGENCY: set()})
        found[patient_id].setdefault(way, set()).add(value)
    return found


def _ways_of(patient_ids, *, accounts: bool) -> dict[int, dict[str, set]]:
    """For each patient, the ids each way in names (its episodes' programs, its care team,
    who holds emergency access, and with ``accounts`` its own login), in one query: a
    UNION ALL of the tables. A patient that is not stored is left out when ``accounts``."""
    rows = _union(lambda key: {f"{key}__in": patient_ids}, timezone.now(), accounts=accounts)
    return _gathered(rows)


def _ways_of_one(patient_id: int | None) -> dict[str, set]:
    """_ways_of for one patient, with the query kept compiled (none for a patient not
    saved yet, as the ORM's query finds none)."""
    if patient_id is None:
        return {}
    rows = _ONE_PATIENT.rows(patient=patient_id, now=timezone.now())
    return _gathered(rows).get(patient_id, {})


def _facts(ways: dict[str, set], account_id: int | None) -> PatientFacts:
    return PatientFacts(
        program_ids=frozenset(ways.get(_EPISODE, ())),
        care_team_ids=frozenset(ways.get(_TEAM, ())),
        emergency_ids=frozenset(ways.get(_EMERGENCY, ())),
        account_id=account_id,
    )


def facts_of(patient: Patient) -> PatientFacts:
    """The patient's facts, read in one query; or, when the patient was loaded with its
    episodes and care team (``prefetch_related("episodes", "care_team")``, as the chart
    loads it), from those rows and one query for emergency access, then kept with them on
    the instance (as current as the rows prefetched with it), so the other rules a page
    asks of it read nothing again."""
    loaded = getattr(patient, "_prefetched_objects_cache", {})
    prefetched = "episodes" in loaded and "care_team" in loaded
    if prefetched and _FACTS in loaded:
        return loaded[_FACTS]
    if prefetched:
        ways = {
            _EPISODE: {episode.program_id for episode in loaded["episodes"]},
            _TEAM: {member.user_id for member in loaded["care_team"]},
            _EMERGENCY: {
                user_id
                for (user_id,) in _ONE_PATIENTS_GRANTS.rows(patient=patient.pk, now=timezone.now())
            },
        }
    else:
        ways = _ways_of_one(patient.pk)
    facts = _facts(ways, patient.user_id)
    if prefetched:  # dropped with the rows when Django refreshes or changes them
        loaded[_FACTS] = facts
    return facts


def facts_of_patients(patient_ids) -> dict[int, PatientFacts]:
    """facts_of for a page of patients, in one query; patients not stored are left out."""
    return {
        patient_id: _facts(ways, next(iter(ways[_ACCOUNT])))
        for patient_id, ways in _ways_of(list(patient_ids), accounts=True).items()
        if _ACCOUNT in ways
    }


def facts_for(patient: Patient, conditions) -> PatientFacts:
    """The facts these conditions need: facts_of, or only the patient's own account when
    none reads the patient's rows (a patient asking about their own record reads
    nothing more)."""
    if any(condition.reads_rows for condition in conditions):
        return facts_of(patient)
    return PatientFacts(frozenset(), frozenset(), frozenset(), patient.user_id)


class PatientCondition:
    """A way into a patient scope, or a combination of them."""

    reads_rows = True  # whether holds() needs the patient's episodes, team or grants

    def q(self) -> Q:
        raise NotImplementedError

    def holds(self, facts: PatientFacts) -> bool:
        raise NotImplementedError

    def holds_for(self, patient: Patient) -> bool:
        """holds() for a patient already read: its facts are read as this condition needs
        (nothing when it reads no rows)."""
        return self.holds(facts_for(patient, [self]))

    def __or__(self, other: PatientCondition) -> PatientCondition:
        if isinstance(self, Nobody):
            return other
        if isinstance(other, Nobody):
            return self
        return AnyOf((self, other))

    def __and__(self, other: PatientCondition) -> PatientCondition:
        if isinstance(self, Nobody) or isinstance(other, Nobody):
            return NOBODY
        return AllOf((self, other))


@dataclass(frozen=True)
class Nobody(PatientCondition):
    reads_rows = False

    def q(self) -> Q:
        return NO_PATIENT

    def holds(self, facts: PatientFacts) -> bool:
        return False

    def holds_for(self, patient: Patient) -> bool:
        return False


NOBODY = Nobody()


@dataclass(frozen=True)
class InPrograms(PatientCondition):
    program_ids: frozenset[int]

    def q(self) -> Q:
        return in_programs(self.program_ids)

    def holds(self, facts: PatientFacts) -> bool:
        return not self.program_ids.isdisjoint(facts.program_ids)


def patients_where(condition: PatientCondition) -> QuerySet[Patient]:
    """The patients meeting ``condition``, as a queryset for lists (none when it lets no
    one in), distinct as the scopes built on it have always been."""
    if condition is NOBODY:
        return Patient.objects.none()
    return Patient.objects.filter(condition.q()).distinct()


def in_any_of(program_ids) -> PatientCondition:
    """InPrograms, or Nobody when there are no programs."""
    return InPrograms(frozenset(program_ids)) if program_ids else NOBODY


@dataclass(frozen=True)
class OnCareTeam(PatientCondition):
    user: object

    def q(self) -> Q:
        return on_care_team(self.user)

    def holds(self, facts: PatientFacts) -> bool:
        return self.user.pk in facts.care_team_ids


@dataclass(frozen=True)
class EmergencyAccess(PatientCondition):
    user: object

    def q(self) -> Q:
        return Q(pk__in=emergency_access_patient_ids(self.user))

    def holds(self, facts: PatientFacts) -> bool:
        return self.user.pk in facts.emergency_ids


@dataclass(frozen=True)
class OwnRecord(PatientCondition):
    user: object
    reads_rows = False

    def q(self) -> Q:
        return Q(user=self.user)

    def holds(self, facts: PatientFacts) -> bool:
        return facts.account_id is not None and facts.account_id == self.user.pk


@dataclass(frozen=True)
class _Combination(PatientCondition):
    parts: tuple[PatientCondition, ...]
    _join = staticmethod(or_)  # how the database filters combine
    _answer = staticmethod(any)  # how the one-patient answers combine

    @property
    def reads_rows(self) -> bool:  # type: ignore[override]
        return any(part.reads_rows for part in self.parts)

    def q(self) -> Q:
        return reduce(self._join, (part.q() for part in self.parts))

    def holds(self, facts: PatientFacts) -> bool:
        return self._answer(part.holds(facts) for part in self.parts)


class AnyOf(_Combination):
    """In when one of the parts lets the patient in."""


class AllOf(_Combination):
    """In when every part lets the patient in."""

    _join = staticmethod(and_)
    _answer = staticmethod(all)
