"""Asking whether one patient is in a scope gives the scope's own answer, for everyone.

The same for a scope's condition answered in Python from the patient's facts
(privacy.access.conditions), which the chart's links and sections use.

patient_in_scope and patient_from_scope narrow each way into a patient scope (the
programs' episodes, the care teams, emergency access) to the one patient asked about, so
the database looks that patient up instead of hashing every episode of the user's
programs. The answer must be exactly `scope(user).filter(pk=...).exists()`, for every
person, patient and scope; and the narrowing must not outlive the question.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stepwell.care.models import ClinicalNote
from stepwell.clinic.models import Program
from stepwell.consent.models import BreakGlassGrant
from stepwell.consent.services.break_glass import break_glass_open
from stepwell.core.errors import AccessDenied
from stepwell.meds.models import DrugTest
from stepwell.patients.models import CareTeamMember, CareTeamRole, Episode, Patient
from stepwell.privacy import access
from stepwell.privacy.access.chart import chart_links
from stepwell.privacy.access.conditions import facts_of, facts_of_patients
from stepwell.privacy.access.discharge import (
    DischargeNeed,
    access_discharge,
    discharge_condition,
    discharge_patients_visible_to,
)
from stepwell.privacy.access.intake import access_availability_edit
from stepwell.privacy.access.measures import (
    access_administration_record,
    access_alerts_see,
    access_measures_read,
    alert_condition,
    alert_patients_visible_to,
    measures_patients_visible_to,
    measures_rights,
    recording_condition,
    recording_patients_visible_to,
)
from stepwell.privacy.access.meds import (
    MedsNeed,
    access_meds,
    drug_tests_of,
    drug_tests_visible_to,
    meds_condition,
    meds_patients_visible_to,
    meds_rights,
)
from stepwell.privacy.access.milestones import (
    access_milestones_write,
    milestone_patients_written_by,
)
from stepwell.privacy.access.notes import (
    MEDICATION_NOTE_ROLES,
    NOTE_WRITE_ROLES,
    PSYCHOTHERAPY_ROLES,
    NoteNeed,
    access_hours_read,
    access_note_write,
    access_notes_read,
    access_psychotherapy_note_write,
    hours_condition,
    note_allowed,
    notes_condition,
    notes_visible_to,
    patients_hours_visible_to,
    patients_in_role,
    patients_notes_visible_to,
    role_condition,
)
from stepwell.privacy.access.patients import PatientNeed
from stepwell.privacy.access.predicates import (
    CLINICAL_ROLES,
    is_patient_user,
    is_staff_member,
    programs_with,
)
from stepwell.privacy.access.schedule import (
    FEED_ROLES,
    access_patient_feed_manage,
    access_patient_schedule_read,
    feed_condition,
    patients_feed_manageable_by,
)
from stepwell.privacy.audit import AuditOutcome
from stepwell.privacy.models import AuditEvent
from stepwell.testing.people import CLINIC_PEOPLE

PEOPLE = CLINIC_PEOPLE
SCOPES = (
    (access.patients_visible_to, ()),
    (access.patients_billing_visible_to, ()),
    (patients_notes_visible_to, ()),
    (patients_hours_visible_to, ()),
    (patients_in_role, CLINICAL_ROLES),
    (measures_patients_visible_to, ()),
    (recording_patients_visible_to, ()),
    (alert_patients_visible_to, ()),
    (meds_patients_visible_to, ()),
)


@pytest.fixture
def wider(clinic):
    """More ways in: a care-team member of another program's patient, and emergency
    access opened by program A's director to program B's patient."""
    CareTeamMember.objects.get_or_create(
        patient=clinic.patient_b, user=clinic.nurse_a, defaults={"team_role": CareTeamRole.NURSE}
    )
    break_glass_open(
        actor=clinic.director_a,
        record_number=clinic.patient_b.mrn,
        reason="Crisis call from the emergency department tonight.",
    )
    return clinic


def test_one_patient_asked_gets_the_scope_answer_for_everyone(wider):
    patients = list(Patient.objects.order_by("pk"))
    assert len(patients) >= 3
    checked = 0
    for who in PEOPLE:
        user = getattr(wider, who)
        for scope, roles in SCOPES:
            whole = set(scope(user, *roles).values_list("pk", flat=True))
            for patient in patients:
                asked = access.patient_in_scope(patient.pk, scope, user, *roles)
                assert asked == (patient.pk in whole), (who, scope.__name__, patient)
                fetched = access.patient_from_scope(patient.pk, scope, user, *roles)
                assert (fetched is not None) == asked
                checked += 1
            some = [p.pk for p in patients[::2]] + [10**9]  # and one that does not exist
            listed = set(access.patients_in_scope(some, scope, user, *roles))
            assert listed == whole & set(some), (who, scope.__name__)
        rights = measures_rights(user, wider.patient_b)
        assert rights.read == access.patient_in_scope(
            wider.patient_b.pk, measures_patients_visible_to, user
        )
    assert checked == len(PEOPLE) * len(SCOPES) * len(patients)
    # emergency access and a care team of another program are among the ways in
    assert access.patient_in_scope(wider.patient_b.pk, access.patients_visible_to, wider.director_a)
    assert access.patient_in_scope(wider.patient_b.pk, access.patients_visible_to, wider.nurse_a)


def test_the_question_reads_only_the_patient_asked_about(clinic):
    with CaptureQueriesContext(connection) as queries:
        assert access.patient_in_scope(
            clinic.patient_a.pk, access.patients_visible_to, clinic.director_a
        )
    (query,) = [q["sql"] for q in queries.captured_queries if "patients_episode" in q["sql"]]
    assert f'"patient_id" IN ({clinic.patient_a.pk})' in query


def test_a_page_of_patients_reads_only_its_own_rows(clinic):
    asked = [clinic.patient_a.pk, clinic.team_patient_b.pk]
    with CaptureQueriesContext(connection) as queries:
        listed = set(
            access.patients_in_scope(asked, access.patients_visible_to, clinic.clinician_a)
        )
    assert listed == set(asked)
    (query,) = [q["sql"] for q in queries.captured_queries if "patients_patient" in q["sql"]]
    assert query.count(f"IN ({min(asked)}, {max(asked)})") >= 3  # each way in, and the page


def test_the_narrowing_ends_with_the_question(clinic):
    assert (
        access.patient_from_scope("not a number", access.patients_visible_to, clinic.director_a)
        is None
    )
    with access.about_one_patient(clinic.patient_a.pk):
        narrowed = set(access.patients_visible_to(clinic.clinician_a).values_list("pk", flat=True))
    whole = set(access.patients_visible_to(clinic.clinician_a).values_list("pk", flat=True))
    assert narrowed == {clinic.patient_a.pk}
    assert whole == {clinic.patient_a.pk, clinic.team_patient_b.pk}


CONDITIONS = (
    (access.patients_visible_to, access.patient_condition, ()),
    (access.patients_billing_visible_to, access.billing_condition, ()),
    (patients_notes_visible_to, notes_condition, ()),
    (patients_hours_visible_to, hours_condition, ()),
    (patients_in_role, role_condition, CLINICAL_ROLES),
    (recording_patients_visible_to, recording_condition, ()),
    (alert_patients_visible_to, alert_condition, ()),
    *((meds_patients_visible_to, meds_condition, (need,)) for need in MedsNeed),
    *((discharge_patients_visible_to, discharge_condition, (need,)) for need in DischargeNeed),
    (patients_feed_manageable_by, feed_condition, ()),
)

# Each boolean rule (what a page offers for one patient) and the scope it answers for.
BOOLEAN_RULES = (
    (access.access_patient_chart, access.patients_visible_to, ()),
    (access_patient_schedule_read, access.patients_visible_to, ()),
    (access.access_patient_billing, access.patients_billing_visible_to, ()),
    (access_notes_read, patients_notes_visible_to, ()),
    (access_hours_read, patients_hours_visible_to, ()),
    (access_measures_read, measures_patients_visible_to, ()),
    (access_administration_record, recording_patients_visible_to, ()),
    (access_alerts_see, alert_patients_visible_to, ()),
    (access_patient_feed_manage, patients_feed_manageable_by, ()),
    (access_milestones_write, milestone_patients_written_by, ()),
    *((access_meds, meds_patients_visible_to, (need,)) for need in MedsNeed),
    *((access_discharge, discharge_patients_visible_to, (need,)) for need in DischargeNeed),
)


def test_each_boolean_rule_is_its_scopes_answer(wider):
    """A page's rules, answered from the patient's facts, say what the lists say: the
    patient is in the rule's scope, for every person and patient."""
    patients = list(Patient.objects.order_by("pk"))
    for who in PEOPLE:
        user = getattr(wider, who)
        for rule, scope, args in BOOLEAN_RULES:
            whole = set(scope(user, *args).values_list("pk", flat=True))
            for patient in patients:
                fresh = Patient.objects.get(pk=patient.pk)
                assert rule(user, fresh, *args) == (patient.pk in whole), (who, rule, patient)
        for kind, roles in (
            ("individual", NOTE_WRITE_ROLES),
            ("medication", MEDICATION_NOTE_ROLES),
        ):
            writers = set(patients_in_role(user, *roles).values_list("pk", flat=True))
            for patient in patients:
                assert access_note_write(user, patient, kind) == (patient.pk in writers)
        therapists = set(patients_in_role(user, *PSYCHOTHERAPY_ROLES).values_list("pk", flat=True))
        for patient in patients:
            assert access_psychotherapy_note_write(user, patient) == (patient.pk in therapists)


