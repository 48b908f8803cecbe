"""From billable days to claims and a claims file: the bridge between the database and
the 837I/CSV writers (billing/x12.py).

Days to bill are grouped into one claim per patient, coverage and authorization; each day
brings its lines (per diem, or one per service for Medicare IOP), priced from the charge
master. Claims hold only codes, dates and the people and payer a claim must name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Episode, EpisodeState

from . import x12
from .models import BillingProvider, Charge, Claim, ClaimFormat, Coverage
from .selectors.days import PatientDay

PATIENT_STILL_IN_CARE = "30"
PATIENT_DISCHARGED_HOME = "01"


@dataclass
class LineDraft:
    service_date: date
    revenue_code: str
    procedure_code: str
    units: int
    charge: Decimal


@dataclass
class ClaimDraft:
    patient_id: int
    coverage: Coverage
    authorization_number: str
    days: list[PatientDay]
    lines: list[LineDraft]

    @property
    def statement_from(self) -> date:
        return min(d.day for d in self.days)

    @property
    def statement_to(self) -> date:
        return max(d.day for d in self.days)

    @property
    def total(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0"))


def billing_provider_of(program) -> BillingProvider:
    provider = BillingProvider.objects.filter(program=program).first()
    if provider is None:
        raise ApplicationError(
            f"{program.name} has no billing provider yet.",
            field_errors={
                "program": "An administrator sets up the program's billing provider "
                "(NPI, tax ID, address) in clinic setup."
            },
        )
    return provider


def charges_for(codes: set[str]) -> dict[str, Decimal]:
    """The charge of each code, or a refusal naming the codes without one."""
    charges = dict(Charge.objects.filter(code__in=codes).values_list("code", "amount"))
    missing = sorted(codes - set(charges))
    if missing:
        raise ApplicationError(
            f"No charge is set for {', '.join(missing)}.",
            field_errors={
                "program": f"An administrator sets the charge of {', '.join(missing)} in "
                "clinic setup (Charges)."
            },
        )
    return charges


def claim_drafts(days: list[PatientDay]) -> list[ClaimDraft]:
    """One draft per patient, coverage, authorization and week (Monday to Sunday), days
    in date order: a weekly claim keeps a correction or a denial to one week."""
    groups: dict[tuple, list[PatientDay]] = defaultdict(list)
    for day in sorted(days, key=lambda d: (d.patient.pk, d.day)):
        number = day.authorization.number if day.authorization else ""
        monday = day.day - timedelta(days=day.day.weekday())
        groups[(day.patient.pk, day.coverage.pk, number, monday)].append(day)
    codes = {line.procedure_code for d in days for line in d.result.lines}
    charges = charges_for(codes) if codes else {}
    drafts = []
    for (patient_id, _, number, _), group in groups.items():
        lines = [
            LineDraft(
                day.day,
                line.revenue_code,
                line.procedure_code,
                line.units,
                charges[line.procedure_code] * line.units,
            )
            for day in group
            for line in day.result.lines
        ]
        drafts.append(ClaimDraft(patient_id, group[0].coverage, number, group, lines))
    return drafts


def _split_name(name: str) -> tuple[str, str]:
    """'Jordan Lee Smith' -> ('Smith', 'Jordan Lee'): last word as the last name."""
    parts = name.split()
    if not parts:
        return "", ""
    return parts[-1], " ".join(parts[:-1])


def _patient_status(claim: Claim) -> str:
    discharged = Episode.objects.filter(
        patient_id=claim.patient_id,
        program_id=claim.program_id,
        state=EpisodeState.DISCHARGED,
        discharged_on__lte=claim.statement_to,
        discharged_on__gte=claim.statement_from,
    ).exists()
    return PATIENT_DISCHARGED_HOME if discharged else PATIENT_STILL_IN_CARE


def parse_adjustments(text: str) -> tuple[tuple[str, str, Decimal], ...]:
    """'CO-45 50, PR-2 10' (as a remittance's reason codes are kept) -> tuples."""
    found = []
    for part in (text or "").split(","):
        code, _, money = part.strip().partition(" ")
        group, _, reason = code.partition("-")
        if group and reason and money:
            found.append((group, reason, Decimal(money)))
    return tuple(found)


def _subscriber_of(coverage, person: x12.Person) -> x12.Person:
    if coverage.subscriber_is_patient:
        return person
    last, first = _split_name(coverage.subscriber_name)
    return x12.Person(last, first)


def prior_payment(primary: Claim, person: x12.Person) -> x12.PriorPayment:
    """The primary claim's adjudication, from its latest remittance, for a secondary."""
    payment = primary.payments.select_related("remittance").order_by("-pk").first()
    coverage, payer = primary.coverage, primary.payer
    return x12.PriorPayment(
        payer_name=payer.name,
        payer_id=payer.payer_identifier,
        claim_filing=payer.claim_filing_indicator,
        member_id=coverage.member_id,
        group_number=coverage.group_number,
        relationship=coverage.subscriber_relationship,
        subscriber=_subscriber_of(coverage, person),
        paid=payment.paid if payment else Decimal("0"),
        paid_on=(payment.remittance.paid_on if payment else None) or primary.statement_to,
        adjustments=parse_adjustments(payment.reason_codes if payment else ""),
        lines=tuple(
            x12.LinePaid(line.paid_amount or Decimal("0"), parse_adjustments(line.reason_codes))
            for line in primary.lines.all()
        ),
    )


def claim_out(claim: Claim, provider: BillingProvider, diagnoses: tuple[str, ...]) -> x12.ClaimOut:
    coverage = claim.coverage
    patient = claim.patient
    address = x12.Address(
        coverage.address_line, coverage.city, coverage.state, coverage.postal_code
    )
    person = x12.Person(
        patient.legal_last_name,
        patient.legal_first_name,
        address,
        patient.date_of_birth,
        patient.sex_assigned_at_birth,
    )
    subscriber = _subscriber_of(coverage, person)
    payer = claim.payer
    primary = claim.primary_claim if claim.primary_claim_id else None
    return x12.ClaimOut(
        claim_number=claim.claim_number,
        frequency_code=claim.frequency_code,
        original_claim_number=claim.original.claim_number if claim.original_id else "",
        facility_code=provider.facility_type_code,
        statement_from=claim.statement_from,
        statement_to=claim.statement_to,
        patient_status=_patient_status(claim),
        payer_name=payer.name,
        payer_id=payer.payer_identifier,
        claim_filing=payer.claim_filing_indicator,
        member_id=coverage.member_id,
        group_number=coverage.group_number,
        relationship=coverage.subscriber_relationship,
        subscriber=subscriber,
        patient=person,
        record_number=patient.mrn,
        diagnoses=diagnoses,
        condition_codes=(payer.condition_code,) if payer.condition_code else (),
        prior_authorization=claim.prior_authorization,
        attending=x12.Person(provider.attending_last_name, provider.attending_first_name),
        attending_npi=provider.attending_npi,
        program_name=claim.program.name,
        responsibility="S" if primary else "P",
        prior=prior_payment(primary, person) if primary else None,
        lines=tuple(
            x12.LineOut(
                line.service_date, line.revenue_code, line.procedure_code, line.units, line.charge
            )
            for line in claim.lines.all()
        ),
    )


def claims_file(
    *,
    file_format: str,
    provider: BillingProvider,
    claims: list[x12.ClaimOut],
    control_number: int,
    now: datetime,
) -> str:
    x12_provider = x12.Provider(
        name=provider.name,
        npi=provider.npi,
        tax_id=provider.tax_id,
        address=x12.Address(
            provider.address_line, provider.city, provider.state, provider.postal_code
        ),
        taxonomy=provider.taxonomy_code,
    )
    if file_format == ClaimFormat.CSV:
        return x12.build_csv(x12_provider, claims)
    submission = x12.Submission(
        sender_id=provider.submitter_id,
        receiver_id=provider.receiver_id,
        receiver_name=provider.receiver_name,
        submitter_name=provider.name,
        contact_name=provider.contact_name,
        contact_phone=provider.contact_phone,
        control_number=control_number,
        created_at=now,
        production=provider.production,
    )
    return x12.build_837i(submission, x12_provider, claims)
