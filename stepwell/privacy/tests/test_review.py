"""Reviewing the audit trail: who sees which events, what their details show, bad filters."""

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepwell.accounts.models import Role
from stepwell.accounts.tokens import token_create
from stepwell.clinic.models import ProgramStaff
from stepwell.core.kept import KeptKinds
from stepwell.patients.models import Episode
from stepwell.privacy import access
from stepwell.privacy.audit import audit_record
from stepwell.privacy.models import AuditEvent, AuditEventPatient
from stepwell.privacy.selectors import AuditFilter, audit_events_for
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory, UserFactory


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user, name='review').plaintext}"}


def by_rule(user) -> list[int]:
    """The events the user reviews by the rules as written (privacy.access.audit), worked
    out here from the episodes and staff as they are now, newest first."""
    from stepwell.privacy.access.predicates import is_administrator, programs_with

    directed = programs_with(user, Role.PROGRAM_DIRECTOR)
    patients = set(
        Episode.objects.filter(program_id__in=directed).values_list("patient_id", flat=True)
    )
    staff = set(
        ProgramStaff.objects.filter(program_id__in=directed).values_list("user_id", flat=True)
    )
    named: dict[int, set[int]] = {}
    for seq, patient_id in AuditEventPatient.objects.values_list("event_seq", "patient_id"):
        named.setdefault(seq, set()).add(patient_id)
    reviewed = []
    for event in AuditEvent.objects.order_by("-seq"):
        about_none = event.patient_id is None
        names = named.get(event.seq, set())
        if (
            event.patient_id in patients
            or (about_none and names & patients)
            or (about_none and not names and event.user_id in staff)
            or (about_none and not names and is_administrator(user))
        ):
            reviewed.append(event.seq)
    return reviewed


def scoped(user):
    """The object types of the events the user may review, asked both ways (each way's
    newest events merged, and the ways gathered as a set: privacy.selectors.
    audit_events_for), which must agree with each other and with the rules as written."""
    merged = audit_events_for(user=user, criteria=AuditFilter())[0:10_000]
    as_set = audit_events_for(user=user, criteria=AuditFilter(), whole=True)
    assert [event.seq for event in merged] == list(as_set.values_list("seq", flat=True))
    assert [event.seq for event in merged] == by_rule(user)
    return {event.object_type for event in merged}


@pytest.fixture
def trail(clinic):
    """Events of both programs, of several shapes."""
    director_b = UserFactory(
        username="dir_b", roles=[Role.PROGRAM_DIRECTOR], programs=[clinic.program_b]
    )
    a, b = clinic.patient_a.pk, clinic.patient_b.pk
    audit_record(user=clinic.clinician_a, action="view", patient_id=a, object_type="chart_a")
    audit_record(user=clinic.clinician_b, action="view", patient_id=b, object_type="chart_b")
    audit_record(
        user=clinic.clinician_b, action="list", object_type="list_b", detail={"patients": [b]}
    )
    audit_record(
        user=clinic.prescriber_a,
        action="list",
        object_type="list_both",
        detail={"patients": [a, b]},
    )
    audit_record(user=clinic.clinician_a, action="login", object_type="login_a")
    audit_record(user=clinic.clinician_b, action="login", object_type="login_b")
    audit_record(user=clinic.admin, action="privilege_change", object_type="privileges")
    clinic.director_b = director_b
    return clinic


def test_a_director_sees_their_programs_events_only(trail):
    assert scoped(trail.director_a) == {"chart_a", "list_both", "login_a"}
    assert scoped(trail.director_b) == {"chart_b", "list_b", "list_both", "login_b"}


def test_an_administrator_sees_only_events_that_name_no_patient(trail):
    assert scoped(trail.admin) == {"login_a", "login_b", "privileges"}


