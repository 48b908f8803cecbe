"""Who the matrix acts as, and the few rules the expectations are written with.

The facts mirror stepwell/testing/matrix_clinic.py: which roles each person holds in
which program, who is on which care team, who wrote which record. The rules read those
facts the way the README's "Who sees what" and the access docstrings state them, with
roles per program:
- a clinician, prescriber or nurse sees the patients of the programs where they hold that
  role, and the patients whose care team they are on;
- an intake coordinator or a director sees the patients of the programs where they hold
  that role; billing sees the billing fields of its programs' patients;
- an administrator configures the clinic and reads no clinical content;
- a patient sees only themselves; Django's is_staff/is_superuser grant nothing.
A rule allows one person on one record; the expectations combine them per route.
"""

from __future__ import annotations

from dataclasses import dataclass

from stepwell.accounts.models import Role

CLINICIAN, PRESCRIBER, NURSE = Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE
INTAKE, DIRECTOR, BILLING = Role.INTAKE_COORDINATOR, Role.PROGRAM_DIRECTOR, Role.BILLING
CLINICAL = (CLINICIAN, PRESCRIBER, NURSE)
PROGRAM_WIDE = (*CLINICAL, INTAKE, DIRECTOR)

# The people the matrix acts as, in the order the report lists them.
ROLES = (
    "clinician",  # clinician of program A, on Avery's care team
    "clinician_other",  # clinician of program B
    "team_clinician",  # clinician of program B, on Avery's care team (program A)
    "prescriber",  # prescriber (MD) of program A, on Avery's care team
    "nurse",  # nurse of program A
    "intake",  # intake coordinator of program A
    "director",  # program director of A
    "director_elsewhere",  # program director of B who is a nurse in A
    "billing",  # billing of program A
    "administrator",  # the administrator role (clinic setup)
    "patient",  # Avery, a patient of A
    "other_patient",  # Blake, a patient of B
    "anonymous",
    "superuser",  # Django is_staff and is_superuser, no Stepwell role
)
PORTAL_USERS = {"patient": "A", "other_patient": "B"}

GRANTS: dict[str, frozenset[tuple[str, str | None]]] = {
    "clinician": frozenset({(CLINICIAN, "A")}),
    "clinician_other": frozenset({(CLINICIAN, "B")}),
    "team_clinician": frozenset({(CLINICIAN, "B")}),
    "prescriber": frozenset({(PRESCRIBER, "A")}),
    "nurse": frozenset({(NURSE, "A")}),
    "intake": frozenset({(INTAKE, "A")}),
    "director": frozenset({(DIRECTOR, "A")}),
    "director_elsewhere": frozenset({(DIRECTOR, "B"), (NURSE, "A")}),
    "billing": frozenset({(BILLING, "A")}),
    "administrator": frozenset({(Role.ADMINISTRATOR, None)}),
    "superuser": frozenset(),
    # people the records need who are not columns of the matrix
    "counsellor": frozenset({(CLINICIAN, "A")}),
    "counsellor_b": frozenset({(CLINICIAN, "B")}),
    "director_b": frozenset({(DIRECTOR, "B")}),
    "prescriber_b": frozenset({(PRESCRIBER, "B")}),
    "intake_b": frozenset({(INTAKE, "B")}),
}
# Credentials that practise independently (STEPWELL_INDEPENDENT_CREDENTIALS).
INDEPENDENT = {
    "clinician",
    "clinician_other",
    "team_clinician",
    "prescriber",
    "director",
    "director_elsewhere",
    "director_b",
    "prescriber_b",
}

# Patients: key -> program key; their care teams; their portal logins.
PROGRAM_OF = {"A": "A", "A2": "A", "B": "B", "Ad": "A", "Bd": "B", "RA": "A", "RB": "B"}
CARE_TEAM = {
    "A": {"clinician", "team_clinician", "prescriber"},
    "A2": {"counsellor"},
    "B": {"clinician_other"},
    "Ad": {"clinician"},
    "Bd": {"clinician_other"},
    "RA": set(),
    "RB": set(),
}
# The author of each patient's records (draft note, group notes' facilitator, plans).
AUTHOR = {"A": "clinician", "A2": "counsellor", "B": "clinician_other", "Ad": "clinician"}
AUTHOR |= {"Bd": "clinician_other"}
FACILITATOR = {"A": "clinician", "B": "clinician_other"}  # of each program's groups


