"""Migration measures 0003: open severe-score alerts become findings, nothing is lost."""

from __future__ import annotations

import importlib

from django.apps import apps

from stepwell.measures.models import Administration, Alert

migration = importlib.import_module(
    "stepwell.measures.migrations.0003_reclassify_severe_score_alerts"
)


def _alert(clinic, instrument, kind, status="open"):
    administration = Administration.objects.create(
        patient=clinic.patient_a, episode=clinic.episode_a, instrument_key=instrument
    )
    fields = {}
    if status == "acknowledged":
        fields = {
            "acknowledged_by": clinic.clinician_a,
            "acknowledged_at": clinic.episode_a.created_at,
            "action_note": "Seen in session.",
        }
    return Alert.objects.create(
        patient=clinic.patient_a,
        administration=administration,
        kind=kind,
        reason=f"{instrument}: severe.",
        status=status,
        **fields,
    )


def test_open_severe_score_alerts_are_reclassified_and_can_be_reopened(clinic):
    gad7 = _alert(clinic, "gad7", "severe_band")
    asq = _alert(clinic, "asq", "severe_band")
    handled = _alert(clinic, "audit", "severe_band", status="acknowledged")
    risk = _alert(clinic, "phq9", "suicide_risk")
    migration.reclassify(apps, None)
    for alert in (gad7, asq, handled, risk):
        alert.refresh_from_db()
    assert (gad7.status, gad7.action_note) == ("reclassified", migration.NOTE)
    assert gad7.acknowledged_at is not None and gad7.acknowledged_by is None
    assert (asq.status, asq.action_note) == ("reclassified", migration.ASQ_NOTE)
    assert (handled.status, handled.action_note) == ("acknowledged", "Seen in session.")
    assert risk.status == "open"
    migration.reopen(apps, None)
    gad7.refresh_from_db()
    handled.refresh_from_db()
    assert (gad7.status, gad7.acknowledged_at, gad7.action_note) == ("open", None, "")
    assert handled.status == "acknowledged"


def test_reclassified_alerts_stay_readable_on_the_worklist(client, clinic):
    from stepwell.testing.auth import verified_login

    _alert(clinic, "gad7", "severe_band")
    migration.reclassify(apps, None)
    verified_login(client, clinic.clinician_a)
    assert "No alerts." in client.get("/measures/alerts/").content.decode()
    html = client.get("/measures/alerts/?status=reclassified").content.decode()
    assert "Reclassified as a clinical finding" in html
    assert migration.NOTE in html