def _feed_scope_as_it_was(user):
    """Who could manage a patient's calendar feed, as the scope was written before it was
    a condition (a patient's own; else of the patients whose chart the user reads, those
    in a program where the user holds a feed role, and a clinician's care-team patients)."""
    from django.db.models import Q

    from stepwell.accounts.models import Role

    if is_patient_user(user):
        return Patient.objects.filter(user=user)
    if not is_staff_member(user):
        return Patient.objects.none()
    scope = Q(pk__in=[])
    program_ids = programs_with(user, *FEED_ROLES)
    if program_ids:
        scope |= Q(episodes__program_id__in=program_ids)
    if programs_with(user, Role.CLINICIAN):
        scope |= Q(care_team__user=user)
    return access.patients_visible_to(user).filter(scope)


def test_the_feed_scope_as_a_condition_lets_in_whom_it_did(wider):
    for who in PEOPLE:
        user = getattr(wider, who)
        before = set(_feed_scope_as_it_was(user).values_list("pk", flat=True))
        now = set(patients_feed_manageable_by(user).values_list("pk", flat=True))
        assert now == before, who
    assert set(patients_feed_manageable_by(wider.clinician_a).values_list("pk", flat=True))


def test_a_condition_answered_from_the_facts_is_the_scope_answer(wider):
    """Each scope's condition, answered in Python from the patient's facts (read in one
    query, or from the rows prefetched with the patient), gives the database's answer
    for every person, patient and scope; patient_meets asks them all with no more
    queries."""
    BreakGlassGrant.objects.create(  # an expired grant lets no one in
        user=wider.clinician_b,
        patient=wider.patient_a,
        reason="Old emergency.",
        opened_at=timezone.now() - timedelta(hours=3),
        expires_at=timezone.now() - timedelta(hours=2),
    )
    stored = list(Patient.objects.order_by("pk"))
    for who in PEOPLE:
        user = getattr(wider, who)
        conditions = {
            f"c{n}": condition(user, *args) for n, (_, condition, args) in enumerate(CONDITIONS)
        }
        for patient in [*stored, Patient(pk=10**9)]:  # and one not stored
            alone = {
                name: access.patient_in_scope(patient.pk, scope, user, *args)
                for name, (scope, _, args) in zip(conditions, CONDITIONS, strict=True)
            }
            fresh = Patient(pk=patient.pk, user_id=patient.user_id)
            with CaptureQueriesContext(connection) as queries:
                assert access.patient_meets(fresh, conditions) == alone, (who, patient.pk)
            reads = any(condition.reads_rows for condition in conditions.values())
            assert len(queries) == int(reads), who  # the facts in one query, if any is read
            for name, condition in conditions.items():  # a page's record fetched so
                met = access.patient_meeting(patient.pk, condition)
                assert (met is not None) == alone[name], (who, name, patient.pk)
                assert met is None or met.pk == patient.pk
            loaded = Patient.objects.prefetch_related("episodes", "care_team").filter(pk=patient.pk)
            for row in loaded:
                assert access.patient_meets(row, conditions) == alone, (who, patient.pk)
                # from the rows and the patient's emergency access, as from the one query
                assert facts_of(row) == facts_of(Patient(pk=row.pk, user_id=row.user_id))
                with CaptureQueriesContext(connection) as queries:
                    assert access.patient_meets(row, conditions) == alone
                assert len(queries) == 0, who  # the facts are kept with the rows
    assert access.patient_meets(wider.patient_a, {}) == {}
    for not_an_id in ("not a number", "", None, -1, 10**30):
        assert access.patient_meeting(not_an_id, access.patient_condition(wider.director_a)) is None
    # emergency access and a care team of another program are among the ways in
    facts = facts_of(wider.patient_b)
    assert wider.director_a.pk in facts.emergency_ids
    assert wider.nurse_a.pk in facts.care_team_ids
    assert wider.clinician_b.pk not in facts_of(wider.patient_a).emergency_ids
    # One patient's facts (a query kept compiled) are what a page of patients reads
    # (the ORM's query of the same rows, built each time).
    page = facts_of_patients([patient.pk for patient in stored])
    for patient in stored:
        assert facts_of(Patient(pk=patient.pk, user_id=patient.user_id)) == page[patient.pk]
    assert facts_of(Patient()) == facts_of(Patient(pk=10**9))  # not saved: no way in


