"""The demo clinic's payers and coverages: one payer of each kind a real IOP bills, each
with its hours rule and billing rules (docs/clinical-sources.md §2), and each program's
own rule for self-pay patients. Then, once attendance and notes exist (`seed_billing`):
each program's billing provider and the charge master, authorizations in every state
with reviews due this week, last month's claims written through the claims service, and
a payer's remittance (835) for some of them, one claim denied.
Every name, number and identifier here is invented."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from stepwell.billing import services
from stepwell.billing.models import BillingProvider, Charge, Coverage, ProgramHoursRule
from stepwell.billing.services.claims import last_month
from stepwell.consent import services as consent
from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Episode, EpisodeState, Patient
from stepwell.schedule.calendar.weeks import local_to_utc

# (name, kind, hours rule, the payer's own numbers beyond its rule's defaults)
PAYERS = {
    "medicare": (
        "Medicare (synthetic)",
        "medicare",
        "medicare_iop",
        {"payer_identifier": "SYNMCR"},
    ),
    "h0015": (
        "Example Mutual",
        "commercial",
        "h0015",
        {"payer_identifier": "SYNEXM", "requires_authorization": True},
    ),
    "commercial": (
        "Synthetic Health Plan",
        "commercial",
        "s9480",
        {"min_days": 3, "payer_identifier": "SYNSHP"},
    ),
    "medicaid": ("Demo Medicaid", "medicaid", "s9480", {"payer_identifier": "SYNMCD"}),
    "self_pay": ("Self-pay", "self_pay", "program_default", {}),
}
# Which payers a program's patients have, by weight. Alcohol and drug programs bill H0015.
PAYER_MIX = {
    "mh": [("commercial", 4), ("medicaid", 3), ("medicare", 2), ("self_pay", 1)],
    "sud": [("h0015", 5), ("medicaid", 3), ("medicare", 1), ("self_pay", 1)],
    "dual": [("h0015", 3), ("commercial", 2), ("medicaid", 3), ("medicare", 1), ("self_pay", 1)],
}
MEDICARE_AGE = 65


def seed_payers(clinic) -> dict[str, object]:
    """The payer table (set up by the administrator) and each program's own rule: three
    days a week of at least three hours, the timetable's blocks."""
    admin = clinic.users["admin"]
    payers = {}
    for key, (name, kind, rule, numbers) in PAYERS.items():
        payers[key] = services.payer_create(
            actor=admin, name=name, kind=kind, hours_rule=rule, **numbers
        )
    for program in clinic.programs.values():
        ProgramHoursRule.objects.create(
            program=program, min_daily_minutes=180, min_days=3, day_counts_from_minutes=180
        )
    return payers


def choose_payer(rng, key: str, age_years: int) -> str:
    """A payer key for a new patient: Medicare from 65, else the program's mix."""
    if age_years >= MEDICARE_AGE:
        return "medicare"
    keys, weights = zip(*PAYER_MIX[key], strict=True)
    return rng.choices(keys, weights=weights)[0]


def add_coverage(clinic, payers, patient, payer_key: str) -> None:
    services.coverage_add(
        actor=clinic.users["billing"],
        patient_id=patient.pk,
        payer_id=payers[payer_key].pk,
        member_id=patient.insurance_member_id,
        group_number=patient.insurance_group_number,
        address_line=f"{patient.pk % 900 + 10} Example Street",
        city="Springfield",
        state="IL",
        postal_code="62701",
    )


# -- billing work, once attendance and notes exist ------------------------------------

CHARGES = {
    "H0015": "240.00",
    "S9480": "310.00",
    "90853": "95.00",
    "90849": "110.00",
    "G0177": "55.00",
    "90832": "85.00",
    "90834": "125.00",
    "90837": "160.00",
}
FACILITY = {
    "mh": ("Northside Stepwell IOP", "1245319599", "261QM0801X"),
    "sud": ("Riverside Stepwell Recovery", "1386754321", "261QR0405X"),
    "dual": ("Northside Stepwell Dual", "1497758544", "261QM0801X"),
}


def _setup(clinic) -> None:
    Charge.objects.bulk_create(
        Charge(code=code, description=code, amount=Decimal(amount))
        for code, amount in CHARGES.items()
    )
    for number, (key, program) in enumerate(sorted(clinic.programs.items()), start=1):
        name, npi, taxonomy = FACILITY.get(key, (program.name, "1234567893", ""))
        BillingProvider.objects.create(
            program=program,
            name=name,
            npi=npi,
            tax_id=f"99000000{number}",
            taxonomy_code=taxonomy,
            address_line=f"{number}00 Example Ave",
            city="Springfield",
            state="IL",
            postal_code="627010001",
            facility_type_code="89",
            attending_first_name="Morgan",
            attending_last_name="Example",
            attending_npi="1588667638",
            submitter_id=f"SYNSUB{number}",
            receiver_id="SYNCLEAR",
            receiver_name="Synthetic Clearinghouse",
            contact_name="Bo Lindqvist",
            contact_phone="5555550142",
        )


