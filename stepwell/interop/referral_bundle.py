"""Read a referring hospital's FHIR Bundle into the fields of a Stepwell referral.

No database here. Two passes, each collecting every problem before it refuses:
1. Is it valid FHIR? The Bundle is parsed with fhir.resources' R4B models; each error
   names its element (`Bundle.entry[0].resource.birthDate`). Refused with 400.
2. Does it make a referral? One Patient with a name and a date of birth, one active
   ServiceRequest about that patient with a reason; optional Conditions (ICD-10-CM),
   Coverages and QuestionnaireResponses. Refused with 422.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from . import codes
from .outcomes import FhirInputError, Issue, fhir_path

BUNDLE_TYPES = ("collection", "transaction", "message", "batch")
# FHIR request priority -> our urgency: routine stays routine; urgent is "priority (within
# a week)"; asap and stat are "urgent (within 48 hours)".
URGENCY = {"routine": "routine", "urgent": "priority", "asap": "urgent", "stat": "urgent"}
ICD10CM_CODE = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
MAX_TEXT = {"insurance": 300, "source_detail": 200, "address": 300}


@dataclass
class ReferralBundle:
    """What the bundle says, in the referral form's own fields."""

    patient_data: dict
    mrn: str
    reason: str
    urgency: str
    source_detail: str
    insurance: str
    received_on: date | None
    counts: dict[str, int]
    paths: dict[str, str] = field(default_factory=dict)

    def path_of(self, field_name: str) -> str:
        return self.paths.get(field_name, "Bundle")


def parse_bundle(data: object) -> Bundle:
    """Pass 1: valid FHIR or FhirInputError(400) naming every bad element."""
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise FhirInputError([Issue("Bundle.resourceType", "Send a FHIR Bundle.")], status=400)
    issues = []
    entries = data.get("entry")
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue
        resource_type = resource.get("resourceType")
        try:
            get_fhir_model_class(str(resource_type))
        except (ValueError, KeyError):
            issues.append(
                Issue(
                    f"Bundle.entry[{index}].resource.resourceType",
                    f"{resource_type!r} is not a FHIR R4 resource type.",
                )
            )
    if issues:
        raise FhirInputError(issues, status=400)
    try:
        return Bundle.model_validate(data)
    except ValidationError as error:
        raise FhirInputError(
            [Issue(fhir_path("Bundle", e["loc"]), e["msg"]) for e in error.errors()], status=400
        ) from error
    except (KeyError, TypeError) as error:
        raise FhirInputError(
            [Issue("Bundle", "Not a valid FHIR R4 Bundle.")], status=400
        ) from error


def _texts(concepts) -> list[str]:
    result = []
    for item in concepts or []:
        text = item.text or next((c.display or c.code for c in item.coding or [] if c), "")
        if text:
            result.append(text)
    return result


def _named(bundle: Bundle, reference) -> str:
    """A requester or payer: its display, else the name of the entry it refers to."""
    if reference is None:
        return ""
    if reference.display:
        return reference.display
    for entry in bundle.entry or []:
        resource = entry.resource
        local = f"{resource.get_resource_type()}/{resource.id}"
        if reference.reference in (entry.fullUrl, local):
            name = getattr(resource, "name", None)
            if isinstance(name, str):
                return name
            if isinstance(name, list) and name:
                return name[0].text or " ".join([*(name[0].given or []), name[0].family or ""])
    return ""


