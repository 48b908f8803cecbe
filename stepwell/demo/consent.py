"""Demo consents, disclosures and messages: the Substance Use IOP is a 42 CFR Part 2
program; one of its patients signed (on paper) a Part 2 consent naming their family
doctor, and their record was disclosed under it; another has a release waiting for their
signature on the portal and asked for a correction; the outbox holds the messages that
went to patients (delivered by `stepwell db_worker`, on the console in the demo)."""

from __future__ import annotations

from datetime import date, timedelta

from stepwell.consent import services as consent
from stepwell.messaging.services import contact_preference_set, follow_up_link_send
from stepwell.patients.models import Patient

from .clinic import DEMO_ACTOR

PCP = "Dr. Morgan Reyes, Lakeside Family Medicine"


def _patients_of(program, count: int) -> list[Patient]:
    """Patients of the program, those with a portal login first."""
    patients = Patient.objects.filter(episodes__program=program).distinct()
    with_login = list(patients.filter(user__isnull=False).order_by("pk")[:count])
    others = list(patients.filter(user__isnull=True).order_by("pk")[:count])
    return (with_login + others)[:count]


def seed_consent(clinic, rng, today: date) -> None:
    sud = clinic.programs["sud"]
    # The demo's substance use program is a Part 2 program (a clinic setting, set here).
    type(sud).objects.filter(pk=sud.pk).update(part2_program=True)
    director = clinic.users["director"]
    patients = _patients_of(sud, 2)
    if not patients:
        return
    first = patients[0]
    signed = consent.consent_record(
        actor=director,
        patient_id=first.pk,
        kind="part2",
        program_ids=[sud.pk],
        signature_method="paper",
        recipient_kind="named",
        recipients=PCP,
        purpose="treatment",
        sections=["episodes", "diagnoses", "measures", "attendance"],
        information_description="Diagnoses, questionnaire scores and attendance in the program.",
        expires_on=today + timedelta(days=365),
        signer_name=first.legal_name,
        signed_on=today - timedelta(days=3),
        scan=b"%PDF-1.4\n% synthetic demo scan\n",
        scan_name="part2-consent.pdf",
        scan_content_type="application/pdf",
    )
    consent.disclosure_make(
        actor=director,
        patient_id=first.pk,
        basis="consent",
        consent_id=signed.pk,
        data=consent.DisclosureInput(
            recipient=PCP,
            recipient_affiliation="Lakeside Family Medicine",
            purpose="treatment",
            sections=("diagnoses", "measures"),
            date_from=None,
            date_to=None,
            document_format="pdf",
        ),
    )
    for patient in patients:
        if patient.email:
            contact_preference_set(
                actor=director, patient_id=patient.pk, channel="email", reminders=True
            )
            follow_up_link_send(
                actor=DEMO_ACTOR,
                patient_id=patient.pk,
                link="https://stepwell.example.org/portal/",
            )
    if len(patients) > 1:
        second = patients[1]
        if second.user is None:
            return
        consent.consent_record(
            actor=director,
            patient_id=second.pk,
            kind="hipaa_roi",
            program_ids=[sud.pk],
            signature_method="portal",
            recipient_kind="named",
            recipients="Sam (spouse)",
            purpose="family",
            sections=["attendance"],
            expiry_event="The end of this episode of care",
        )
        consent.amendment_request(
            actor=second.user,
            section="plan",
            request="My plan says I work nights; I work days now.",
        )