def test_the_kept_facts_go_with_the_rows_they_came_from(wider):
    """Facts kept with a prefetched patient are dropped when Django drops those rows (a
    change through the relation, a refresh): a rule asked after a change sees it."""
    patient = Patient.objects.prefetch_related("episodes", "care_team").get(pk=wider.patient_a.pk)
    condition = {"team": access.patient_condition(wider.clinician_b)}
    assert access.patient_meets(patient, condition) == {"team": False}
    patient.care_team.create(user=wider.clinician_b, team_role=CareTeamRole.CLINICIAN)
    assert access.patient_meets(patient, condition) == {"team": True}
    CareTeamMember.objects.filter(patient=patient, user=wider.clinician_b).delete()
    patient.refresh_from_db()
    assert access.patient_meets(patient, condition) == {"team": False}


CHART_RULES = {
    "notes": access_notes_read,
    "hours": access_hours_read,
    "availability": access_availability_edit,
    "meds": access_meds,
}


def test_the_chart_asks_its_rules_together_and_gets_each_rule_answer(wider):
    """The chart's links (one query for three scope rules) and its forms (read from the
    episodes and care team prefetched with the patient) answer as the rules asked alone on
    a freshly read patient."""
    for who in PEOPLE:
        user = getattr(wider, who)
        for patient in Patient.objects.order_by("pk"):
            expected = frozenset(name for name, rule in CHART_RULES.items() if rule(user, patient))
            assert chart_links(user, patient) == expected, (who, patient.pk)
            fresh = Patient.objects.get(pk=patient.pk)
            loaded = Patient.objects.prefetch_related("episodes", "care_team").get(pk=patient.pk)
            with CaptureQueriesContext(connection) as queries:
                from_loaded = (
                    access.access_care_team_edit(user, loaded),
                    access.access_patient_details_edit(user, loaded),
                    access_availability_edit(user, loaded),
                )
            assert len(queries) <= 1, who  # the user's roles, once; no episode or team read
            assert from_loaded == (
                access.access_care_team_edit(user, fresh),
                access.access_patient_details_edit(user, fresh),
                access_availability_edit(user, fresh),
            ), (who, patient.pk)


