"""The patient's consents in a record: FHIR R4 Consent resources.

A consent is placed by the day it was made among the patient's episodes, like a
medication (RecordCollector.place), and carries the Part 2 labels when any episode of
that day is in a Part 2 program (docs/clinical-sources.md §5). Its status follows the
consent's life: waiting for the signature is `proposed`, signed is `active`, revoked or
past its expiry date is `inactive`. Consent to treatment has the scope `treatment`; a
Part 2 consent or a release of information has `patient-privacy`, with the regulation as
its policy, the named recipients as the provision's actors and the dates it covers as the
provision's period. What was signed stays in Stepwell (docs/consent.md): the resource
says what the consent permits, not the signed text.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from stepwell.consent.models import Consent, ConsentStatus
from stepwell.consent.terms import ConsentKind

from .builders.base import coding, concept, day, instant, meta, narrative

SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
PARTICIPATION = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
LOINC = "http://loinc.org"
# The rule each kind of consent is made under: its policy in FHIR (Consent.policy.uri).
POLICY = {
    ConsentKind.PART2: "https://www.ecfr.gov/current/title-42/chapter-I/subchapter-A/part-2",
    ConsentKind.HIPAA_ROI: "https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-E/section-164.508",
}


def consent_status(consent: Consent, today: date) -> str:
    if consent.status == ConsentStatus.AWAITING_SIGNATURE:
        return "proposed"
    if consent.status == ConsentStatus.REVOKED or consent.ended_at is not None:
        return "inactive"
    if consent.expires_on is not None and consent.expires_on < today:
        return "inactive"
    return "active"


def consent_resource(consent: Consent, *, patient_ref, today: date, part2: bool) -> dict:
    kind = ConsentKind(consent.kind)
    treatment = kind == ConsentKind.TREATMENT
    scope = "treatment" if treatment else "patient-privacy"
    provision: dict = {"type": "permit"}
    period = {"start": day(consent.date_from), "end": day(consent.expires_on or consent.date_to)}
    if any(period.values()):
        provision["period"] = {k: v for k, v in period.items() if v}
    recipients = [line.strip() for line in consent.recipients.splitlines() if line.strip()]
    if recipients:
        provision["actor"] = [
            {
                "role": concept("Information recipient", coding(PARTICIPATION, "IRCP")),
                "reference": {"display": recipient},
            }
            for recipient in recipients
        ]
    label = consent.get_kind_display()
    return {
        "resourceType": "Consent",
        "id": f"consent-{consent.pk}",
        "meta": meta("Consent", part2=part2),
        "text": narrative(f"{label}: {consent.get_status_display()}"),
        "status": consent_status(consent, today),
        "scope": concept(scope.replace("-", " ").title(), coding(SCOPE, scope)),
        "category": [concept("Patient consent", coding(LOINC, "59284-0", "Patient Consent"))],
        "patient": patient_ref,
        "dateTime": instant(consent.signed_at or consent.created_at),
        **(
            {"policy": [{"uri": POLICY[kind]}]}
            if kind in POLICY
            else {"policyRule": concept("Consent to treatment in the program")}
        ),
        "provision": provision,
    }


def collect_consents(collector) -> None:
    today = timezone.localdate()
    for consent in Consent.objects.filter(patient=collector.patient).order_by("created_at", "pk"):
        placement = collector.place(moment=consent.created_at)
        if not placement.include:
            continue
        collector.resources.add(
            consent_resource(
                consent,
                patient_ref=collector.patient_ref,
                today=today,
                part2=placement.part2,
            )
        )


__all__ = ["collect_consents", "consent_resource", "consent_status"]