def test_both_forms_of_the_scope_agree_on_events_the_rules_tell_apart(trail):
    """An event about a patient of program B that names a patient of A in its detail is
    B's alone (A's director sees list events about no one patient), as is a list by A's
    staff naming only B's patient; a director who is also an administrator sees both
    sets, each event once."""
    a, b = trail.patient_a.pk, trail.patient_b.pk
    audit_record(
        user=trail.clinician_b,
        action="view",
        patient_id=b,
        object_type="chart_b_naming_a",
        detail={"patients": [a]},
    )
    audit_record(user=trail.nurse_a, action="login", object_type="login_nurse_a")
    # by A's staff, about no one patient, naming only a patient of B: B's, not A's
    audit_record(
        user=trail.clinician_a,
        action="list",
        object_type="list_by_a_of_b",
        detail={"patients": [b]},
    )
    assert scoped(trail.director_a) == {"chart_a", "list_both", "login_a", "login_nurse_a"}
    assert {"chart_b_naming_a", "list_by_a_of_b"} <= scoped(trail.director_b)
    both = UserFactory(
        roles=[Role.PROGRAM_DIRECTOR, Role.ADMINISTRATOR], programs=[trail.program_a]
    )
    assert scoped(both) == {
        "chart_a",
        "list_both",
        "login_a",
        "login_nurse_a",
        "login_b",
        "privileges",
    }
    sorted_by_user = AuditEvent.objects.filter(access.audit_scope_as_set(both))
    assert sorted_by_user.count() == len(by_rule(both))
    assert sorted_by_user.count() == len(set(sorted_by_user.values_list("seq", flat=True)))


def test_a_patient_who_comes_to_a_program_brings_their_trail_to_its_director(trail):
    """Events about a patient written before they had an episode in A (their chart in B, a
    list naming them) are A's director's too once they have one, as the rules say: the
    episode's trigger links them (privacy.triggers)."""
    before = scoped(trail.director_a)
    assert "chart_b" not in before
    EpisodeFactory(patient=trail.patient_b, program=trail.program_a)
    assert scoped(trail.director_a) == before | {"chart_b", "list_b"}
    audit_record(
        user=trail.clinician_b,
        action="view",
        object_type="chart_b_later",
        patient_id=trail.patient_b.pk,
    )
    assert "chart_b_later" in scoped(trail.director_a)


def test_staff_events_about_no_patient_belong_to_their_programs_of_the_day(trail):
    """A login is reviewed by the directors of the programs its user was staff of when
    they logged in; moving to another program moves later events, not earlier ones (an
    access review answers for what the program's staff did while they were its staff)."""
    mover = UserFactory(username="mover", roles=[Role.CLINICIAN], programs=[trail.program_a])
    audit_record(user=mover, action="login", object_type="login_in_a")
    ProgramStaff.objects.filter(user=mover).delete()
    ProgramStaff.objects.create(user=mover, program=trail.program_b)
    audit_record(user=mover, action="login", object_type="login_in_b")

    def reviewed(user):
        return {e.object_type for e in audit_events_for(user=user, criteria=AuditFilter())[0:99]}

    assert {"login_in_a"} == reviewed(trail.director_a) & {"login_in_a", "login_in_b"}
    assert {"login_in_b"} == reviewed(trail.director_b) & {"login_in_a", "login_in_b"}
    exported = audit_events_for(user=trail.director_b, criteria=AuditFilter(), whole=True)
    assert "login_in_a" not in set(exported.values_list("object_type", flat=True))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=st.integers(0, 14), length=st.integers(1, 16), newest_first=st.booleans())
def test_any_window_of_the_merged_ways_is_that_window_of_the_whole_scope(
    trail, start, length, newest_first
):
    """A reviewer with overlapping ways (administrator and director of both programs: a
    list naming a patient of each program comes in two ways) reads, at any window, the
    same events in the same order as the scope gathered as a set, each once."""
    both = UserFactory(
        roles=[Role.PROGRAM_DIRECTOR, Role.ADMINISTRATOR],
        programs=[trail.program_a, trail.program_b],
    )
    assert len(access.audit_scope_ways(both)) == 3
    criteria = AuditFilter(sort="-seq" if newest_first else "seq")
    window = audit_events_for(user=both, criteria=criteria)[start : start + length]
    whole = list(audit_events_for(user=both, criteria=criteria, whole=True))
    assert [e.seq for e in window] == [e.seq for e in whole[start : start + length]]
    # the page reads the same window as dicts of its columns
    fields = ("seq", "username", "patient_id", "object_type")
    as_dicts = audit_events_for(user=both, criteria=criteria).values(*fields)
    assert list(as_dicts[start : start + length]) == [
        {field: getattr(e, field) for field in fields} for e in whole[start : start + length]
    ]


def test_on_postgresql_the_page_as_it_opens_merges_the_ways_and_a_filtered_one_does_not(
    on_postgres, trail
):
    """So the tests comparing the two forms compare the merged ways with the set there
    (on SQLite every list is the set)."""
    from stepwell.privacy.selectors import MergedTrail

    director = trail.director_a
    assert isinstance(audit_events_for(user=director, criteria=AuditFilter()), MergedTrail)
    assert isinstance(
        audit_events_for(user=director, criteria=AuditFilter(sort="seq")), MergedTrail
    )
    filtered = AuditFilter(patient_id=trail.patient_a.pk)
    assert not isinstance(audit_events_for(user=director, criteria=filtered), MergedTrail)