def test_the_medication_section_asks_its_rules_together(wider):
    """meds_rights (every need in one query) and drug_tests_of (the tests read through a
    scope narrowed to the patient) answer as the rules asked alone."""
    for patient, episode, program in (
        (wider.patient_a, wider.episode_a, wider.program_a),
        (wider.patient_b, wider.episode_b, wider.program_b),
    ):
        DrugTest.objects.create(
            patient=patient,
            episode=episode,
            program=program,
            method="laboratory",
            reason="clinical",
            panel=["cocaine"],
            scheduled_on=date(2026, 11, 2),
            ordered_by=wider.prescriber_a,
        )
    Program.objects.filter(pk=wider.program_b.pk).update(part2_program=False)
    seen = 0
    for who in PEOPLE:
        user = getattr(wider, who)
        for patient in Patient.objects.order_by("pk"):
            rights = meds_rights(user, patient)
            assert rights == {need: access_meds(user, patient, need) for need in MedsNeed}, who
            mine = set(drug_tests_of(user, patient))
            assert mine == set(drug_tests_visible_to(user).filter(patient=patient)), who
            seen += len(mine)
    assert seen  # some people read some tests


def test_a_scope_put_on_the_episodes_patient_selects_the_same_episodes(wider):
    """patient_scope_of puts a patient scope on another model's patient (the caseload
    filters episodes so): the same rows as going through the patients."""
    for who in PEOPLE:
        user = getattr(wider, who)
        for scope, patients in (
            (access.patient_scope(user), access.patients_visible_to(user)),
            (access.billing_scope(user), access.patients_billing_visible_to(user)),
        ):
            rooted = set(Episode.objects.filter(access.patient_scope_of(scope)))
            through = set(Episode.objects.filter(patient__in=patients.values("pk")))
            assert rooted == through, who
        visible = set(access.patients_visible_to(user))
        assert visible == set(Patient.objects.filter(access.patient_scope(user))), who
    assert set(Episode.objects.filter(access.patient_scope_of(access.NO_PATIENT))) == set()


