"""Billing staff see identity, insurance and episode dates, never scores, alerts or notes."""

from stepwell.measures import services as measures
from stepwell.testing.auth import verified_login


def test_billing_caseload_and_chart_hold_no_clinical_content(client, clinic):
    measures.administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        instrument_key="phq9",
        answers={str(n): 3 for n in range(1, 10)},
    )
    verified_login(client, clinic.billing_a)
    caseload = client.get("/caseload/").content.decode()
    chart = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    assert "Alder" in caseload
    assert "SYN123456" in chart
    for html in (caseload, chart):
        for word in ("PHQ", "GAD", "suicide", "severe", "Measures"):
            assert word not in html, word
    client.logout()
    verified_login(client, clinic.clinician_a)
    assert "PHQ-9" in client.get("/caseload/").content.decode()