@pytest.mark.parametrize("who", ["admin", "director_a", "both"])
@pytest.mark.parametrize("newest_first", [True, False])
def test_the_first_window_kept_compiled_is_the_orms_and_the_scopes(
    on_postgres, trail, who, newest_first
):
    """The page as it opens reads its first window with a query kept compiled (one per
    number of reviews and window): for one review (the administrator), one program and
    three overlapping reviews, each window is the ORM's merged query's and the scope's
    (gathered as a set) before that event, as dicts of the page's columns."""
    from stepwell.privacy.selectors import MergedTrail, _merged

    user = getattr(trail, who, None) or UserFactory(
        roles=[Role.PROGRAM_DIRECTOR, Role.ADMINISTRATOR],
        programs=[trail.program_a, trail.program_b],
    )
    criteria = AuditFilter(sort="-seq" if newest_first else "seq")
    whole = list(audit_events_for(user=user, criteria=criteria, whole=True))
    assert whole
    fields = ("seq", "username", "patient_id", "object_type", "occurred_at")
    merged = audit_events_for(user=user, criteria=criteria)
    assert isinstance(merged, MergedTrail)
    for before in sorted({e.seq for e in whole} | {whole[0].seq + 1}):
        for length in (1, 3, 51):
            window = merged.filter(seq__lt=before).values(*fields)
            expected = [
                {field: getattr(e, field) for field in fields} for e in whole if e.seq < before
            ][:length]
            assert window[0:length] == expected
            assert list(_merged(window.ways, newest_first, fields)[0:length]) == expected


def test_the_audit_page_compiles_no_query_of_the_trail_after_its_first(
    on_postgres, client, trail, monkeypatch
):
    from stepwell.testing.kept import compiles

    verified_login(client, trail.director_a)
    first = client.get("/privacy/audit/")
    assert first.status_code == 200
    compiled = compiles(monkeypatch)
    again = client.get("/privacy/audit/")
    assert again.status_code == 200
    assert AuditEvent not in compiled, compiled
    # the director's events as the rules give them, newest first, up to the page's read
    seqs = [e["seq"] for e in again.context["page"]]
    assert seqs == [seq for seq in by_rule(trail.director_a) if seq <= seqs[0]][: len(seqs)]
    assert len(seqs) >= 3


def test_the_migrations_link_every_earlier_event_as_the_append_does(trail):
    """Migrations 0005 (the programs' reviews) and 0007 (the administrators') link the
    events written before their links existed; on the trail the fixture wrote (every
    shape of event) they write the links the append wrote, and 0007 adds none twice."""
    from django.db import connection

    from stepwell.privacy.migrations import __name__ as migrations
    from stepwell.privacy.models import ADMINISTRATORS_REVIEW, AuditEventProgram

    def statement(name: str, constant: str) -> str:
        return getattr(__import__(f"{migrations}.{name}", fromlist=[constant]), constant)

    appended = set(AuditEventProgram.objects.values_list("event_id", "program_id"))
    # two charts, two logins, two lists, one naming both programs; and the two logins and
    # the privilege change in the administrators' review
    assert len(appended) == 10
    assert {seq for seq, review in appended if review == ADMINISTRATORS_REVIEW} == set(
        AuditEvent.objects.filter(object_type__in=["login_a", "login_b", "privileges"]).values_list(
            "seq", flat=True
        )
    )
    AuditEventProgram.objects.all().delete()  # the test settings leave the refusals out
    with connection.cursor() as cursor:
        cursor.execute(statement("0005_audit_event_programs", "LINK_EVERY_EVENT"))
        for _ in range(2):
            cursor.execute(
                statement("0007_administrators_review_links", "LINK_EVERY_EVENT_ABOUT_NO_ONE")
            )
    assert set(AuditEventProgram.objects.values_list("event_id", "program_id")) == appended
    assert AuditEventProgram.objects.count() == len(appended)


def test_others_see_no_event(trail):
    for who in ("clinician_a", "billing_a", "patient_user_a", "intake_a"):
        assert scoped(getattr(trail, who)) == set()


def test_api_leaves_out_patient_ids_of_other_programs(client, trail):
    response = client.get("/api/v1/audit?action=list", **bearer(trail.director_a))
    assert response.status_code == 200
    rows = {row["object_type"]: row for row in response.json()}
    assert rows["list_both"]["detail"] == {"patients": [trail.patient_a.pk]}
    assert "list_b" not in rows
    body = response.content.decode()
    assert f'"patient_id":{trail.patient_b.pk}' not in body.replace(" ", "")


