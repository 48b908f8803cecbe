"""What the demo's measurement history must look like (called by the demo test on its one
build): plausible, synthetic questionnaires, most patients improving, a few alerts."""

from __future__ import annotations

from stepwell.measures import progress
from stepwell.measures.models import Administration, Alert, ScheduleRule


def check_measurement_history(clinic) -> None:
    assert ScheduleRule.objects.count() == 9
    completed = Administration.objects.filter(status="completed")
    assert completed.filter(instrument_key="phq9").count() > 60
    assert completed.filter(instrument_key="gad7").count() > 30
    assert completed.filter(instrument_key__in=["audit", "dast10"]).exists()
    assert 1 <= Alert.objects.filter(status="open").values("patient").distinct().count() <= 2
    assert Alert.objects.filter(status="acknowledged").exists()
    assert all(a.action_note for a in Alert.objects.filter(status="acknowledged"))
    assert Administration.objects.filter(status="due").exists()
    assert not Alert.objects.exclude(kind="suicide_risk").exists()  # severe scores: findings
    assert all(program.on_call_clinician for program in clinic.programs.values())
    findings = [
        progress.findings_of(progress.series_of(list(patient.administrations.all())))
        for patient in clinic.patients
    ]
    assert any(findings)
    per_patient: dict[int, list] = {}
    for a in completed.filter(instrument_key="phq9"):
        per_patient.setdefault(a.patient_id, []).append(a)
    assert max(len(rows) for rows in per_patient.values()) == 8
    directions = [
        progress.series_of(rows)[0].points[-1].total - progress.series_of(rows)[0].points[0].total
        for rows in per_patient.values()
        if len(rows) >= 4
    ]
    improving = sum(change < 0 for change in directions)
    assert improving > len(directions) / 2
    assert any(change >= 0 for change in directions)
