"""Institutional claims as an ASC X12 837I (005010X223A2) interchange, and the same claims
as CSV a clearinghouse can import. No Django.

One interchange holds one functional group and one transaction set: the submitter and
receiver, then the billing provider, and under it one subscriber (and, when the patient
is not the subscriber, one patient) per claim. Each claim carries its statement dates,
the type of bill (facility code, "A", frequency code: 1 original, 7 replacement of the
claim named in REF*F8), the patient's status, the prior authorization, the diagnoses
(ICD-10-CM, principal first), the condition codes (92 for Medicare intensive outpatient
care, docs/clinical-sources.md §2.1), the attending provider and one service line per
revenue code, procedure code, unit and date. Nothing clinical beyond these codes is ever
written: no note, no assessment text, no psychotherapy note.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

VERSION = "005010X223A2"
SEGMENT_END = "~"
ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
PAT_RELATIONSHIP = {"spouse": "01", "child": "19", "other": "G8"}
SEX_CODES = {"female": "F", "male": "M"}


@dataclass(frozen=True)
class Address:
    line: str
    city: str
    state: str
    postal_code: str


@dataclass(frozen=True)
class Person:
    last_name: str
    first_name: str
    address: Address | None = None
    birth_date: date | None = None
    sex: str = ""  # female, male, or anything else (unknown)


@dataclass(frozen=True)
class Provider:
    name: str
    npi: str
    tax_id: str
    address: Address
    taxonomy: str = ""


@dataclass(frozen=True)
class Submission:
    """Who sends the interchange to whom, when, and its control number."""

    sender_id: str
    receiver_id: str
    receiver_name: str
    submitter_name: str
    contact_name: str
    contact_phone: str
    control_number: int
    created_at: datetime
    production: bool = False


@dataclass(frozen=True)
class LineOut:
    service_date: date
    revenue_code: str
    procedure_code: str
    units: int
    charge: Decimal


@dataclass(frozen=True)
class LinePaid:
    """What the primary payer paid on one line (a secondary claim's 2430 loop)."""

    paid: Decimal
    adjustments: tuple[tuple[str, str, Decimal], ...] = ()  # (group, CARC, amount)


@dataclass(frozen=True)
class PriorPayment:
    """The primary payer's adjudication, for a secondary claim (loops 2320/2330, 2430)."""

    payer_name: str
    payer_id: str
    claim_filing: str
    member_id: str
    group_number: str
    relationship: str
    subscriber: Person
    paid: Decimal
    paid_on: date
    lines: tuple[LinePaid, ...]
    adjustments: tuple[tuple[str, str, Decimal], ...] = ()


@dataclass(frozen=True)
class ClaimOut:
    claim_number: str
    frequency_code: str  # 1 original, 7 replacement, 8 void
    facility_code: str  # the first two digits of the type of bill, e.g. 13
    statement_from: date
    statement_to: date
    patient_status: str  # 30 still a patient, 01 discharged home
    payer_name: str
    payer_id: str
    claim_filing: str  # SBR09: MA Medicare Part A, MC Medicaid, CI commercial
    member_id: str
    group_number: str
    relationship: str  # self, spouse, child, other
    subscriber: Person
    patient: Person
    record_number: str
    diagnoses: tuple[str, ...]
    attending: Person
    attending_npi: str
    lines: tuple[LineOut, ...]
    condition_codes: tuple[str, ...] = ()
    prior_authorization: str = ""
    original_claim_number: str = ""
    program_name: str = ""
    payer_label: str = field(default="", compare=False)
    responsibility: str = "P"  # SBR01: P primary, S secondary
    prior: PriorPayment | None = None  # the primary's payment, on a secondary claim

    @property
    def total(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0"))


def clean(value: object, length: int | None = None) -> str:
    """A value safe inside an element: no delimiters, single spaces, upper case."""
    text = re.sub(r"[*~:^\r\n]", " ", str(value or ""))
    text = re.sub(r"\s+", " ", text).strip().upper()
    return text[:length] if length else text


def digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def amount(value: Decimal) -> str:
    """An X12 decimal: no trailing zeros after the point, no point for whole amounts."""
    text = f"{value.quantize(Decimal('0.01'))}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def diagnosis_code(code: str) -> str:
    return clean(code).replace(".", "")


class _Writer:
    def __init__(self) -> None:
        self.segments: list[str] = []

    def add(self, *elements: object) -> None:
        values = [str(e) for e in elements]
        while values and values[-1] == "":
            values.pop()
        self.segments.append(ELEMENT.join(values))


def _address(writer: _Writer, address: Address) -> None:
    writer.add("N3", clean(address.line, 55))
    writer.add(
        "N4", clean(address.city, 60), clean(address.state, 2), digits(address.postal_code)[:9]
    )


def _person_name(writer: _Writer, qualifier: str, person: Person, id_qualifier="", ident=""):
    writer.add(
        "NM1",
        qualifier,
        "1",
        clean(person.last_name, 60),
        clean(person.first_name, 35),
        "",
        "",
        "",
        id_qualifier,
        clean(ident, 80),
    )


def _demographics(writer: _Writer, person: Person) -> None:
    if person.birth_date is None:
        return
    writer.add("DMG", "D8", f"{person.birth_date:%Y%m%d}", SEX_CODES.get(person.sex, "U"))


def _claim(writer: _Writer, claim: ClaimOut) -> None:
    writer.add(
        "CLM",
        clean(claim.claim_number, 38),
        amount(claim.total),
        "",
        "",
        COMPONENT.join([digits(claim.facility_code)[:2], "A", claim.frequency_code]),
        "",
        "A",
        "Y",
        "Y",
    )
    writer.add("DTP", "434", "RD8", f"{claim.statement_from:%Y%m%d}-{claim.statement_to:%Y%m%d}")
    writer.add("CL1", "", "", claim.patient_status)
    if claim.prior_authorization:
        writer.add("REF", "G1", clean(claim.prior_authorization, 50))
    if claim.frequency_code in ("7", "8"):  # replacement or void: the claim it names
        writer.add("REF", "F8", clean(claim.original_claim_number, 50))
    if claim.record_number:
        writer.add("REF", "EA", clean(claim.record_number, 50))
    principal, *others = claim.diagnoses
    writer.add("HI", COMPONENT.join(["ABK", diagnosis_code(principal)]))
    if others:
        writer.add("HI", *[COMPONENT.join(["ABF", diagnosis_code(c)]) for c in others[:12]])
    if claim.condition_codes:
        writer.add("HI", *[COMPONENT.join(["BG", clean(c, 2)]) for c in claim.condition_codes])
    _person_name(writer, "71", claim.attending, "XX", digits(claim.attending_npi))
    if claim.prior is not None:
        _other_payer(writer, claim.prior)
    for number, line in enumerate(claim.lines, start=1):
        writer.add("LX", number)
        writer.add(
            "SV2",
            clean(line.revenue_code, 4),
            COMPONENT.join(["HC", clean(line.procedure_code, 48)]),
            amount(line.charge),
            "UN",
            line.units,
        )
        writer.add("DTP", "472", "D8", f"{line.service_date:%Y%m%d}")
        if claim.prior is not None and number <= len(claim.prior.lines):
            paid = claim.prior.lines[number - 1]
            procedure = COMPONENT.join(["HC", clean(line.procedure_code, 48)])
            writer.add(
                "SVD",
                clean(claim.prior.payer_id, 80),
                amount(paid.paid),
                procedure,
                clean(line.revenue_code, 4),
                line.units,
            )
            _adjustments(writer, paid.adjustments)
            writer.add("DTP", "573", "D8", f"{claim.prior.paid_on:%Y%m%d}")


def _adjustments(writer: _Writer, adjustments) -> None:
    """CAS segments, one per group code, up to six (reason, amount) pairs each."""
    groups: dict[str, list] = {}
    for group, reason, money in adjustments:
        groups.setdefault(group, []).append((reason, money))
    for group, pairs in groups.items():
        elements = []
        for reason, money in pairs[:6]:
            elements += [clean(reason, 5), amount(money), ""]
        writer.add("CAS", clean(group, 2), *elements)


def _other_payer(writer: _Writer, prior: PriorPayment) -> None:
    """Loops 2320 (the other subscriber's coverage and what that payer paid) and 2330A/B
    (the other subscriber and payer)."""
    relationship = (
        "18" if prior.relationship == "self" else PAT_RELATIONSHIP.get(prior.relationship, "G8")
    )
    writer.add(
        "SBR", "P", relationship, clean(prior.group_number, 50), "", "", "", "", "",
        prior.claim_filing,
    )  # fmt: skip
    _adjustments(writer, prior.adjustments)
    writer.add("AMT", "D", amount(prior.paid))
    writer.add("OI", "", "", "Y", "", "", "Y")
    _person_name(writer, "IL", prior.subscriber, "MI", prior.member_id)
    writer.add("NM1", "PR", "2", clean(prior.payer_name, 60), "", "", "", "", "PI")
    writer.segments[-1] += ELEMENT + clean(prior.payer_id, 80)


def _isa(submission: Submission) -> str:
    when = submission.created_at
    return ELEMENT.join(
        [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            "ZZ",
            clean(submission.sender_id, 15).ljust(15),
            "ZZ",
            clean(submission.receiver_id, 15).ljust(15),
            f"{when:%y%m%d}",
            f"{when:%H%M}",
            REPETITION,
            "00501",
            f"{submission.control_number:09d}",
            "0",
            "P" if submission.production else "T",
            COMPONENT,
        ]
    )


def build_837i(submission: Submission, provider: Provider, claims: list[ClaimOut]) -> str:
    """The interchange, one segment a line."""
    if not claims:
        raise ValueError("An 837I needs at least one claim.")
    when = submission.created_at
    control = submission.control_number
    body = _Writer()
    body.add("ST", "837", "0001", VERSION)
    body.add("BHT", "0019", "00", f"SW{control:09d}", f"{when:%Y%m%d}", f"{when:%H%M}", "CH")
    body.add("NM1", "41", "2", clean(submission.submitter_name, 60), "", "", "", "", "46")
    body.segments[-1] += ELEMENT + clean(submission.sender_id, 80)
    body.add(
        "PER", "IC", clean(submission.contact_name, 60), "TE", digits(submission.contact_phone)
    )
    body.add("NM1", "40", "2", clean(submission.receiver_name, 60), "", "", "", "", "46")
    body.segments[-1] += ELEMENT + clean(submission.receiver_id, 80)
    body.add("HL", "1", "", "20", "1")
    if provider.taxonomy:
        body.add("PRV", "BI", "PXC", clean(provider.taxonomy, 50))
    body.add("NM1", "85", "2", clean(provider.name, 60), "", "", "", "", "XX", digits(provider.npi))
    _address(body, provider.address)
    body.add("REF", "EI", digits(provider.tax_id))
    number = 1
    for claim in claims:
        number += 1
        subscriber_level = number
        self_paid = claim.relationship == "self"
        body.add("HL", number, "1", "22", "0" if self_paid else "1")
        body.add(
            "SBR",
            claim.responsibility,
            "18" if self_paid else "",
            clean(claim.group_number, 50),
            "",
            "",
            "",
            "",
            "",
            claim.claim_filing,
        )
        _person_name(body, "IL", claim.subscriber, "MI", claim.member_id)
        if self_paid:
            _address(body, claim.subscriber.address)
            _demographics(body, claim.subscriber)
        body.add("NM1", "PR", "2", clean(claim.payer_name, 60), "", "", "", "", "PI")
        body.segments[-1] += ELEMENT + clean(claim.payer_id, 80)
        if not self_paid:
            number += 1
            body.add("HL", number, subscriber_level, "23", "0")
            body.add("PAT", PAT_RELATIONSHIP.get(claim.relationship, "G8"))
            _person_name(body, "QC", claim.patient)
            _address(body, claim.patient.address)
            _demographics(body, claim.patient)
        _claim(body, claim)
    body.add("SE", len(body.segments) + 1, "0001")
    lines = [
        _isa(submission),
        ELEMENT.join(
            [
                "GS",
                "HC",
                clean(submission.sender_id, 15),
                clean(submission.receiver_id, 15),
                f"{when:%Y%m%d}",
                f"{when:%H%M}",
                str(control),
                "X",
                VERSION,
            ]
        ),
        *body.segments,
        ELEMENT.join(["GE", "1", str(control)]),
        ELEMENT.join(["IEA", "1", f"{control:09d}"]),
    ]
    return "".join(f"{line}{SEGMENT_END}\n" for line in lines)


CSV_COLUMNS = [
    "claim_number",
    "frequency_code",
    "original_claim_number",
    "type_of_bill",
    "program",
    "payer_name",
    "payer_id",
    "claim_filing_indicator",
    "member_id",
    "group_number",
    "relationship",
    "subscriber_last_name",
    "subscriber_first_name",
    "patient_last_name",
    "patient_first_name",
    "patient_birth_date",
    "patient_sex",
    "address",
    "city",
    "state",
    "postal_code",
    "record_number",
    "statement_from",
    "statement_to",
    "patient_status",
    "prior_authorization",
    "condition_codes",
    "diagnoses",
    "attending_npi",
    "billing_npi",
    "billing_tax_id",
    "line_number",
    "service_date",
    "revenue_code",
    "procedure_code",
    "units",
    "line_charge",
    "claim_total",
]


def build_csv(provider: Provider, claims: list[ClaimOut]) -> str:
    """One row per service line, with its claim's fields repeated (a clearinghouse's flat
    claim import)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for claim in claims:
        address = claim.patient.address or Address("", "", "", "")
        for number, line in enumerate(claim.lines, start=1):
            writer.writerow(
                [
                    claim.claim_number,
                    claim.frequency_code,
                    claim.original_claim_number,
                    f"0{digits(claim.facility_code)[:2]}{claim.frequency_code}",
                    claim.program_name,
                    claim.payer_name,
                    claim.payer_id,
                    claim.claim_filing,
                    claim.member_id,
                    claim.group_number,
                    claim.relationship,
                    claim.subscriber.last_name,
                    claim.subscriber.first_name,
                    claim.patient.last_name,
                    claim.patient.first_name,
                    claim.patient.birth_date.isoformat() if claim.patient.birth_date else "",
                    SEX_CODES.get(claim.patient.sex, "U"),
                    address.line,
                    address.city,
                    address.state,
                    address.postal_code,
                    claim.record_number,
                    claim.statement_from.isoformat(),
                    claim.statement_to.isoformat(),
                    claim.patient_status,
                    claim.prior_authorization,
                    " ".join(claim.condition_codes),
                    " ".join(claim.diagnoses),
                    claim.attending_npi,
                    provider.npi,
                    provider.tax_id,
                    number,
                    line.service_date.isoformat(),
                    line.revenue_code,
                    line.procedure_code,
                    line.units,
                    amount(line.charge),
                    amount(claim.total),
                ]
            )
    return out.getvalue()