def test_api_pages_keep_the_trail_as_of_the_first_page(client, trail):
    headers = bearer(trail.director_a)
    first = client.get("/api/v1/audit?limit=2", **headers).json()
    as_of = first[0]["seq"] + 1
    audit_record(user=trail.clinician_a, action="view", patient_id=trail.patient_a.pk)
    kept = client.get(f"/api/v1/audit?limit=2&offset=2&as_of={as_of}", **headers).json()
    whole = client.get(f"/api/v1/audit?limit=50&as_of={as_of}", **headers).json()
    assert [row["seq"] for row in whole[:2]] == [row["seq"] for row in first]
    assert [row["seq"] for row in kept] == [row["seq"] for row in whole[2:4]]
    assert all(row["seq"] < as_of for row in whole)
    moved = client.get("/api/v1/audit?limit=2&offset=2", **headers).json()
    assert [row["seq"] for row in moved] != [row["seq"] for row in kept]


def test_csv_export_leaves_out_patient_ids_of_other_programs(client, trail):
    verified_login(client, trail.director_b)
    response = client.get("/privacy/audit/?action=list&format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    details = {row["object_type"]: row["detail"] for row in rows}
    assert details["list_both"] == str({"patients": [trail.patient_b.pk]})
    assert details["list_b"] == str({"patients": [trail.patient_b.pk]})


def test_filtering_by_patient_finds_list_events_that_name_them(client, trail):
    response = client.get(f"/api/v1/audit?patient={trail.patient_a.pk}", **bearer(trail.director_a))
    assert {row["object_type"] for row in response.json()} == {"chart_a", "list_both"}


@pytest.mark.parametrize(
    ("query", "field", "status"),
    [
        ("sort=--seq", "sort", 400),
        ("sort=hash", "sort", 400),
        ("sort=-", "sort", 400),
        # Paging out of range is malformed input, a 422, as on every API list.
        ("limit=-5&offset=-1", "limit", 422),
        ("limit=-5&offset=-1", "offset", 422),
        ("limit=100000", "limit", 422),
        ("offset=10000000000000000000000", "offset", 422),
        ("patient=9223372036854775808", "patient", 400),
        ("patient=0", "patient", 400),
        ("as_of=0", "as_of", 422),
        ("as_of=x", "as_of", 422),
    ],
)
def test_api_bad_parameters_are_refused_with_the_field(client, trail, query, field, status):
    headers = bearer(trail.director_a)
    before = AuditEvent.objects.count()
    response = client.get(f"/api/v1/audit?{query}", **headers)
    assert response.status_code == status
    assert field in response.json()["errors"]
    assert AuditEvent.objects.count() == before  # nothing was listed


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sort=--seq", "sort"),
        ("date_to=9999-12-31", "date_to"),
        ("date_from=0001-01-01", "date_from"),
        ("patient_id=9223372036854775808", "patient_id"),
        ("as_of=abc", "as_of"),
        ("as_of=0", "as_of"),
    ],
)
def test_page_bad_filters_are_400_with_the_field(client, trail, query, field):
    verified_login(client, trail.director_a)
    response = client.get(f"/privacy/audit/?{query}")
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "No events match." in response.content.decode()
    if field == "as_of":  # a hidden field: its error is shown above the table
        assert "event number is not one" in response.content.decode()
    csv_response = client.get(f"/privacy/audit/?{query}&format=csv")
    assert csv_response.status_code == 400


def test_page_shows_the_sort_error(client, trail):
    verified_login(client, trail.director_a)
    body = client.get("/privacy/audit/?sort=--seq").content.decode()
    assert 'data-testid="sort-error"' in body


def test_page_accepts_every_sort_and_the_widest_days(client, trail):
    verified_login(client, trail.director_a)
    by_time = {e["seq"] for e in client.get("/privacy/audit/").context["page"]}
    for field in ("seq", "-occurred_at", "-client_address", "patient_id", "username"):
        response = client.get(f"/privacy/audit/?sort={field}")
        assert response.status_code == 200
        # Sorted by another column, the scope is gathered as a set: the same events.
        assert by_time <= {e["seq"] for e in response.context["page"]}
    response = client.get("/privacy/audit/?date_from=1900-01-01&date_to=9998-12-31")
    assert response.status_code == 200
    assert "chart_a" in response.content.decode()


