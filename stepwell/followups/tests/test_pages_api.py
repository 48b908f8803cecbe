"""The pages and the API through the client: the worklist, a phone call, a new link, the
public link page (nameless, once), the chart section and GET /episodes/{id}/follow-ups."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from stepwell.followups.models import FollowUp, FollowUpStatus
from stepwell.followups.services.links import link_path, new_link
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory

from .conftest import GAD7_MILD, PHQ9_MILD, SHORT, discharge

pytestmark = pytest.mark.django_db


def test_worklist_lists_the_follow_up_with_its_actions(client, due_30, discharged):
    verified_login(client, discharged.nurse_a)
    page = client.get("/follow-ups/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Avery" in body and "30 days after discharge" in body
    assert f"/follow-ups/{due_30.pk}/phone/" in body
    listed = AuditEvent.objects.filter(object_type="follow_up_worklist").last()
    assert listed.detail["patients"] == [discharged.patient_a.pk]
    assert "Avery" not in client.get("/follow-ups/?status=completed").content.decode()


def test_director_reads_the_worklist_without_record_buttons(client, due_30, discharged):
    verified_login(client, discharged.director_a)
    body = client.get("/follow-ups/").content.decode()
    assert "Avery" in body and "/phone/" not in body


def test_the_worklist_links_a_director_to_their_programs_follow_up_settings(
    client, due_30, discharged
):
    settings = f"/follow-ups/programs/{discharged.program_a.pk}/settings/"
    verified_login(client, discharged.director_a)
    assert settings in client.get("/follow-ups/").content.decode()
    client.logout()
    verified_login(client, discharged.nurse_a)  # reads the worklist, keeps no settings
    assert "/settings/" not in client.get("/follow-ups/").content.decode()


def test_worklist_refused_to_billing_and_patients(client, discharged, due_30):
    for user in (discharged.billing_a, discharged.patient_user_a):
        client.logout()
        verified_login(client, user)
        assert client.get("/follow-ups/").status_code == 403


def test_phone_call_recorded_on_the_page(client, due_30, discharged):
    verified_login(client, discharged.clinician_a)
    url = f"/follow-ups/{due_30.pk}/phone/"
    assert client.get(url).status_code == 200
    missing = client.post(url, {"reached": "yes"})
    assert missing.status_code == 400
    assert "Answer this when the person was reached." in missing.content.decode()
    assert FollowUp.objects.get().status == FollowUpStatus.DUE
    done = client.post(url, {"reached": "yes", **PHQ9_MILD, **GAD7_MILD, **SHORT})
    assert done.status_code == 302 and done["Location"] == "/follow-ups/"
    assert FollowUp.objects.get().method == "phone"


def test_phone_page_refuses_a_clinician_of_another_program(client, due_30, discharged):
    verified_login(client, discharged.clinician_b)
    assert client.get(f"/follow-ups/{due_30.pk}/phone/").status_code == 403
    assert client.post(f"/follow-ups/{due_30.pk}/phone/", {"reached": "no"}).status_code == 403
    assert FollowUp.objects.get().attempts == 0


def test_send_shows_the_link_once(client, due_30, discharged):
    verified_login(client, discharged.clinician_a)
    page = client.post(f"/follow-ups/{due_30.pk}/send/")
    assert page.status_code == 200
    assert 'data-testid="link-queued"' in page.content.decode()
    assert "/follow-ups/f/" in page.content.decode()


def test_the_public_page_is_nameless_and_works_once(client, due_30):
    token = new_link(due_30)[1]
    url = link_path(token)
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Avery" not in body and "Adult MH" not in body
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]
    assert 'name="phq9_1"' in body and 'name="days_of_use_last_30"' in body
    short = dict(SHORT)
    short["days_of_use_last_30"] = "45"
    bad = client.post(url, {**PHQ9_MILD, **GAD7_MILD, **short})
    assert bad.status_code == 400
    assert "Ensure this value is less than or equal to 30." in bad.content.decode()
    done = client.post(url, {**PHQ9_MILD, **GAD7_MILD, **SHORT})
    assert done.status_code == 200
    assert 'data-testid="follow-up-done"' in done.content.decode()
    assert client.get(url).status_code == 404
    assert client.get("/follow-ups/f/not-a-token/").status_code == 404


def test_chart_section_shows_follow_ups(client, due_30, discharged):
    verified_login(client, discharged.clinician_a)
    page = client.get(f"/follow-ups/patients/{discharged.patient_a.pk}/chart/")
    assert page.status_code == 200
    assert "30 days" in page.content.decode()


def _earlier_discharges(clinic, count: int) -> list[FollowUp]:
    """`count` earlier episodes of Avery's, each discharged, each 7-day follow-up unanswered."""
    made = []
    for n in range(count):
        on = date(2025, 1, 10) + timedelta(days=60 * n)
        episode = EpisodeFactory(patient=clinic.patient_a, program=clinic.program_a)
        discharge(episode, on=on)
        made.append(
            FollowUp.objects.create(
                episode=episode,
                patient=clinic.patient_a,
                program=clinic.program_a,
                days_after_discharge=7,
                due_on=on + timedelta(days=7),
                status=FollowUpStatus.UNREACHABLE,
                instruments=["phq9"],
            )
        )
    return made