def test_a_note_checked_by_id_is_allowed_as_the_notes_scope_allows(wider):
    """access_note_by_id fetches the note, then answers from it and its patient's facts
    (note_allowed): the same answer as notes_visible_to for every person, note and need
    (authors, an absent participant's section, another program's patient, a team
    patient)."""
    ended = timezone.now() - timedelta(days=2)
    made = [
        ClinicalNote.objects.create(
            kind="individual",
            patient=patient,
            author=author,
            started_at=ended - timedelta(minutes=50),
            ended_at=ended,
            plan="Synthetic plan.",
            participant_absent=absent,
        )
        for patient, author, absent in (
            (wider.patient_a, wider.clinician_a, False),
            (wider.patient_a, wider.prescriber_a, True),
            (wider.patient_b, wider.clinician_b, False),
            (wider.team_patient_b, wider.clinician_a, False),
            (wider.patient_b, wider.director_a, True),
        )
    ]
    allowed = 0
    for who in PEOPLE:
        user = getattr(wider, who)
        for need in NoteNeed:
            scope = set(notes_visible_to(user, need).values_list("pk", flat=True))
            for note in made:
                fresh = ClinicalNote.objects.select_related("patient").get(pk=note.pk)
                answer = note_allowed(user, fresh, need)
                assert answer == (note.pk in scope), (who, need, note.pk)
                allowed += answer
    assert allowed  # some people may do something with some notes


def test_a_page_of_patients_meets_each_condition_as_each_scope_lists_them(wider):
    """patients_meet (a page's rows, their facts in one query) lists, for every person and
    scope, the patients patients_in_scope lists, in the order asked, once each."""
    stored = list(Patient.objects.order_by("-pk").values_list("pk", flat=True))
    asked = [*stored, stored[0], 10**9, "not a number"]  # a repeat, one not stored, junk
    for who in PEOPLE:
        user = getattr(wider, who)
        conditions = {
            f"c{n}": condition(user, *args) for n, (_, condition, args) in enumerate(CONDITIONS)
        }
        with CaptureQueriesContext(connection) as queries:
            met = access.patients_meet(asked, conditions)
        assert len(queries) == 1, who
        for name, (scope, _, args) in zip(conditions, CONDITIONS, strict=True):
            listed = set(access.patients_in_scope(stored, scope, user, *args))
            assert met[name] == [pk for pk in stored if pk in listed], (who, name)
    assert access.patients_meet([], {"c": access.patient_condition(wider.director_a)}) == {"c": []}


def test_an_episode_checked_by_id_is_allowed_as_the_patient_scope_allows(wider):
    """access_episode_by_id reads the episode with its patient, then answers from the
    patient's facts: for every person, need and episode (and an id not stored) the answer
    is the scope's, and a refusal is audited against the episode's patient."""
    episodes = list(Episode.objects.order_by("pk"))
    scopes = {
        PatientNeed.CHART: access.patients_visible_to,
        PatientNeed.BILLING: access.patients_billing_visible_to,
    }
    outcomes = set()
    for who in PEOPLE:
        user = getattr(wider, who)
        for need, scope in scopes.items():
            allowed = set(scope(user).values_list("pk", flat=True))
            for episode in [*episodes, None]:
                episode_id = episode.pk if episode else 10**9
                last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
                try:
                    got = access.access_episode_by_id(user, episode_id, need=need)
                except AccessDenied:
                    assert episode is None or episode.patient_id not in allowed, (who, need)
                    denied = AuditEvent.objects.filter(seq__gt=last or 0).get()
                    assert denied.outcome == AuditOutcome.DENIED
                    assert denied.patient_id == (episode.patient_id if episode else None)
                    assert denied.object_id == str(episode_id)
                    outcomes.add(False)
                else:
                    assert episode is not None and episode.patient_id in allowed, (who, need)
                    assert got == episode and got.patient.pk == episode.patient_id
                    outcomes.add(True)
    assert outcomes == {True, False}