def test_page_shows_event_and_patient_numbers_as_stored_where_numbers_are_grouped(
    client, trail, settings
):
    """Event and patient numbers are identifiers, not quantities: with a thousands
    separator switched on (as a locale may), the page shows them as stored, as the CSV
    and the API do."""
    from stepwell.privacy.models import AuditChainHead

    settings.USE_THOUSAND_SEPARATOR = True
    AuditChainHead.objects.update(last_seq=123_455)  # the next event is number 123456
    patient = EpisodeFactory(patient__pk=234_567, program=trail.program_a).patient
    audit_record(user=trail.clinician_a, action="view", patient_id=patient.pk)
    verified_login(client, trail.director_a)
    body = client.get("/privacy/audit/").content.decode()
    assert "<td>123456</td>" in body
    assert '<a href="/patients/234567/">234567</a>' in body
    assert "123,456" not in body and "234,567" not in body
    assert "{{" not in body


@pytest.mark.parametrize("name", ["clinician_a", "nurse_a", "billing_a", "patient_user_a"])
def test_reading_the_trail_directly_is_refused_and_audited(trail, name):
    from stepwell.core.errors import AccessDenied
    from stepwell.privacy.selectors import AuditFilter, audit_trail_as_of

    user = getattr(trail, name)
    before = AuditEvent.objects.count()
    with pytest.raises(AccessDenied):
        audit_trail_as_of(user=user, criteria=AuditFilter(patient_id=trail.patient_a.pk))
    event = AuditEvent.objects.get(seq__gt=before)
    assert (event.outcome, event.object_type, event.username, event.patient_id) == (
        "denied",
        "audit_trail",
        user.username,
        trail.patient_a.pk,
    )


def test_a_read_of_the_trail_is_audited_and_does_not_list_itself(trail):
    from stepwell.privacy.selectors import AuditFilter, audit_trail_as_of

    events, _ = audit_trail_as_of(user=trail.director_a, criteria=AuditFilter(), via="api")
    read = AuditEvent.objects.filter(object_type="audit_trail", outcome="allowed").get()
    assert (read.username, read.action, read.detail) == ("dir_a", "list", {"via": "api"})
    assert read.seq not in {event.seq for event in events[0:10_000]}


def test_verify_names_an_event_taken_out_of_a_programs_review_or_put_into_another(trail, capsys):
    """The review reads the program links, which the hash chain does not cover: `audit
    verify` checks them against the episodes and the named patients, so a link deleted
    (a director no longer sees the event) or added (a director sees another program's)
    is named with its event and program."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from stepwell.privacy.models import AuditEventProgram

    call_command("audit", "verify")
    assert "is in the review of each program its patients give" in capsys.readouterr().out
    chart_a = AuditEvent.objects.get(object_type="chart_a")
    list_b = AuditEvent.objects.get(object_type="list_b")
    # the test settings leave out the append-only triggers an attacker would go around
    AuditEventProgram.objects.filter(event_id=chart_a.seq).delete()
    AuditEventProgram.objects.create(event_id=list_b.seq, program_id=trail.program_a.pk)
    with pytest.raises(CommandError, match="review reads is NOT: 2 problem"):
        call_command("audit", "verify")
    err = capsys.readouterr().err
    assert f"event {chart_a.seq}: missing from program {trail.program_a.pk}'s review" in err
    assert f"event {list_b.seq}: in program {trail.program_a.pk}'s review, which no" in err


def test_verify_names_an_event_taken_out_of_the_administrators_review_or_put_into_it(trail, capsys):
    """The administrators' review is links too: an event about no patient without its
    link (an administrator would not see it) or an event about a patient with one (they
    would see what they may not) is named."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from stepwell.privacy.models import ADMINISTRATORS_REVIEW, AuditEventProgram

    login_a = AuditEvent.objects.get(object_type="login_a")
    chart_a = AuditEvent.objects.get(object_type="chart_a")
    list_b = AuditEvent.objects.get(object_type="list_b")
    # the test settings leave out the append-only triggers an attacker would go around
    AuditEventProgram.objects.filter(
        event_id=login_a.seq, program_id=ADMINISTRATORS_REVIEW
    ).delete()
    for named_or_about in (chart_a, list_b):
        AuditEventProgram.objects.create(
            event_id=named_or_about.seq, program_id=ADMINISTRATORS_REVIEW
        )
    assert login_a.seq not in scoped_seqs(trail.admin)
    assert {chart_a.seq, list_b.seq} <= scoped_seqs(trail.admin)
    with pytest.raises(CommandError, match="review reads is NOT: 3 problem"):
        call_command("audit", "verify")
    err = capsys.readouterr().err
    assert f"event {login_a.seq}: missing from the administrators' review" in err
    for event in (chart_a, list_b):
        assert f"event {event.seq}: in the administrators' review, but it concerns" in err
    call_command("audit", "relink")  # puts the missing link back, leaves the others
    assert "Added 1 program link(s)" in capsys.readouterr().out
    assert login_a.seq in scoped_seqs(trail.admin)


