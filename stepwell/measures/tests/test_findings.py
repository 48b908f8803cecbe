"""Clinical findings, change and reliable recovery on the chart, the caseload and the API:
severe scores are findings (never worklist alerts), an unverified threshold is never drawn
as reliable change, and reliable recovery is the joint PHQ-9 + GAD-7 rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from stepwell.measures import progress, services
from stepwell.measures.models import Administration, Alert
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

from .test_safety import AUDIT_ZONE_IV, GAD7_SEVERE

PCL5_HIGH = {f"pcl5_{n}": 3 for n in range(1, 21)}  # 60
PCL5_LOW = {f"pcl5_{n}": 1 for n in range(1, 21)}  # 20


def _phq9(total: int) -> dict:
    answers = {f"phq9_{n}": 0 for n in range(1, 10)}
    for n in range(1, 9):
        answers[f"phq9_{n}"] = min(3, max(0, total - 3 * (n - 1)))
    return answers


def _gad7(total: int) -> dict:
    return {f"gad7_{n}": min(3, max(0, total - 3 * (n - 1))) for n in range(1, 8)}


def _record(clinic, instrument, answers, days_ago=0):
    return services.administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        instrument_key=instrument,
        answers=answers,
        completed_at=timezone.now() - timedelta(days=days_ago, minutes=1),
    )


def _chart(client, clinic, user=None):
    verified_login(client, user or clinic.clinician_a)
    return client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()


def test_severe_gad7_is_a_finding_on_the_chart_and_caseload_not_on_the_worklist(client, clinic):
    _record(clinic, "gad7", GAD7_SEVERE)
    html = _chart(client, clinic)
    assert 'data-testid="findings"' in html
    assert "GAD-7</strong> 21: Severe" in html
    assert "Severe anxiety symptoms: review the treatment plan." in html
    assert 'data-testid="measure-alert"' not in html
    caseload = client.get("/caseload/").content.decode()
    assert 'data-testid="finding"' in caseload
    assert "No alerts." in client.get("/measures/alerts/").content.decode()
    assert Alert.objects.count() == 0


def test_a_later_lower_score_clears_the_finding(clinic):
    _record(clinic, "gad7", GAD7_SEVERE, days_ago=7)
    _record(clinic, "gad7", _gad7(6))
    rows = list(Administration.objects.all())
    assert progress.findings_of(progress.series_of(rows)) == []


def test_audit_zone_iv_and_a_suggested_zone_iv_are_findings(clinic):
    _record(clinic, "audit", AUDIT_ZONE_IV)
    [finding] = progress.findings_of(progress.series_of(list(Administration.objects.all())))
    assert (finding.instrument, finding.total, finding.from_suggested_band) == ("AUDIT", 40, False)
    assert finding.band == "Possible dependence (zone IV)"
    zone_iii_moved_up = {f"audit_{n}": 0 for n in range(1, 11)} | {
        "audit_1": 4,
        "audit_2": 4,
        "audit_3": 4,
        "audit_4": 4,
    }
    _record(clinic, "audit", zone_iii_moved_up)
    [finding] = progress.findings_of(progress.series_of(list(Administration.objects.all())))
    assert (finding.total, finding.from_suggested_band) == (16, True)
    assert finding.band == (
        "Harmful (zone III); item answers suggest Possible dependence (zone IV)"
    )


def test_chart_shows_the_suggested_audit_zone(client, clinic):
    answers = {f"audit_{n}": 0 for n in range(1, 11)} | {"audit_1": 2, "audit_5": 2}
    _record(clinic, "audit", answers)
    html = _chart(client, clinic)
    assert "(item answers suggest hazardous)" in html
    assert ">Zone moved up</span>" in html  # the flag in words, not its key (issue 12)


def test_pcl5_change_is_never_drawn_as_reliable(client, clinic):
    _record(clinic, "pcl5", PCL5_HIGH, days_ago=28)
    _record(clinic, "pcl5", PCL5_LOW)
    [series] = progress.series_of(list(Administration.objects.all()))
    assert [point.reliable for point in series.points] == [None, None]
    assert series.threshold_unverified is True
    html = _chart(client, clinic)
    card = html.split('data-testid="trajectory-pcl5"', 1)[1].split("</div>", 1)[0]
    assert "data-change" not in card
    assert 'data-testid="threshold-unverified"' in card
    assert "-40 from baseline" in card
    assert "reliable improvement" not in card


def test_phq9_change_is_still_drawn(client, clinic):
    _record(clinic, "phq9", _phq9(20), days_ago=28)
    _record(clinic, "phq9", _phq9(8))
    html = _chart(client, clinic)
    assert 'data-change="improvement"' in html
    assert "threshold-unverified" not in html


@pytest.mark.parametrize(
    ("phq9", "gad7", "text"),
    [
        ((15, 5), (9, 4), "<strong>Yes</strong>"),
        ((15, 11), (9, 4), "<strong>Not yet</strong>: still at caseness"),
        ((9, 4), (7, 3), "Not applicable: below caseness on both at the start."),
    ],
)
def test_chart_shows_the_joint_reliable_recovery(client, clinic, phq9, gad7, text):
    for days_ago, index in ((28, 0), (0, 1)):
        _record(clinic, "phq9", _phq9(phq9[index]), days_ago)
        _record(clinic, "gad7", _gad7(gad7[index]), days_ago)
    html = _chart(client, clinic)
    card = html.split('data-testid="reliable-recovery"', 1)[1].split("</div>", 1)[0]
    assert text in card
    for key in ("phq9", "gad7"):  # a single instrument's card never speaks of recovery
        one = html.split(f'data-testid="trajectory-{key}"', 1)[1].split("</div>", 1)[0]
        assert "recover" not in one.lower()


def test_outcomes_api(client, clinic):
    _record(clinic, "phq9", _phq9(16), days_ago=28)
    _record(clinic, "phq9", _phq9(6))
    _record(clinic, "gad7", _gad7(10), days_ago=28)
    _record(clinic, "gad7", _gad7(5))
    _record(clinic, "pcl5", PCL5_HIGH, days_ago=28)
    _record(clinic, "pcl5", PCL5_LOW)
    verified_login(client, clinic.clinician_a)
    body = client.get(f"/api/v1/measures/patients/{clinic.patient_a.pk}/outcomes").json()
    rows = {row["instrument"]: row for row in body["instruments"]}
    assert rows["phq9"]["classification"] == "reliable_improvement"
    assert rows["phq9"]["threshold"]["verified"] is True
    assert (rows["pcl5"]["change"], rows["pcl5"]["classification"]) == (-40, None)
    assert rows["pcl5"]["threshold"]["points"] == 10
    assert rows["pcl5"]["threshold"]["verified"] is False
    assert body["reliable_recovery"] == {
        "reliable_recovery": True,
        "reason": "",
        "caseness_at_baseline": True,
        "below_caseness_on_both": True,
        "reliable_improvement": True,
        "reliable_deterioration": False,
    }
    assert all("recovery" not in key for row in rows.values() for key in row)
    event = AuditEvent.objects.get(object_type="measure_outcomes")
    assert (event.patient_id, event.outcome) == (clinic.patient_a.pk, "allowed")


@pytest.mark.parametrize("who", ["billing_a", "admin", "clinician_b", "patient_user_b"])
def test_outcomes_api_denied(client, clinic, who):
    _record(clinic, "phq9", _phq9(16))
    user = getattr(clinic, who)
    if user.kind == "patient":
        client.force_login(user)
    else:
        verified_login(client, user)
    response = client.get(f"/api/v1/measures/patients/{clinic.patient_a.pk}/outcomes")
    assert response.status_code == 403
    assert "16" not in response.content.decode()
    event = AuditEvent.objects.get(object_type="measure_outcomes")
    assert (event.outcome, event.patient_id) == ("denied", clinic.patient_a.pk)
