"""bench.pages' raw SQL against the pages it stands for, on a small clinic.

The benchmark stops when a caseload's or the plan worklist's raw SQL lists other rows than
the page; here those checks run in the test suite, so a change to a page's rows that the
benchmark does not follow fails a test rather than a benchmark run. PostgreSQL only: the
hand-written SQL is PostgreSQL's."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from bench import pages
from stepwell.care.hours.weekly import ProgramWeek, current_week
from stepwell.patients.models import CareTeamMember, Episode, EpisodeState
from stepwell.plans.selectors import plan_worklist
from stepwell.plans.selectors.due_queries import ProgramDays
from stepwell.plans.services.versions import plan_create
from stepwell.privacy.models import (
    AuditChainHead,
    AuditEvent,
    AuditEventPatient,
    AuditEventProgram,
)
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic():
    """A program of twelve admitted patients (four named Adams) on one clinician's care
    team, each with a draft plan; one of them also referred to another program, and a
    patient of that other program on the clinician's care team: a caseload lists every
    open episode of the patients in the user's scope, not the program's episodes."""
    program, other = ProgramFactory(), ProgramFactory()
    director = UserFactory(roles=["program_director"], programs=[program])
    clinician = UserFactory(roles=["clinician"], programs=[program])
    episodes = []
    for n in range(12):
        episode = EpisodeFactory(
            program=program,
            state=EpisodeState.ADMITTED,
            admitted_on=date(2026, 10, 5),
            patient__legal_last_name=f"Adams {n}" if n % 3 == 0 else f"Baker {n}",
        )
        CareTeamMember.objects.create(
            patient=episode.patient, user=clinician, team_role="primary_clinician"
        )
        plan_create(actor=clinician, episode_id=episode.pk)
        episodes.append(episode)
    EpisodeFactory(program=other, patient=episodes[0].patient, state=EpisodeState.REFERRED)
    elsewhere = EpisodeFactory(program=other, state=EpisodeState.ADMITTED)
    CareTeamMember.objects.create(
        patient=elsewhere.patient, user=clinician, team_role="primary_clinician"
    )
    return {"program": program, "director": director, "clinician": clinician, "episodes": episodes}


def _cases(clinic):
    program = clinic["program"]
    week = ProgramWeek.of(program, current_week(program, timezone.now()))
    days = ProgramDays.of(Episode.objects.filter(program=program))
    users = {"director": clinic["director"], "clinician": clinic["clinician"]}
    patient = clinic["episodes"][0].patient_id
    return users, pages._cases(users, [program.pk], patient, week, "Adams", days)


def test_the_raw_sql_lists_the_rows_of_the_caseloads_and_the_worklist(on_postgres, clinic):
    users, cases = _cases(clinic)
    assert len(plan_worklist(user=clinic["director"])) == 12  # the first plans due
    pages._check_caseloads(users, cases)  # stops the run (SystemExit) on other rows
    pages._check_worklist(clinic["director"], cases)
    caseload = next(case for case in cases if case.label == "caseload, a clinician's")
    with connection.cursor() as cursor:
        cursor.execute(caseload.sql[0])
        listed = {row[0] for row in cursor.fetchall()}
    assert len(listed) == 14  # the program's twelve, the referral elsewhere, the team's
    with connection.cursor() as cursor:  # and every page's raw SQL runs
        for case in cases:
            for sql in case.sql:
                cursor.execute(sql)
                cursor.fetchall()


def test_a_caseloads_raw_sql_in_the_programs_alone_is_caught(on_postgres, clinic):
    """The check is what keeps the raw side honest: the caseload's SQL asked by program
    (as it was before it asked for the user's scope) misses the referral elsewhere."""
    users, cases = _cases(clinic)
    for case in cases:
        if case.label.startswith("caseload"):
            program = clinic["program"].pk
            case.sql[0] = case.sql[0].replace(
                "e.patient_id IN (", f"e.program_id = {program} AND e.patient_id IN (", 1
            )
    with pytest.raises(SystemExit, match="does not list the page's episodes"):
        pages._check_caseloads(users, cases)


def test_the_requests_own_sql_names_the_pages_events_and_leaves_the_trail(on_postgres, clinic):
    client = verified_login(Client(), clinic["director"])

    def page():
        assert client.get("/caseload/").status_code == 200

    own = pages._own_sql(client, page)
    # a staff page asks the safety banner's question; its htmx fragment does not
    assert own[0][len(pages.SIGNED_IN) :] == [pages.BANNER]
    fragment = pages._own_sql(
        client, lambda: client.get("/caseload/", headers={"HX-Request": "true"})
    )
    assert len(fragment[0]) == len(pages.SIGNED_IN)
    appends = own[1:]
    assert len(appends) == 2  # the caseload's list and the measures summary it shows
    # each names the patients shown and links the programs of their episodes
    assert all(len(append) == 4 for append in appends)
    assert all("privacy_auditeventpatient" in append[2] for append in appends)
    assert all("patients_episode" in append[3] for append in appends)

    def trail():
        head = AuditChainHead.objects.get()
        links = AuditEventProgram.objects.count()
        return AuditEvent.objects.count(), AuditEventPatient.objects.count(), links, head.last_seq

    before = trail()
    pages._run_own(own)
    assert trail() == before


def test_the_audit_raw_sql_reads_the_administrators_and_the_directors_pages(on_postgres, clinic):
    """The audit trail's raw SQL reads each review's links as the pages do: the
    administrators' review under the number the app links it under, a director's under
    their programs, filtered or not."""
    from stepwell.accounts.models import Role
    from stepwell.privacy.audit import audit_record
    from stepwell.privacy.models import ADMINISTRATORS_REVIEW
    from stepwell.privacy.selectors import AuditFilter, audit_events_for

    assert pages.ADMIN_REVIEW == ADMINISTRATORS_REVIEW
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    patient = Episode.objects.filter(program=clinic["program"]).first().patient_id
    for who, patient_id, outcome in [
        (clinic["director"], None, "denied"),
        (admin, None, "allowed"),
        (clinic["director"], patient, "denied"),
        (admin, None, "denied"),
    ]:
        audit_record(user=who, action="view", patient_id=patient_id, outcome=outcome)

    def raw(sql: str) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            column = [c.name for c in cursor.description].index("seq")
            return [row[column] for row in cursor.fetchall()]

    def page(user, **criteria) -> list[int]:
        listed = audit_events_for(user=user, criteria=AuditFilter(**criteria))
        return [event.seq for event in listed[0:50]]

    director, programs = clinic["director"], [clinic["program"].pk]
    denied = "a.outcome = 'denied'"
    assert raw(pages.AUDIT[0]) == page(admin)
    assert raw(pages._audit_newest(programs)) == page(director)
    assert raw(pages._audit_filtered(denied, [pages.ADMIN_REVIEW])[0]) == page(
        admin, outcome="denied"
    )
    assert raw(pages._audit_filtered(denied, programs)[0]) == page(director, outcome="denied")
    assert len(page(admin, outcome="denied")) == 2  # the administrator's two, not the others