def scoped_seqs(user) -> set[int]:
    listed = audit_events_for(user=user, criteria=AuditFilter(), whole=True)
    return set(listed.values_list("seq", flat=True))


def test_relink_adds_the_links_events_lack_and_is_audited(trail, capsys):
    """Events appended without links (a server still on the code from before them, during
    an upgrade) are put back in their programs' reviews by `audit relink`, under the
    chain's lock; a link that should not be there stays for the operator to see."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from stepwell.privacy.models import AuditEventProgram

    appended = set(AuditEventProgram.objects.values_list("event_id", "program_id"))
    list_both = AuditEvent.objects.get(object_type="list_both")
    AuditEventProgram.objects.filter(event_id=list_both.seq).delete()
    login_a = AuditEvent.objects.get(object_type="login_a")
    AuditEventProgram.objects.filter(event_id=login_a.seq).delete()
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    call_command("audit", "relink")
    # the list's two programs, the login's program and the administrators' review
    assert "Added 4 program link(s)" in capsys.readouterr().out
    earlier = AuditEventProgram.objects.filter(event_id__lte=last)  # not the relink's own
    assert set(earlier.values_list("event_id", "program_id")) == appended
    relinked = AuditEvent.objects.filter(object_type="audit_review_links").get()
    assert relinked.detail == {"links_added": 4}
    call_command("audit", "verify")
    chart_a = AuditEvent.objects.get(object_type="chart_a")
    AuditEventProgram.objects.create(event_id=chart_a.seq, program_id=trail.program_b.pk)
    call_command("audit", "relink")
    assert "Added 0 program link(s)" in capsys.readouterr().out
    with pytest.raises(CommandError, match="review reads is NOT"):
        call_command("audit", "verify")


def test_verify_names_an_event_whose_named_patients_rows_differ_from_its_detail(trail, capsys):
    """The rows of the patients a list event names (what a search by patient reads) are
    checked against its detail, which the chain covers: a row taken out or put in is named
    with its event and patient."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    list_both = AuditEvent.objects.get(object_type="list_both")
    chart_a = AuditEvent.objects.get(object_type="chart_a")
    # the test settings leave out the append-only triggers an attacker would go around
    AuditEventPatient.objects.filter(
        event_seq=list_both.seq, patient_id=trail.patient_b.pk
    ).delete()
    AuditEventPatient.objects.create(event_seq=chart_a.seq, patient_id=trail.patient_b.pk)
    # three: the two rows, and B's link to the list, which no named row gives any more
    with pytest.raises(CommandError, match="review reads is NOT: 3 problem"):
        call_command("audit", "verify")
    err = capsys.readouterr().err
    assert f"event {list_both.seq}: in program {trail.program_b.pk}'s review" in err
    assert (
        f"event {list_both.seq}: names patient {trail.patient_b.pk} in its detail, but no row"
        in err
    )
    assert f"event {chart_a.seq}: a row says it names patient {trail.patient_b.pk}" in err


@pytest.fixture
def varied(trail):
    """The trail with events that differ in every column the review filters on."""
    a = trail.patient_a.pk
    for user, action, patient, kind, outcome, address in [
        (trail.clinician_a, "view", a, "chart", "allowed", "10.1.2.3"),
        (trail.clinician_a, "login", None, "login", "denied", "10.1.9.9"),
        (trail.nurse_a, "login", None, "login", "allowed", "192.168.0.7"),
        (trail.admin, "privilege_change", None, "privileges", "allowed", "10.2.0.1"),
        (trail.admin, "export", None, "audit_trail", "denied", "172.16.0.1"),
        (trail.prescriber_a, "view", a, "chart", "denied", "10.1.2.4"),
    ]:
        audit_record(
            user=user,
            action=action,
            patient_id=patient,
            object_type=kind,
            outcome=outcome,
            client_address=address,
        )
    return trail


