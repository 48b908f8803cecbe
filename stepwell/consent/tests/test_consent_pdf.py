"""The PDF of what was signed: printed by WeasyPrint from the kept signed text (the same
HTML as the consent page), the same bytes every time, refused when the kept text no longer
matches its fingerprint; a Part 2 consent's PDF carries the §2.32 notice. Downloaded from
the chart and, for the patient's own consents, the portal; audited; never cached."""

from __future__ import annotations

import io
import time

import pypdf
import pytest

from stepwell.consent.documents import sha256
from stepwell.consent.models import Consent
from stepwell.consent.notices import PART2_NOTICE
from stepwell.consent.selectors import consent_pdf
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

from .conftest import RECIPIENT, part2_consent


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_the_chart_downloads_the_signed_part2_consent_with_the_notice(client, part2):
    consent = part2_consent(part2)
    verified_login(client, part2.clinician_b)
    page = client.get(f"/consent/patients/{part2.patient_b.pk}/").content.decode()
    assert f"/consent/consents/{consent.pk}/pdf/" in page
    seq = last_seq()
    response = client.get(f"/consent/consents/{consent.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert f'filename="consent-{consent.pk}.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Blake Birch" in text and RECIPIENT.split(",")[0] in text
    assert " ".join(PART2_NOTICE.split()[:12]) in text
    assert consent.signed_html_sha256 in text.replace(" ", "")
    [event] = AuditEvent.objects.filter(seq__gt=seq, object_type="consent_pdf")
    assert (event.action, event.outcome, event.patient_id, event.user_id) == (
        "export",
        "allowed",
        part2.patient_b.pk,
        part2.clinician_b.pk,
    )


def test_the_pdf_printed_an_hour_later_is_the_same_bytes(part2, monkeypatch):
    """The fonts a PDF embeds carry a fixed time (SOURCE_DATE_EPOCH, stepwell/settings),
    not the second they were subset: two prints a second apart differed."""
    from stepwell.consent.documents import consent_pdf as print_pdf

    consent = part2_consent(part2)
    first = print_pdf(consent)
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert print_pdf(consent) == first


def test_the_pdf_is_the_same_every_time_and_the_page_shows_the_same_text(client, part2):
    consent = part2_consent(part2)
    verified_login(client, part2.clinician_b)
    first = client.get(f"/consent/consents/{consent.pk}/pdf/").content
    second = client.get(f"/consent/consents/{consent.pk}/pdf/").content
    assert first == second
    page = client.get(f"/consent/consents/{consent.pk}/").content.decode()
    assert consent.signed_html in page and "42 CFR part 2" in page
    assert consent.signed_html_sha256 in page


def test_a_hipaa_release_has_no_part2_notice(part2):
    consent = part2_consent(part2, kind="hipaa_roi", recipients="Jordan Birch (sister)")
    _, pdf = consent_pdf(actor=part2.clinician_b, consent_id=consent.pk)
    text = pdf_text(pdf)
    assert "Blake Birch" in text and "Jordan Birch" in text
    assert "These rules prohibit you from using or disclosing this record" not in text


def test_a_changed_signed_text_is_not_printed(client, part2):
    consent = part2_consent(part2)
    Consent.objects.filter(pk=consent.pk).update(
        signed_html=consent.signed_html.replace("Blake Birch", "Someone Else")
    )
    with pytest.raises(ApplicationError) as caught:
        consent_pdf(actor=part2.clinician_b, consent_id=consent.pk)
    assert "does not match the fingerprint" in caught.value.field_errors["consent"]
    verified_login(client, part2.clinician_b)
    response = client.get(f"/consent/consents/{consent.pk}/pdf/")
    assert response.status_code == 400
    page = client.get(f"/consent/consents/{consent.pk}/").content.decode()
    assert "does not match the fingerprint" in page and "Someone Else" not in page


def test_the_patient_downloads_their_own_consent_from_the_portal(client, part2):
    consent = part2_consent(part2)
    client.force_login(part2.patient_user_b)
    page = client.get("/consent/mine/").content.decode()
    assert f"/consent/consents/{consent.pk}/pdf/" in page
    response = client.get(f"/consent/consents/{consent.pk}/pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    assert sha256(Consent.objects.get(pk=consent.pk).signed_html) == consent.signed_html_sha256


def test_another_patient_and_billing_are_refused_and_audited(client, part2):
    consent = part2_consent(part2)
    for user in (part2.patient_user_a, part2.billing_a):
        seq = last_seq()
        with pytest.raises(AccessDenied):
            consent_pdf(actor=user, consent_id=consent.pk)
        new = AuditEvent.objects.filter(seq__gt=seq)
        assert [(e.outcome, e.user_id) for e in new] == [("denied", user.pk)]
    client.force_login(part2.patient_user_a)
    assert client.get(f"/consent/consents/{consent.pk}/pdf/").status_code == 403