def holds(person: str, role: str, program: str | None) -> bool:
    return (role, program) in GRANTS.get(person, frozenset())


def holds_anywhere(person: str, role: str) -> bool:
    return any(r == role for r, _ in GRANTS.get(person, frozenset()))


def is_staff(person: str) -> bool:
    return person in GRANTS


def sees_chart(person: str, patient: str) -> bool:
    """patients_visible_to, per program."""
    if person in PORTAL_USERS:
        return PORTAL_USERS[person] == patient
    program = PROGRAM_OF[patient]
    if any(holds(person, role, program) for role in PROGRAM_WIDE):
        return True
    on_team = person in CARE_TEAM[patient]
    return on_team and any(holds_anywhere(person, role) for role in CLINICAL)


# -- rules ----------------------------------------------------------------------------------


class Rule:
    """Whether a person may act on the record with the given key."""

    def allows(self, person: str, key: str) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def __or__(self, other: Rule) -> Rule:
        return Either(self, other)


@dataclass(frozen=True)
class Either(Rule):
    first: Rule
    second: Rule

    def allows(self, person: str, key: str) -> bool:
        return self.first.allows(person, key) or self.second.allows(person, key)


@dataclass(frozen=True)
class Chart(Rule):
    """Staff holding one of `roles` in the patient's program, or (for the clinical roles
    among them) holding it anywhere while on the patient's care team."""

    roles: tuple[str, ...] = PROGRAM_WIDE
    care_team: bool = True

    def allows(self, person: str, key: str) -> bool:
        if person in PORTAL_USERS or not is_staff(person):
            return False
        if any(holds(person, role, PROGRAM_OF[key]) for role in self.roles):
            return True
        if not (self.care_team and person in CARE_TEAM[key]):
            return False
        return any(role in CLINICAL and holds_anywhere(person, role) for role in self.roles)


@dataclass(frozen=True)
class Own(Rule):
    """The patient themselves, on the portal."""

    def allows(self, person: str, key: str) -> bool:
        return PORTAL_USERS.get(person) == key


@dataclass(frozen=True)
class InProgram(Rule):
    """Staff holding one of `roles` in the program (the key is a program's, or a
    patient's whose program counts)."""

    roles: tuple[str, ...]

    def allows(self, person: str, key: str) -> bool:
        program = PROGRAM_OF.get(key, key)
        return any(holds(person, role, program) for role in self.roles)


@dataclass(frozen=True)
class OnCareTeam(Rule):
    def allows(self, person: str, key: str) -> bool:
        return is_staff(person) and person in CARE_TEAM[key]


@dataclass(frozen=True)
class Author(Rule):
    """The record's author (who must still see the chart)."""

    authors: dict

    def allows(self, person: str, key: str) -> bool:
        return self.authors.get(key) == person and sees_chart(person, key)


@dataclass(frozen=True)
class Facilitator(Rule):
    """The facilitator of the program's groups."""

    def allows(self, person: str, key: str) -> bool:
        return FACILITATOR.get(PROGRAM_OF.get(key, key)) == person


@dataclass(frozen=True)
class Person(Rule):
    """Named people whatever the record (a staff member's own page, for example)."""

    people: frozenset

    def allows(self, person: str, key: str) -> bool:
        return person in self.people


STAFF_ROLE_KEYS = frozenset(r for r in ROLES if r in GRANTS and r != "superuser")


def staff() -> Person:
    """Any member of staff with a Stepwell role."""
    return Person(STAFF_ROLE_KEYS)


def portal_users() -> Person:
    return Person(frozenset(PORTAL_USERS))


# Reasons the code disagrees with the rules today, shared by many entries.
EMPTY_LIST = "an empty list (200) instead of the refusal the matching page gives"