FILTER_RULES = {
    "username": lambda event, text: text.lower() in event.username.lower(),
    "role": lambda event, text: text.lower() in event.role.lower(),
    "client_address": lambda event, text: event.client_address.startswith(text),
    "outcome": lambda event, value: event.outcome == value,
    "action": lambda event, value: event.action == value,
    "object_type": lambda event, value: event.object_type == value,
}


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("username", ["CLIN", "dir_", "Admin", "zz"]),
        ("role", ["Nurse", "administrator", "clin", "zz"]),
        ("client_address", ["10.1", "10.1.2.3", "192", "0.1", "zz"]),
        ("outcome", ["denied", "allowed"]),
        ("action", ["login", "export", "view", "disclose"]),
        ("object_type", ["chart", "privileges", "login", "nothing"]),
    ],
)
def test_each_filter_lists_the_events_its_rule_names(varied, field, values):
    """User and role contain the text in any case, the address starts with it, the others
    equal the value; within each reviewer's scope, newest first (the rules worked out
    here from the events as written)."""
    both = UserFactory(
        roles=[Role.PROGRAM_DIRECTOR, Role.ADMINISTRATOR], programs=[varied.program_a]
    )
    events = {event.seq: event for event in AuditEvent.objects.all()}
    events_end = max(events) + 1
    found = 0
    for value in values:
        for user in (varied.admin, varied.director_a, varied.director_b, both):
            expected = [seq for seq in by_rule(user) if FILTER_RULES[field](events[seq], value)]
            listed = audit_events_for(user=user, criteria=AuditFilter(**{field: value}))
            assert list(listed.queryset.values_list("seq", flat=True)) == expected, (value, user)
            # the page's first window, read by its kept query
            window = listed.filter(seq__lt=events_end).values("seq")[0:51]
            assert [row["seq"] for row in window] == expected[:51], (value, user)
            found += len(expected)
    assert found  # the values chosen find events


KEPT_FILTERS = [
    {"outcome": "denied"},
    {"action": "login"},
    {"object_type": "chart"},
    {"username": "CLIN"},
    {"role": "Nurse"},
    {"client_address": "10.1"},
    # a pattern's own marks are the text, not wildcards
    {"username": "_"},
    {"username": "%"},
    {"client_address": "10_1"},
    {"role": "\\"},
    {"outcome": "denied", "action": "login"},
    {"username": "a", "outcome": "allowed", "client_address": "1"},
    {"date_from": "today", "date_to": "today"},
    {"date_from": "tomorrow"},
    {"patient_id": "a"},
    {"patient_id": "a", "outcome": "denied"},
    {"patient_id": "b", "action": "list"},
]

NONE_MEET = [
    {"date_from": "tomorrow"},
    {"username": "%"},
    {"client_address": "10_1"},
    {"role": "\\"},
]


def _criteria(trail, given: dict, sort: str) -> AuditFilter:
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    days = {"today": today, "tomorrow": today + dt.timedelta(days=1)}
    patients = {"a": trail.patient_a.pk, "b": trail.patient_b.pk}
    values = {
        name: days[value]
        if name.startswith("date_")
        else patients[value]
        if name == "patient_id"
        else value
        for name, value in given.items()
    }
    return AuditFilter(**values, sort=sort)


