"""Remittance advice (ASC X12 835, 005010X221A1): reading a payer's file into plain
records, and writing a synthetic one (the demo and the tests). No Django.

The file is first validated with pyx12 against the 835 map; a file pyx12 refuses is
refused whole, with the segment, its line and pyx12's words. Then each claim payment
(CLP) is read with its service lines (SVC, the date in DTM*472) and adjustments (CAS:
group code, CARC reason code, amount). CLP01 is the claim number Stepwell sent in CLM01.
The segments and codes: docs/clinical-sources.md §2.7.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from .x12 import amount, clean

VERSION_835 = "005010X221A1"
DENIED_STATUS = "4"  # CLP02: denied
PAID_STATUSES = ("1", "2", "3")  # processed as primary, secondary, tertiary
MAX_ERRORS = 5


class RemitError(ValueError):
    """The file is not a readable 835: the message names the segment and its line."""


@dataclass(frozen=True)
class Adjustment:
    group: str  # CO contractual, PR patient responsibility, OA other, PI payer initiated
    reason: str  # CARC
    amount: Decimal

    @property
    def label(self) -> str:
        return f"{self.group}-{self.reason} {self.amount}"


@dataclass(frozen=True)
class ServicePayment:
    service_date: date | None
    procedure_code: str
    revenue_code: str
    charge: Decimal
    paid: Decimal
    units: int
    adjustments: tuple[Adjustment, ...] = ()


@dataclass(frozen=True)
class ClaimPaymentIn:
    claim_number: str
    status_code: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    payer_claim_number: str
    lines: tuple[ServicePayment, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()

    @property
    def denied(self) -> bool:
        return self.status_code == DENIED_STATUS


@dataclass(frozen=True)
class RemitIn:
    payer_name: str
    payer_identifier: str
    trace_number: str
    paid_on: date | None
    total_paid: Decimal
    claims: tuple[ClaimPaymentIn, ...]


def _report_errors(node, seg_id: str = "", line=None) -> list[str]:
    found = []
    if isinstance(node, dict):
        seg_id = node.get("seg_id") or seg_id
        line = node.get("cur_line", line)
        for error in node.get("errors") or []:
            where = f"segment {seg_id} (line {line})" if seg_id else f"line {line}"
            found.append(f"{where}: {error.get('err_str', 'invalid')}")
        for key, value in node.items():
            if key != "errors":
                found.extend(_report_errors(value, seg_id, line))
    elif isinstance(node, list):
        for item in node:
            found.extend(_report_errors(item, seg_id, line))
    return found


def validation_errors(text: str) -> list[str]:
    """What pyx12 finds wrong with the interchange (empty: valid), each naming the
    segment and line."""
    import pyx12.params
    import pyx12.x12n_document

    logger = logging.getLogger("pyx12")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    report = io.StringIO()
    try:
        valid = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(),
            src_file=io.StringIO(text),
            fd_997=None,
            fd_html=None,
            fd_json=report,
        )
    except Exception as error:  # pyx12 raises its own errors for a file it cannot walk
        return [f"segment ISA: not a readable X12 interchange ({error})"]
    finally:
        logger.setLevel(level)
    raw = report.getvalue().strip()
    errors = _report_errors(json.loads(raw)) if raw else []
    if not valid and not errors:
        errors = ["segment ISA: pyx12 could not read the interchange header"]
    return errors


def _decimal(seg_id: str, element: str, value: str | None) -> Decimal:
    try:
        return Decimal(value or "0")
    except InvalidOperation as error:
        raise RemitError(f"segment {seg_id}: {element} {value!r} is not an amount") from error


def _date(value: str | None) -> date | None:
    text = value or ""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _adjustments(seg) -> list[Adjustment]:
    """A CAS segment: a group code and up to six (reason, amount, quantity) triples."""
    group = seg.get_value("CAS01") or ""
    found = []
    for start in (2, 5, 8, 11, 14, 17):
        reason = seg.get_value(f"CAS{start:02d}")
        if reason:
            money = _decimal("CAS", f"CAS{start + 1:02d}", seg.get_value(f"CAS{start + 1:02d}"))
            found.append(Adjustment(group, reason, money))
    return found


@dataclass
class _ClaimBuild:
    head: dict
    lines: list = field(default_factory=list)
    adjustments: list = field(default_factory=list)

    def done(self) -> ClaimPaymentIn:
        return ClaimPaymentIn(
            **self.head,
            lines=tuple(ServicePayment(**line) for line in self.lines),
            adjustments=tuple(self.adjustments),
        )


def _check_version(text: str) -> None:
    """An interchange of another transaction (an 837, say) is named as such."""
    stripped = text.lstrip()
    element = stripped[3:4] or "*"
    for segment in stripped.split("~")[:3]:
        parts = segment.strip().split(element)
        if parts[0] == "GS" and len(parts) > 8 and parts[8].strip() != VERSION_835:
            raise RemitError(
                f"segment GS: GS08 is {parts[8].strip()!r}, not an 835 remittance ({VERSION_835})"
            )


def parse_835(text: str) -> RemitIn:
    """The remittance as records, or RemitError naming the segment at fault."""
    import pyx12.errors
    import pyx12.x12file

    if not text.lstrip().startswith("ISA"):
        raise RemitError("segment ISA: the file does not start with an ISA segment (not X12)")
    _check_version(text)
    errors = validation_errors(text)
    if errors:
        more = f" (and {len(errors) - MAX_ERRORS} more)" if len(errors) > MAX_ERRORS else ""
        raise RemitError("; ".join(errors[:MAX_ERRORS]) + more)
    head = {"payer_name": "", "payer_identifier": "", "trace_number": ""}
    head.update(paid_on=None, total_paid=Decimal("0"))
    claims: list[_ClaimBuild] = []
    version = ""
    try:
        for seg in pyx12.x12file.X12Reader(io.StringIO(text)):
            seg_id = seg.get_seg_id()
            if seg_id == "GS":
                version = seg.get_value("GS08") or ""
            elif seg_id == "BPR":
                head["total_paid"] = _decimal("BPR", "BPR02", seg.get_value("BPR02"))
                head["paid_on"] = _date(seg.get_value("BPR16"))
            elif seg_id == "TRN":
                head["trace_number"] = seg.get_value("TRN02") or ""
            elif seg_id == "N1" and seg.get_value("N101") == "PR":
                head["payer_name"] = seg.get_value("N102") or ""
            elif seg_id == "REF" and seg.get_value("REF01") == "2U" and not claims:
                head["payer_identifier"] = seg.get_value("REF02") or ""
            elif seg_id == "CLP":
                claims.append(_claim_head(seg))
            elif seg_id == "SVC" and claims:
                claims[-1].lines.append(_service(seg))
            elif seg_id == "DTM" and seg.get_value("DTM01") == "472" and claims:
                if claims[-1].lines:
                    claims[-1].lines[-1]["service_date"] = _date(seg.get_value("DTM02"))
            elif seg_id == "CAS" and claims:
                target = claims[-1].lines[-1] if claims[-1].lines else None
                if target is not None:
                    target["adjustments"] = (*target["adjustments"], *_adjustments(seg))
                else:
                    claims[-1].adjustments.extend(_adjustments(seg))
    except pyx12.errors.X12Error as error:
        raise RemitError(f"segment ISA: not a readable X12 interchange ({error})") from error
    if version != VERSION_835:
        raise RemitError(f"segment GS: GS08 is {version!r}, not an 835 ({VERSION_835})")
    return RemitIn(**head, claims=tuple(c.done() for c in claims))


def _claim_head(seg) -> _ClaimBuild:
    return _ClaimBuild(
        {
            "claim_number": seg.get_value("CLP01") or "",
            "status_code": seg.get_value("CLP02") or "",
            "charge": _decimal("CLP", "CLP03", seg.get_value("CLP03")),
            "paid": _decimal("CLP", "CLP04", seg.get_value("CLP04")),
            "patient_responsibility": _decimal("CLP", "CLP05", seg.get_value("CLP05")),
            "payer_claim_number": seg.get_value("CLP07") or "",
        }
    )


def _service(seg) -> dict:
    composite = (seg.get_value("SVC01") or "").split(":")
    units = seg.get_value("SVC05") or "1"
    return {
        "service_date": None,
        "procedure_code": composite[1] if len(composite) > 1 else composite[0],
        "revenue_code": seg.get_value("SVC04") or "",
        "charge": _decimal("SVC", "SVC02", seg.get_value("SVC02")),
        "paid": _decimal("SVC", "SVC03", seg.get_value("SVC03")),
        "units": int(units) if units.isdigit() else 1,
        "adjustments": (),
    }


# -- a synthetic 835 (demo and tests) --------------------------------------------------


@dataclass(frozen=True)
class PaidLine:
    service_date: date
    procedure_code: str
    revenue_code: str
    charge: Decimal
    paid: Decimal
    units: int = 1
    reason: str = "45"  # CARC of the difference: 45 contractual, 50 not medically necessary
    group: str = "CO"


@dataclass(frozen=True)
class PaidClaim:
    claim_number: str
    member_id: str
    last_name: str
    first_name: str
    lines: tuple[PaidLine, ...]
    denied: bool = False
    facility_code: str = "13"

    @property
    def charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0"))

    @property
    def paid(self) -> Decimal:
        return sum((line.paid for line in self.lines), Decimal("0"))


def build_835(
    *,
    payer_name: str,
    payer_id: str,
    provider_name: str,
    provider_npi: str,
    receiver_id: str,
    trace_number: str,
    paid_on: date,
    claims: list[PaidClaim],
    control_number: int = 1,
) -> str:
    """A synthetic remittance of the claims (amounts as given; the rest adjusted)."""
    total = sum((c.paid for c in claims), Decimal("0"))
    body = [
        ["ST", "835", "0001"],
        ["BPR", "I", amount(total), "C", "CHK", *[""] * 11, f"{paid_on:%Y%m%d}"],
        ["TRN", "1", clean(trace_number, 50), "1" + clean(payer_id, 9).rjust(9, "9")[:9]],
        ["N1", "PR", clean(payer_name, 60)],
        ["N3", "1 PAYER WAY"],
        ["N4", "SPRINGFIELD", "IL", "62701"],
        ["PER", "BL", "CLAIMS", "TE", "5555550100"],
        ["N1", "PE", clean(provider_name, 60), "XX", provider_npi],
    ]
    for number, claim in enumerate(claims, start=1):
        status = DENIED_STATUS if claim.denied else "1"
        body.append(["LX", str(number)])
        body.append(
            [
                "CLP",
                clean(claim.claim_number, 38),
                status,
                amount(claim.charge),
                amount(claim.paid),
                "",
                "12",
                f"P{clean(claim.claim_number, 30)}",
                claim.facility_code,
                "1",
            ]
        )
        body.append(
            [
                "NM1",
                "QC",
                "1",
                clean(claim.last_name, 60),
                clean(claim.first_name, 35),
                "",
                "",
                "",
                "MI",
                clean(claim.member_id, 80),
            ]
        )
        for line in claim.lines:
            body.append(
                [
                    "SVC",
                    f"HC:{clean(line.procedure_code, 48)}",
                    amount(line.charge),
                    amount(line.paid),
                    clean(line.revenue_code, 4),
                    str(line.units),
                ]
            )
            body.append(["DTM", "472", f"{line.service_date:%Y%m%d}"])
            if line.charge != line.paid:
                body.append(["CAS", line.group, line.reason, amount(line.charge - line.paid)])
    body.append(["SE", str(len(body) + 1), "0001"])
    stamp = paid_on
    isa = [
        "ISA", "00", " " * 10, "00", " " * 10, "ZZ", clean(payer_id, 15).ljust(15),
        "ZZ", clean(receiver_id, 15).ljust(15), f"{stamp:%y%m%d}", "1200", "^", "00501",
        f"{control_number:09d}", "0", "T", ":",
    ]  # fmt: skip
    gs = ["GS", "HP", clean(payer_id, 15), clean(receiver_id, 15), f"{stamp:%Y%m%d}"]
    gs += ["1200", str(control_number), "X", VERSION_835]
    tail = [["GE", "1", str(control_number)], ["IEA", "1", f"{control_number:09d}"]]
    segments = [isa, gs, *body, *tail]
    return "".join("*".join(s).rstrip("*") + "~\n" for s in segments)
