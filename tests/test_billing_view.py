"""Billing staff see identity, insurance and episode dates, never scores, alerts or notes."""

from stepwell.measures import services as measures
from stepwell.testing.auth import verified_login
from stepwell.testing.html import without_tokens


def test_billing_caseload_and_chart_hold_no_clinical_content(client, clinic):
    measures.administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        instrument_key="phq9",
        answers={str(n): 3 for n in range(1, 10)},
    )
    verified_login(client, clinic.billing_a)
    caseload = without_tokens(client.get("/caseload/").content.decode())
    chart = without_tokens(client.get(f"/patients/{clinic.patient_a.pk}/").content.decode())
    assert "Alder" in caseload
    assert "SYN123456" in chart
    for html in (caseload, chart):
        for word in ("PHQ", "GAD", "suicide", "severe", "Measures"):
            assert word not in html, word
    client.logout()
    verified_login(client, clinic.clinician_a)
    assert "PHQ-9" in client.get("/caseload/").content.decode()


def test_a_token_that_spells_a_word_is_not_read_as_the_page_saying_it(client, clinic):
    """The check above once failed on a CSRF token that happened to hold "PHQ"."""
    verified_login(client, clinic.billing_a)
    response = client.get("/caseload/")
    page = response.content.decode()
    token = str(response.context["csrf_token"])
    assert len(token) == 64 and token in page
    assert token not in without_tokens(page)
    planted = page.replace("Alder", "Alder " + "PHQ" + "x" * 61)
    assert "PHQ" not in without_tokens(planted)
    assert "Alder" in without_tokens(planted)