@pytest.mark.parametrize("given", KEPT_FILTERS)
@pytest.mark.parametrize("sort", ["-seq", "seq", "username", "-client_address"])
def test_a_filtered_first_window_kept_compiled_is_the_orms(varied, given, sort, monkeypatch):
    """A filtered page (or one sorted by another column) reads its first window with a
    query kept compiled per kind of filter, sort and window: for each reviewer, before
    each event, each window is the ORM's query's, as dicts of the page's columns."""
    from stepwell.privacy import selectors
    from stepwell.privacy.selectors import SORTABLE_FIELDS, FilteredTrail

    monkeypatch.setattr(selectors, "_FIRST_WINDOWS", KeptKinds(at_most=64))  # none kept yet
    both = UserFactory(
        roles=[Role.PROGRAM_DIRECTOR, Role.ADMINISTRATOR],
        programs=[varied.program_a, varied.program_b],
    )
    criteria = _criteria(varied, given, sort)
    seqs = sorted(AuditEvent.objects.values_list("seq", flat=True))
    found = 0
    for user in (varied.admin, varied.director_a, varied.director_b, both):
        listed = audit_events_for(user=user, criteria=criteria)
        assert isinstance(listed, FilteredTrail)
        for before in (seqs[len(seqs) // 2], seqs[-1] + 1):
            for length in (1, 3, 51):
                window = listed.filter(seq__lt=before).values(*SORTABLE_FIELDS)
                expected = list(window.queryset[0:length])
                assert window[0:length] == expected, (user, before, length)
                found += len(expected)
    assert len(selectors._FIRST_WINDOWS.kept) == 3  # one kind per window's length
    if given not in NONE_MEET:
        assert found  # the values chosen find events


def test_a_filtered_audit_page_compiles_no_query_of_the_trail_after_its_first(
    client, varied, monkeypatch
):
    from stepwell.privacy import selectors
    from stepwell.testing.kept import compiles

    monkeypatch.setattr(selectors, "_FIRST_WINDOWS", KeptKinds(at_most=64))
    verified_login(client, varied.director_a)
    text = varied.prescriber_a.username[1:4].upper()
    url = f"/privacy/audit/?outcome=denied&username={text}&patient_id={varied.patient_a.pk}"
    first = client.get(url)
    assert first.status_code == 200
    compiled = compiles(monkeypatch)
    again = client.get(url)
    assert again.status_code == 200
    assert AuditEvent not in compiled, compiled
    seqs = [e["seq"] for e in again.context["page"]]
    rule = {
        e.seq
        for e in AuditEvent.objects.filter(
            outcome="denied", username__icontains=text, patient_id=varied.patient_a.pk
        )
    }
    assert seqs == [seq for seq in by_rule(varied.director_a) if seq in rule]
    assert seqs  # the prescriber's denied chart of patient A


def test_past_the_kinds_of_window_kept_a_page_is_built_each_time(varied, monkeypatch):
    """Past the kinds of first window a process keeps (an API caller trying every limit),
    a window is the ORM's, built each time, and nothing more is kept."""
    from stepwell.privacy import selectors
    from stepwell.privacy.selectors import SORTABLE_FIELDS

    monkeypatch.setattr(selectors, "_FIRST_WINDOWS", KeptKinds(at_most=1))
    listed = audit_events_for(user=varied.admin, criteria=AuditFilter(outcome="allowed"))
    window = listed.filter(seq__lt=10**9).values(*SORTABLE_FIELDS)
    assert window[0:2] == list(window.queryset[0:2])
    assert window[0:5] == list(window.queryset[0:5])  # a second kind: not kept
    assert window[0:5]
    assert len(selectors._FIRST_WINDOWS.kept) == 1


@pytest.mark.parametrize(
    ("criteria", "index", "postgres_only"),
    [
        (AuditFilter(outcome="denied"), "audit_outcome_seq", False),
        (AuditFilter(action="export"), "audit_action_seq", False),
        (AuditFilter(object_type="login"), "audit_object_type_seq", False),
        (AuditFilter(username="Clin"), "audit_username_trgm", True),
        (AuditFilter(role="nurse"), "audit_role_trgm", True),
        (AuditFilter(client_address="10.1"), "audit_client_address_trgm", True),
    ],
)
def test_each_filter_can_be_read_from_its_own_index(varied, criteria, index, postgres_only):
    """Which plan the database picks depends on how rare the value is (on a trail this
    small it reads the table). On PostgreSQL every way in but an index's bitmap is
    switched off here, so the plan names the index only if it serves the very SQL the
    filter sends (the lookup's expression, the trigram operator class); SQLite, with no
    statistics, searches by the equality's index."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from stepwell.core.kept import KeptRows
    from stepwell.privacy.selectors import _COMPARED_FIELDS, _compared, _meeting, meeting

    declared = {i.name: i.fields for i in AuditEvent._meta.indexes}
    if index in declared:  # built by the migration's SQL as the model declares it
        with connection.cursor() as cursor:
            built = connection.introspection.get_constraints(cursor, "privacy_auditevent")
        assert built[index]["columns"] == declared[index]
    if connection.vendor != "postgresql":
        if postgres_only:
            pytest.skip("trigram indexes are PostgreSQL's")
        plan = meeting(AuditEvent.objects.all(), criteria).explain()
        assert index in plan
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for method in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{method} = off")
        plan = meeting(AuditEvent.objects.all(), criteria).explain()
        assert f"Bitmap Index Scan on {index}" in plan
        # The same conditions as a kept query sends them (the value where a kept query
        # puts it: a pattern's value goes through the database's escaping functions,
        # which the planner works out before it picks the index).
        compared = _compared(criteria)
        kept = KeptRows(
            AuditEvent,
            lambda **slots: _meeting(AuditEvent.objects.all(), slots).values("seq"),
            **{name: _COMPARED_FIELDS[name] for name in compared},
        )
        with CaptureQueriesContext(connection) as sent:
            kept.rows(**compared)
        cursor.execute(f"EXPLAIN {sent[-1]['sql']}")
        kept_plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Bitmap Index Scan on {index}" in kept_plan
