"""The matrix can fail: its facts match the clinic it runs on, and each of its judgements
refuses a wrong answer (a wrong status, a leak, a change, a missing audit event, another
author's psychotherapy note, a list that shows too much)."""

from __future__ import annotations

import pytest

from stepwell.care.notes.cosignature import credential_requires_cosign
from stepwell.patients.models import Episode
from stepwell.privacy.audit import audit_record

from .expectations.patients import CHART_READERS, ON_EPISODE, ON_PATIENT
from .facts import (
    CARE_TEAM,
    GRANTS,
    INDEPENDENT,
    PORTAL_USERS,
    PROGRAM_OF,
    Own,
    Person,
)
from .harness import CellFailure, Entry, Sent, judge, keys_to_try, run_cell

pytestmark = pytest.mark.django_db


def test_the_facts_are_the_clinic(world):
    programs = {program.pk: key for key, program in world.programs.items()}
    for person, grants in GRANTS.items():
        user = world.users[person]
        pairs = user.role_assignments.values_list("role", "program_id")
        held = {(role, programs.get(program)) for role, program in pairs}
        assert held == set(grants), person
        if grants and person != "administrator":
            assert (person in INDEPENDENT) != credential_requires_cosign(user), person
    for key, team in CARE_TEAM.items():
        patient = world.patients[key]
        users = {user.username for user in (m.user for m in patient.care_team.all())}
        assert users == {world.users[person].username for person in team}, key
        assert programs[patient.episodes.get().program_id] == PROGRAM_OF[key]
    for person, key in PORTAL_USERS.items():
        assert world.patients[key].user_id == world.users[person].pk


def _sent(world, key="A", status=403, body="", writes=()) -> Sent:
    return Sent(key=key, url="/", status=status, body=body, location="", writes=list(writes))


CHART = Entry("GET", "patients/{patient_id}/", CHART_READERS, on=ON_PATIENT)


def test_an_allowed_read_that_is_refused_fails(world):
    wrong = Entry("GET", "patients/{patient_id}/", Person(frozenset()), on=ON_PATIENT)
    with pytest.raises(CellFailure, match="expected the refusal 403"):
        run_cell(world, wrong, "clinician")


def test_a_write_the_table_allows_but_the_code_refuses_fails(world):
    wrong = Entry(
        "POST",
        "episodes/{episode_id}/transition/",
        Person(frozenset({"nurse"})),
        on=ON_EPISODE,
        data={"to_state": "on_hold", "reason": "Travel"},
        ok=302,
    )
    with pytest.raises(CellFailure, match="expected 302"):
        run_cell(world, wrong, "nurse")


def test_a_refusal_that_names_the_patient_fails(world):
    audit_record(user=world.users["billing"], action="view", outcome="denied", object_type="x")
    with pytest.raises(CellFailure, match="leaks"):
        judge(world, CHART, "billing", _sent(world, body="Avery Alder"), audit_from=0)


def test_a_refusal_without_a_denied_event_fails(world):
    after = world.last_audit_seq()
    with pytest.raises(CellFailure, match="not in the audit trail"):
        judge(world, CHART, "billing", _sent(world), audit_from=after)


def test_a_refused_write_that_changed_a_record_fails(world):
    entry = Entry("POST", "episodes/{episode_id}/transition/", Person(frozenset()), on=ON_EPISODE)
    audit_record(user=world.users["nurse"], action="view", outcome="denied", object_type="x")
    with world.savepoint():
        Episode.objects.filter(pk=world.id_of("episode", "A")).update(state="on_hold")
        sent = _sent(world, writes=["patients_episode"])
        with pytest.raises(CellFailure, match="changed"):
            judge(world, entry, "nurse", sent, audit_from=0)


def test_another_authors_psychotherapy_note_fails_anywhere(world):
    author, text = next(item for item in world.psychotherapy_texts() if item[0] != "clinician")
    sent = _sent(world, status=200, body=f"Avery Alder {text}")
    with pytest.raises(CellFailure, match=f"{author}'s psychotherapy note"):
        judge(world, CHART, "clinician", sent, audit_from=0)


def test_a_list_that_shows_a_patient_out_of_scope_fails(world):
    entry = Entry("GET", "caseload/", Person(frozenset({"clinician"})), lists=("A", "B"))
    entry.listed = CHART_READERS
    sent = _sent(world, key="", status=200, body="Avery Alder, Blake Birch")
    with pytest.raises(CellFailure, match="shows patient B"):
        judge(world, entry, "clinician", sent, audit_from=0)


def test_the_missing_id_is_tried_by_the_first_allowed_of_each_kind(world):
    entry = Entry("GET", "x/{patient_id}/", CHART_READERS | Own(), on=ON_PATIENT)
    assert keys_to_try(world, entry, "clinician") == ["A", "A2", "B", "missing"]
    assert keys_to_try(world, entry, "nurse") == ["A", "A2", "B"]
    assert keys_to_try(world, entry, "patient") == ["A", "A2", "B", "missing"]
    assert keys_to_try(world, entry, "billing") == ["A"]  # refused everywhere: one record
