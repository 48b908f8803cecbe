"""Remittance (835) import and voided claims, end to end: claims written from attended,
signed days; a synthetic 835 (validated by pyx12) paying one day and denying another
(CARC 50) plus a claim the program never sent; the lines marked, the unknown claim
reported; a bad file refused naming its segment with nothing written; the same file
refused the second time; the command; voids (frequency code 8) that release the days."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from stepwell.billing import services
from stepwell.billing.models import BilledDay, Claim, ClaimBatch, ClaimLine, Remittance
from stepwell.billing.remit import PaidClaim, PaidLine, RemitError, build_835, parse_835
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

from .records import (
    WEEK_1,
    WEEK_2,
    attended_group,
    covered,
    diagnosed,
    now_after,
    provider_and_charges,
)
from .test_claims import H0015
from .x12_check import pyx12_errors


@pytest.fixture
def billed(clinic):
    """Two H0015 days of patient A billed on one claim."""
    provider_and_charges(clinic.program_a)
    diagnosed(clinic.episode_a, clinic.clinician_a)
    covered(clinic.patient_a, **H0015)
    for offset in (0, 1):
        day = WEEK_1 + timedelta(days=offset)
        attended_group(clinic.program_a, clinic.clinician_a, clinic.patient_a, day=day)
    batch = services.claims_generate(
        actor=clinic.billing_a,
        program_id=clinic.program_a.pk,
        date_from=WEEK_1,
        date_to=WEEK_1 + timedelta(days=6),
        file_format="837i",
        now=now_after(clinic.program_a, WEEK_2 + timedelta(days=10)),
    )
    clinic.claim = batch.claims.get()
    return clinic


def _remit(claim: Claim, *, trace="CHK-1", extra=()) -> str:
    first, second = claim.lines.order_by("service_date")
    paid = PaidClaim(
        claim_number=claim.claim_number,
        member_id="M0001",
        last_name="Example",
        first_name="Pat",
        lines=(
            PaidLine(first.service_date, "H0015", "0905", first.charge, Decimal("200.00")),
            PaidLine(
                second.service_date, "H0015", "0905", second.charge, Decimal("0"), reason="50"
            ),
        ),
    )
    return build_835(
        payer_name="Synthetic Payer",
        payer_id="SYN01",
        provider_name="Stepwell Synthetic IOP",
        provider_npi="1234567893",
        receiver_id="STEPWELLSYN",
        trace_number=trace,
        paid_on=date(2026, 12, 1),
        claims=[paid, *extra],
    )


UNKNOWN = PaidClaim(
    "SW9999990001",
    "M9",
    "Other",
    "Person",
    (PaidLine(date(2026, 11, 2), "H0015", "0905", Decimal("250"), Decimal("250")),),
)


def test_the_synthetic_835_is_valid_and_reads_back(billed):
    text = _remit(billed.claim, extra=[UNKNOWN])
    assert pyx12_errors(text) == (True, [])
    remit = parse_835(text)
    assert (remit.payer_name, remit.trace_number, remit.total_paid) == (
        "SYNTHETIC PAYER",
        "CHK-1",
        Decimal("450"),
    )
    assert [c.claim_number for c in remit.claims] == [billed.claim.claim_number, "SW9999990001"]
    denied = remit.claims[0].lines[1]
    assert (denied.paid, denied.adjustments[0].group, denied.adjustments[0].reason) == (
        Decimal("0"),
        "CO",
        "50",
    )


def test_import_marks_lines_paid_and_denied_and_reports_unknown_claims(billed):
    claim = billed.claim
    result = services.remittance_import(
        actor=billed.billing_a,
        program_id=billed.program_a.pk,
        content=_remit(claim, extra=[UNKNOWN]),
        file_name="dec.835",
    )
    assert (result.claims_matched, result.lines_paid, result.lines_denied) == (1, 1, 1)
    assert result.unknown_claims == ["SW9999990001"] and result.unmatched_lines == []
    first, second = claim.lines.order_by("service_date")
    assert (first.remit_outcome, first.paid_amount) == ("paid", Decimal("200.00"))
    assert first.reason_codes == "CO-45 50"
    assert (second.remit_outcome, second.paid_amount, second.reason_codes) == (
        "denied",
        Decimal("0.00"),
        "CO-50 250",
    )
    claim.refresh_from_db()
    assert claim.status == "paid"
    event = AuditEvent.objects.get(object_type="remittance", outcome="allowed")
    assert event.detail["patients"] == [billed.patient_a.pk]
    with pytest.raises(ApplicationError) as again:
        services.remittance_import(
            actor=billed.billing_a, program_id=billed.program_a.pk, content=_remit(claim)
        )
    assert "already imported" in again.value.field_errors["file"]
    assert Remittance.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "segment"),
    [
        (lambda t: t.replace("*1*500*200*", "*XX*500*200*"), "segment CLP"),
        (lambda t: t.replace("SVC*HC:H0015*250*0*", "SVX*HC:H0015*250*0*"), "segment SVX"),
        (lambda t: "not an edi file", "segment ISA"),
    ],
)
def test_a_bad_file_is_refused_naming_the_segment_and_nothing_changes(billed, change, segment):
    text = change(_remit(billed.claim))
    with pytest.raises(ApplicationError) as error:
        services.remittance_import(
            actor=billed.billing_a, program_id=billed.program_a.pk, content=text
        )
    assert segment in error.value.field_errors["file"]
    assert not Remittance.objects.exists()
    assert not ClaimLine.objects.exclude(remit_outcome="").exists()


def test_parse_refuses_a_file_of_another_transaction():
    with pytest.raises(RemitError, match="segment ISA"):
        parse_835("GS*HP~")


@pytest.mark.parametrize("name", ["clinician_a", "nurse_a", "intake_a", "admin", "clinician_b"])
def test_remittance_import_called_by_a_refused_role(billed, name):
    with pytest.raises(AccessDenied):
        services.remittance_import(
            actor=getattr(billed, name),
            program_id=billed.program_a.pk,
            content=_remit(billed.claim),
        )
    assert AuditEvent.objects.filter(object_type="remittance", outcome="denied").count() == 1
    assert not Remittance.objects.exists()


def test_upload_from_the_billing_page(client, billed):
    verified_login(client, billed.billing_a)
    url = f"/billing/programs/{billed.program_a.pk}/remittances/"
    bad = client.post(url, {"file": SimpleUploadedFile("x.835", b"ISA*broken~")})
    assert bad.status_code == 400 and "segment" in bad.content.decode()
    upload = SimpleUploadedFile("dec.835", _remit(billed.claim, extra=[UNKNOWN]).encode())
    done = client.post(url, {"file": upload})
    remittance = Remittance.objects.get()
    assert done.status_code == 302 and done.url == f"/billing/remittances/{remittance.pk}/"
    page = client.get(done.url).content.decode()
    assert 'data-outcome="paid"' in page and 'data-outcome="denied"' in page
    assert "SW9999990001" in page and "CO-50" in page
    assert remittance.file_name == "dec.835"


def test_remit_command(billed, tmp_path):
    path = tmp_path / "dec.835"
    path.write_text(_remit(billed.claim, extra=[UNKNOWN]))
    call_command("billing", "remit", "--program", str(billed.program_a.pk), str(path))
    assert Remittance.objects.get().created_by_name.startswith("system:stepwell billing remit")
    bad = tmp_path / "bad.835"
    bad.write_text(_remit(billed.claim, trace="CHK-2").replace("*1*500*200*", "*XX*500*200*"))
    with pytest.raises(CommandError, match="segment CLP"):
        call_command("billing", "remit", "--program", str(billed.program_a.pk), str(bad))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("billing", "remit", "--program", "1", str(tmp_path / "none.835"))
    assert Remittance.objects.count() == 1


def test_void_claim_names_the_original_and_releases_its_days(billed):
    claim = billed.claim
    batch = services.claim_void(actor=billed.billing_a, claim_id=claim.pk)
    void = batch.claims.get()
    assert (void.frequency_code, void.original_id, void.status) == ("8", claim.pk, "voided")
    assert f"REF*F8*{claim.claim_number}~" in batch.content and "13:A:8" in batch.content
    assert pyx12_errors(batch.content) == (True, [])
    claim.refresh_from_db()
    assert claim.status == "voided"
    assert not BilledDay.objects.filter(active=True).exists()
    with pytest.raises(ApplicationError) as again:
        services.claim_void(actor=billed.billing_a, claim_id=claim.pk)
    assert "claim" in again.value.field_errors
    # the released days can be billed again
    rebilled = services.claims_generate(
        actor=billed.billing_a,
        program_id=billed.program_a.pk,
        date_from=WEEK_1,
        date_to=WEEK_1 + timedelta(days=6),
        file_format="837i",
        now=now_after(billed.program_a, WEEK_2 + timedelta(days=11)),
    )
    assert rebilled.claims.get().days.filter(active=True).count() == 2


@pytest.mark.parametrize("name", ["clinician_a", "nurse_a", "admin", "clinician_b"])
def test_claim_void_called_by_a_refused_role(billed, name):
    with pytest.raises(AccessDenied):
        services.claim_void(actor=getattr(billed, name), claim_id=billed.claim.pk)
    assert AuditEvent.objects.filter(object_type="claim", outcome="denied").count() == 1
    assert ClaimBatch.objects.count() == 1
    billed.claim.refresh_from_db()
    assert billed.claim.status == "submitted"


def test_void_from_the_claims_page(client, billed):
    verified_login(client, billed.billing_a)
    page = client.get(f"/billing/claims/{billed.claim.batch_id}/").content.decode()
    assert 'data-testid="void-form"' in page
    done = client.post(f"/billing/claim/{billed.claim.pk}/void/")
    assert done.status_code == 302
    void_batch = ClaimBatch.objects.latest("pk")
    assert done.url == f"/billing/claims/{void_batch.pk}/"
    assert "voids" in client.get(done.url).content.decode()


def test_a_claims_file_is_not_a_remittance(billed):
    with pytest.raises(RemitError, match="segment GS: GS08 is '005010X223A2'"):
        parse_835(billed.claim.batch.content)


def _secondary_coverage(patient):
    from stepwell.testing.factories import CoverageFactory, PayerFactory

    return CoverageFactory(
        patient=patient,
        payer=PayerFactory(name="Second Payer", payer_identifier="SYN02", **H0015),
        priority="secondary",
        member_id="S0002",
        group_number="G02",
        effective_from=date(2026, 1, 1),
        address_line="1 Synthetic St",
        city="Springfield",
        state="IL",
        postal_code="62701",
    )


def test_secondary_claim_carries_the_primarys_payment(billed):
    claim = billed.claim
    secondary = _secondary_coverage(billed.patient_a)
    with pytest.raises(ApplicationError, match="No secondary claim") as unpaid:
        services.claim_secondary(actor=billed.billing_a, claim_id=claim.pk)
    assert "remittance has paid" in unpaid.value.field_errors["claim"]
    services.remittance_import(
        actor=billed.billing_a, program_id=billed.program_a.pk, content=_remit(claim)
    )
    batch = services.claim_secondary(actor=billed.billing_a, claim_id=claim.pk)
    made = batch.claims.get()
    assert (made.primary_claim_id, made.coverage_id, made.frequency_code) == (
        claim.pk,
        secondary.pk,
        "1",
    )
    text = batch.content
    assert pyx12_errors(text) == (True, [])
    assert "\nSBR*S*18*G02" in text  # billed to the secondary as such
    assert "\nAMT*D*200~" in text and "\nOI***Y***Y~" in text  # the primary paid 200
    assert "\nSVD*SYN01*200*HC:H0015*0905*1~" in text and "\nCAS*CO*50*250~" in text
    assert "\nDTP*573*D8*20261201~" in text
    assert BilledDay.objects.filter(active=True, claim=claim).count() == 2  # days stay
    with pytest.raises(ApplicationError, match="No secondary claim"):
        services.claim_secondary(actor=billed.billing_a, claim_id=claim.pk)


@pytest.mark.parametrize("name", ["clinician_a", "admin", "clinician_b"])
def test_claim_secondary_called_by_a_refused_role(billed, name):
    _secondary_coverage(billed.patient_a)
    services.remittance_import(
        actor=billed.billing_a, program_id=billed.program_a.pk, content=_remit(billed.claim)
    )
    with pytest.raises(AccessDenied):
        services.claim_secondary(actor=getattr(billed, name), claim_id=billed.claim.pk)
    assert AuditEvent.objects.filter(object_type="claim", outcome="denied").count() == 1
    assert ClaimBatch.objects.count() == 1