@pytest.mark.parametrize("earlier", [0, 4])
def test_chart_section_takes_as_many_queries_for_five_discharges_as_for_one(
    client, due_30, discharged, django_assert_max_num_queries, earlier
):
    made = _earlier_discharges(discharged, earlier)
    verified_login(client, discharged.clinician_a)
    url = f"/follow-ups/patients/{discharged.patient_a.pk}/chart/"
    client.get(url)  # per-process caches
    with django_assert_max_num_queries(18):  # the patient, then its facts for the rule
        page = client.get(url)
    assert page.content.decode().count("<h3>") == 1 + earlier
    [event] = AuditEvent.objects.filter(object_id=f"patient:{discharged.patient_a.pk}")[:1]
    assert sorted(event.detail["follow_ups"]) == sorted([due_30.pk, *(f.pk for f in made)])


def test_api_lists_an_episodes_follow_ups_with_results(client, due_30, discharged):
    token = new_link(due_30)[1]
    client.post(link_path(token), {**PHQ9_MILD, **GAD7_MILD, **SHORT})
    verified_login(client, discharged.clinician_a)
    answer = client.get(f"/api/v1/episodes/{discharged.episode_a.pk}/follow-ups")
    assert answer.status_code == 200
    [row] = answer.json()
    assert row["due_on"] == due_30.due_on.isoformat()
    assert (row["days_after_discharge"], row["status"]) == (30, "completed")
    results = row["results"]
    assert results["instruments"] == {
        "phq9": {"total": 8, "band": "mild"},
        "gad7": {"total": 7, "band": "mild"},
    }
    assert results["in_treatment"] is True and results["employment"] == "working"
    assert results["readmitted_higher_level"] is False


def test_api_refuses_billing_a_patient_and_another_program(client, due_30, discharged):
    url = f"/api/v1/episodes/{discharged.episode_a.pk}/follow-ups"
    for user in (discharged.billing_a, discharged.patient_user_a, discharged.clinician_b):
        client.logout()
        verified_login(client, user)
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 401


def test_the_director_sets_the_programs_follow_ups(client, discharged):
    url = f"/follow-ups/programs/{discharged.program_a.pk}/settings/"
    verified_login(client, discharged.director_a)
    page = client.get(url)
    assert page.status_code == 200 and 'value="30, 60, 90"' in page.content.decode()
    bad = client.post(
        url, {"days": "30, 30", "instruments": ["phq9"], "max_attempts": 3, "wait_days": 7}
    )
    assert bad.status_code == 400 and "A number of days is given twice." in bad.content.decode()
    saved = client.post(
        url, {"days": "30, 90", "instruments": ["phq9"], "max_attempts": 4, "wait_days": 5}
    )
    assert saved.status_code == 302
    from stepwell.followups.models import FollowUpPolicy

    policy = FollowUpPolicy.objects.get()
    assert (policy.days, policy.instruments, policy.max_attempts) == ([30, 90], ["phq9"], 4)
    client.logout()
    verified_login(client, discharged.clinician_a)
    assert client.get(url).status_code == 403


def test_chart_section_is_for_staff_not_the_patient(client, due_30, discharged):
    verified_login(client, discharged.patient_user_a)
    assert client.get(f"/follow-ups/patients/{discharged.patient_a.pk}/chart/").status_code == 403


def test_guessing_links_is_throttled_with_the_questionnaire_links(client, settings, due_30):
    settings.STEPWELL_QUESTIONNAIRE_LINK_FAILURES = 3
    token = new_link(due_30)[1]
    for n in range(3):
        assert client.get(f"/follow-ups/f/guess-{n}/").status_code == 404
    throttled = client.get(link_path(token))  # even a good link waits now
    assert throttled.status_code == 429 and throttled["Retry-After"] == "900"
    denied = AuditEvent.objects.filter(object_type="follow_up_link", outcome="denied")
    assert denied.count() == 4
