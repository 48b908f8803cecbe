from stepwell.schedule.models import GroupSeries
from stepwell.testing.auth import verified_login


def test_admin_refuses_a_bad_recurrence_rule(client, clinic):
    verified_login(client, clinic.admin)
    data = {
        "program": clinic.program_a.pk,
        "kind": "process_group",
        "title": "Evening process group",
        "track": "all",
        "capacity": 12,
        "start_time": "17:30",
        "duration_minutes": 90,
        "recurrence": "FREQ=SOMETIMES",
        "starts_on": "2026-11-30",
        "excluded_dates": "[]",
        "active": "on",
        "facilitators": [clinic.clinician_a.pk],
    }
    bad = client.post("/setup/schedule/groupseries/add/", data)
    assert bad.status_code == 200
    assert "recurrence" in bad.context["adminform"].form.errors
    assert not GroupSeries.objects.exists()
    good = client.post(
        "/setup/schedule/groupseries/add/", {**data, "recurrence": "FREQ=WEEKLY;BYDAY=MO,WE"}
    )
    assert good.status_code == 302
    assert GroupSeries.objects.get().recurrence == "FREQ=WEEKLY;BYDAY=MO,WE"