def _patient_fields(patient, where: str, issues: list[Issue]) -> tuple[dict, dict]:
    names = patient.name or []
    official = next((n for n in names if n.use == "official"), names[0] if names else None)
    data, paths = {}, {}
    name_index = names.index(official) if official is not None else 0
    paths["legal_last_name"] = paths["legal_first_name"] = f"{where}.name[{name_index}]"
    if official is None or not (official.family or "").strip():
        issues.append(Issue(f"{where}.name", "The patient's family name is required."))
    elif not official.given or not official.given[0].strip():
        issues.append(
            Issue(f"{where}.name[{name_index}].given", "The patient's first name is required.")
        )
    else:
        data["legal_last_name"] = official.family
        data["legal_first_name"] = official.given[0]
    usual = next((n for n in names if n.use == "usual" and n.given), None)
    if usual is not None and usual is not official:
        data["preferred_name"] = usual.given[0]
        paths["preferred_name"] = f"{where}.name[{names.index(usual)}]"
    paths["date_of_birth"] = f"{where}.birthDate"
    if patient.birthDate is None:
        issues.append(Issue(f"{where}.birthDate", "The date of birth is required."))
    else:
        data["date_of_birth"] = patient.birthDate
    data["sex_assigned_at_birth"] = "unknown"
    for index, extension in enumerate(patient.extension or []):
        if extension.url == codes.BIRTH_SEX_EXTENSION:
            data["sex_assigned_at_birth"] = codes.BIRTH_SEX_FROM_FHIR.get(
                extension.valueCode or "", "unknown"
            )
            paths["sex_assigned_at_birth"] = f"{where}.extension[{index}]"
    for index, point in enumerate(patient.telecom or []):
        if point.system == "phone" and "phone" not in data:
            data["phone"], paths["phone"] = point.value or "", f"{where}.telecom[{index}]"
        if point.system == "email" and "email" not in data:
            data["email"], paths["email"] = point.value or "", f"{where}.telecom[{index}]"
    if patient.address:
        address = patient.address[0]
        parts = [*(address.line or []), address.city, address.state, address.postalCode]
        data["address"] = (address.text or ", ".join(p for p in parts if p))[: MAX_TEXT["address"]]
        paths["address"] = f"{where}.address[0]"
    for index, contact in enumerate(patient.contact or []):
        roles = [c.code for r in contact.relationship or [] for c in r.coding or []]
        if "C" in roles and contact.name is not None:
            name = contact.name.text or " ".join(
                [*(contact.name.given or []), contact.name.family or ""]
            )
            data["emergency_contact_name"] = name.strip()
            data["emergency_contact_relationship"] = next(
                (r.text for r in contact.relationship or [] if r.text), ""
            )
            phone = next((t.value for t in contact.telecom or [] if t.system == "phone"), "")
            data["emergency_contact_phone"] = phone or ""
            for key in ("emergency_contact_name", "emergency_contact_phone"):
                paths[key] = f"{where}.contact[{index}]"
            break
    return data, paths


def _mrn(patient) -> str:
    for identifier in patient.identifier or []:
        if identifier.system == codes.MRN_SYSTEM and identifier.value:
            return identifier.value.strip()
    return ""


def _diagnoses(resource, where: str, issues: list[Issue]) -> str:
    code = resource.code
    if code is None:
        issues.append(Issue(f"{where}.code", "A referring diagnosis needs a code."))
        return ""
    for index, coding in enumerate(code.coding or []):
        if coding.system == codes.ICD10CM:
            if not ICD10CM_CODE.match(coding.code or ""):
                issues.append(
                    Issue(
                        f"{where}.code.coding[{index}].code",
                        f"{coding.code!r} is not an ICD-10-CM code such as F33.1.",
                    )
                )
                return ""
            return f"{coding.code} {coding.display or code.text or ''}".strip()
    if code.text:
        return code.text
    issues.append(Issue(f"{where}.code", "Code the diagnosis in ICD-10-CM or give its text."))
    return ""


def _coverage(bundle: Bundle, resource) -> tuple[str, dict]:
    payer = next((_named(bundle, p) for p in resource.payor or [] if _named(bundle, p)), "")
    member = resource.subscriberId or next(
        (i.value for i in resource.identifier or [] if i.value), ""
    )
    group = next(
        (
            c.value
            for c in getattr(resource, "class_fhir", None) or []
            if any(code.code == "group" for code in c.type.coding or [])
        ),
        "",
    )
    parts = [f"Payer: {payer}" if payer else "", f"member ID {member}" if member else ""]
    parts.append(f"group {group}" if group else "")
    fields = {
        "insurance_payer": payer,
        "insurance_member_id": member or "",
        "insurance_group_number": group or "",
    }
    return "; ".join(p for p in parts if p), fields


def _questionnaire(resource, known_totals: dict[str, str]) -> str:
    name = resource.questionnaire or "a questionnaire"
    when = resource.authored.date().isoformat() if isinstance(resource.authored, datetime) else ""
    line = f"Questionnaire sent with the referral: {name}" + (f", answered {when}" if when else "")
    for item in resource.item or []:
        label = known_totals.get((item.linkId or "").strip("/"))
        answer = (item.answer or [None])[0]
        value = None
        if answer is not None:
            value = answer.valueInteger if answer.valueInteger is not None else answer.valueDecimal
            if value is None and answer.valueQuantity is not None:
                value = answer.valueQuantity.value
        if label and value is not None:
            line += f"; {label} {value:g}"
    return line