def _authorizations(clinic, today: date) -> None:
    """Example Mutual asks for authorizations: most of its patients have one approved
    from admission, a few run short, one request is pending, one denied; reviews fall due
    this week."""
    clerk = clinic.users["billing"]
    monday = today - timedelta(days=today.weekday())
    rows = (
        Coverage.objects.filter(payer__requires_authorization=True, patient__in=clinic.patients)
        .select_related("payer", "patient")
        .order_by("patient_id")
    )
    for index, coverage in enumerate(rows):
        episode = (
            Episode.objects.filter(patient=coverage.patient, admitted_on__isnull=False)
            .exclude(state=EpisodeState.REFERRED)
            .order_by("-admitted_on")
            .first()
        )
        if episode is None:
            continue
        start = episode.admitted_on
        common = {
            "actor": clerk,
            "patient_id": coverage.patient_id,
            "program_id": episode.program_id,
            "payer_id": coverage.payer_id,
        }
        if index % 7 == 5:  # a request still waiting for the payer, decision due this week
            services.authorization_create(
                **common,
                starts_on=start,
                ends_on=start + timedelta(days=41),
                status="pending",
                decision_due_on=monday + timedelta(days=3),
            )
            continue
        if index % 7 == 6:  # a request the payer denied
            pending = services.authorization_create(
                **common, starts_on=start, ends_on=start + timedelta(days=41), status="pending"
            )
            review = pending.reviews.get()
            services.review_outcome_record(
                actor=clerk,
                review_id=review.pk,
                outcome="denied",
                reviewer_name="Dr. Example (payer)",
                comment="Does not meet IOP criteria per payer.",
            )
            continue
        units = 8 if index % 7 == 2 else 24  # a few run short of units
        authorization = services.authorization_create(
            **common,
            starts_on=start,
            ends_on=start + timedelta(days=48),
            number=f"EXM-{26000 + index}",
            units_approved=units,
        )
        if index % 3 == 0:
            services.review_schedule(
                actor=clerk,
                authorization_id=authorization.pk,
                due_on=monday + timedelta(days=index % 5),
            )


def _claims(clinic, today: date) -> None:
    """Last month's claims of each program, written on the first of this month."""
    clerk = clinic.users["billing"]
    first, last = last_month(today)
    for program in sorted(clinic.programs.values(), key=lambda p: p.pk):
        now = local_to_utc(program.timezone, today, time(9, 0))
        try:
            services.claims_generate(
                actor=clerk,
                program_id=program.pk,
                date_from=first,
                date_to=last,
                file_format="837i",
                now=now,
            )
        except ApplicationError as error:  # a program with nothing billable last month
            if "date_from" not in error.field_errors:
                raise


def _payment_consents(clinic, today: date) -> None:
    """In each 42 CFR Part 2 program, every insured patient signed (on paper, at admission)
    the single Part 2 consent for treatment, payment and health care operations, so their
    claims may go to the payer; the last insured patient has not, and billing shows their
    days blocked for want of consent (when they have a billable day last month)."""
    director = clinic.users["director"]
    for program in sorted(clinic.programs.values(), key=lambda p: p.pk):
        if not program.part2_program:
            continue
        insured = list(
            Patient.objects.filter(episodes__program=program, coverages__isnull=False)
            .distinct()
            .order_by("pk")
        )
        for patient in insured[:-1]:
            episode = (
                patient.episodes.filter(program=program).order_by("-referred_on", "-pk").first()
            )
            consent.consent_record(
                actor=director,
                patient_id=patient.pk,
                kind="part2",
                program_ids=[program.pk],
                signature_method="paper",
                recipient_kind="tpo",
                sections=["episodes", "diagnoses", "plan", "measures", "attendance"],
                information_description="What my treatment, payment and the program's "
                "operations need: admissions, diagnoses, plan, scores and attendance.",
                expires_on=today + timedelta(days=365),
                signer_name=patient.legal_name,
                signed_on=min(episode.admitted_on or episode.referred_on, today),
                scan=b"%PDF-1.4\n% synthetic demo scan\n",
                scan_name="part2-tpo-consent.pdf",
                scan_content_type="application/pdf",
            )


def _remittance(clinic, today: date) -> None:
    """The payer's remittance (835) for the first claims file's first claims, imported
    through the remittance service: most lines paid at the contract rate (CO-45), one
    claim denied as not medically necessary (CARC 50)."""
    from stepwell.billing.models import BillingProvider, ClaimBatch
    from stepwell.billing.remit import PaidClaim, PaidLine, build_835

    batch = ClaimBatch.objects.order_by("pk").first()
    if batch is None:
        return
    claims = list(batch.claims.select_related("patient", "coverage").order_by("pk")[:6])
    provider = BillingProvider.objects.get(program=batch.program)
    paid = []
    for index, claim in enumerate(claims):
        denied = index == len(claims) - 1
        lines = tuple(
            PaidLine(
                line.service_date,
                line.procedure_code,
                line.revenue_code,
                line.charge,
                Decimal("0") if denied else (line.charge * Decimal("0.8")).quantize(Decimal("1")),
                units=line.units,
                reason="50" if denied else "45",
            )
            for line in claim.lines.all()
        )
        paid.append(
            PaidClaim(
                claim.claim_number,
                claim.coverage.member_id or "UNKNOWN",
                claim.patient.legal_last_name,
                claim.patient.legal_first_name,
                lines,
                denied=denied,
            )
        )
    if not paid:
        return
    content = build_835(
        payer_name=claims[0].payer.name,
        payer_id="SYNPAYER",
        provider_name=provider.name,
        provider_npi=provider.npi,
        receiver_id=provider.submitter_id,
        trace_number=f"DEMO-{today:%Y%m%d}",
        paid_on=today,
        claims=paid,
    )
    services.remittance_import(
        actor=clinic.users["billing"],
        program_id=batch.program_id,
        content=content,
        file_name="demo-remittance.835",
    )


def seed_billing(clinic, rng, today: date) -> None:
    _setup(clinic)
    _authorizations(clinic, today)
    _payment_consents(clinic, today)
    _claims(clinic, today)
    _remittance(clinic, today)