def _entries(bundle: Bundle, resource_type: str) -> list[tuple[str, object]]:
    return [
        (f"Bundle.entry[{index}].resource", entry.resource)
        for index, entry in enumerate(bundle.entry or [])
        if entry.resource is not None and entry.resource.get_resource_type() == resource_type
    ]


def _refers_to(reference, bundle: Bundle, target) -> bool:
    if reference is None or not reference.reference:
        return False
    for entry in bundle.entry or []:
        if entry.resource is target:
            local = f"{target.get_resource_type()}/{target.id}" if target.id else None
            return reference.reference in {entry.fullUrl, local} - {None}
    return False


def read_referral(bundle: Bundle, *, known_totals: dict[str, str]) -> ReferralBundle:
    """Pass 2: the referral's fields, or FhirInputError(422) naming every element at fault."""
    issues: list[Issue] = []
    if bundle.type not in BUNDLE_TYPES:
        issues.append(Issue("Bundle.type", "Use a collection, transaction or message Bundle."))
    patients, requests = _entries(bundle, "Patient"), _entries(bundle, "ServiceRequest")
    if len(patients) != 1:
        issues.append(Issue("Bundle.entry", "Send exactly one Patient."))
    if len(requests) != 1:
        issues.append(Issue("Bundle.entry", "Send exactly one ServiceRequest (the referral)."))
    if issues:
        raise FhirInputError(issues)
    (patient_path, patient), (request_path, request) = patients[0], requests[0]
    patient_data, paths = _patient_fields(patient, patient_path, issues)
    if not _refers_to(request.subject, bundle, patient):
        issues.append(Issue(f"{request_path}.subject", "Must refer to the Patient in this bundle."))
    if request.status != "active":
        issues.append(
            Issue(
                f"{request_path}.status",
                f"Only an active referral can be received; this one is {request.status!r}.",
            )
        )
    reasons = _texts(request.reasonCode) + [n.text for n in request.note or [] if n.text]
    if not reasons:
        issues.append(
            Issue(
                f"{request_path}.reasonCode",
                "Say why the patient is referred (reasonCode or note).",
            )
        )
    diagnoses = [_diagnoses(r, where, issues) for where, r in _entries(bundle, "Condition")]
    insurance_lines, insurance_fields = [], {}
    for index, (where, coverage) in enumerate(_entries(bundle, "Coverage")):
        line, fields = _coverage(bundle, coverage)
        insurance_lines.append(line)
        if index == 0:
            insurance_fields = fields
            paths.update({name: where for name in (*fields, "insurance")})
    questionnaires = [
        _questionnaire(r, known_totals) for _, r in _entries(bundle, "QuestionnaireResponse")
    ]
    if issues:
        raise FhirInputError(issues)
    reason = "\n".join(reasons)
    if any(diagnoses):
        reason += "\n\nReferring diagnoses: " + "; ".join(d for d in diagnoses if d)
    if questionnaires:
        reason += "\n\n" + "\n".join(questionnaires)
    authored = request.authoredOn
    received_on = authored.date() if isinstance(authored, datetime) else authored
    paths.update(
        {
            "reason": f"{request_path}.reasonCode",
            "urgency": f"{request_path}.priority",
            "source_detail": f"{request_path}.requester",
            "received_on": f"{request_path}.authoredOn",
            "patient": patient_path,
            "confirm_not_duplicate": patient_path,
            "program": patient_path,
        }
    )
    if not insurance_lines:
        insurance_fields = {}
    patient_data.update({k: v for k, v in insurance_fields.items() if v})
    counts: dict[str, int] = {}
    for entry in bundle.entry or []:
        if entry.resource is not None:
            name = entry.resource.get_resource_type()
            counts[name] = counts.get(name, 0) + 1
    return ReferralBundle(
        patient_data=patient_data,
        mrn=_mrn(patient),
        reason=reason,
        urgency=URGENCY.get(request.priority or "routine", "routine"),
        source_detail=_named(bundle, request.requester)[: MAX_TEXT["source_detail"]],
        insurance=" | ".join(insurance_lines)[: MAX_TEXT["insurance"]],
        received_on=received_on,
        counts=counts,
        paths=paths,
    )
