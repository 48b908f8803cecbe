"""Consents, disclosures, emergency access and amendments: who may do what.

"Acting for a patient with roles R" means: seeing the chart, and holding one of R in a
program of one of the patient's episodes, or holding a clinical role among R anywhere
while on the patient's care team (as the chart's other rules).
- Reading a patient's consents and accounting of disclosures: clinicians, prescribers,
  nurses, intake coordinators and directors acting for the patient; the patient reads
  their own (portal). Billing and administrators read none.
- Recording a consent (prepared for the portal, or signed on paper) and revoking one on
  the patient's word: intake coordinators, clinicians and directors acting for the
  patient. The patient signs and revokes their own on the portal.
- Making a disclosure: clinicians and directors acting for the patient. A disclosure of a
  medical emergency (42 CFR 2.51): clinicians, prescribers, nurses and directors acting for
  the patient, or anyone holding emergency access to the chart. A director of one of the
  patient's programs reviews it.
- The disclosed document: whoever reads the accounting.
- Emergency access (break-glass): the page is for staff holding a clinical or director
  role; a grant is for staff holding a clinical or director role in a program
  of the same organization as one of the patient's programs, who cannot see the chart. The
  grant is reviewed by the directors of the patient's programs.
- An amendment request: the patient, on their own record; decided by clinicians and
  directors acting for the patient.
- The patient's own record download: the patient only.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from stepwell.accounts.models import Role
from stepwell.clinic.models import Program
from stepwell.consent.models import (
    AmendmentRequest,
    BreakGlassGrant,
    Consent,
    Disclosure,
)
from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction
from stepwell.privacy.refusals import refuse

from .patients import access_own_patient, access_patient_by_id, patients_visible_to
from .predicates import (
    CLINICAL_ROLES,
    PROGRAM_WIDE_ROLES,
    as_record_id,
    is_patient_user,
    is_staff_member,
    programs_with,
)

RECORD_READERS = PROGRAM_WIDE_ROLES
CONSENT_KEEPERS = (Role.INTAKE_COORDINATOR, Role.CLINICIAN, Role.PROGRAM_DIRECTOR)
DISCLOSERS = (Role.CLINICIAN, Role.PROGRAM_DIRECTOR)
EMERGENCY_DISCLOSERS = (Role.CLINICIAN, Role.PRESCRIBER, Role.NURSE, Role.PROGRAM_DIRECTOR)
AMENDMENT_DECIDERS = (Role.CLINICIAN, Role.PROGRAM_DIRECTOR)
BREAK_GLASS_ROLES = (*CLINICAL_ROLES, Role.PROGRAM_DIRECTOR)


def patient_program_ids(patient: Patient) -> set[int]:
    return set(patient.episodes.values_list("program_id", flat=True))


def acts_for(user, patient: Patient, roles: tuple[str, ...]) -> bool:
    """Holds one of `roles` in one of the patient's programs, or a clinical role among them
    anywhere while on the care team."""
    if not is_staff_member(user):
        return False
    if patient_program_ids(patient) & programs_with(user, *roles):
        return True
    clinical = tuple(r for r in roles if r in CLINICAL_ROLES)
    if not clinical or not programs_with(user, *clinical):
        return False
    return patient.care_team.filter(user=user).exists()


def has_emergency_access(user, patient: Patient) -> bool:
    return BreakGlassGrant.objects.filter(
        user_id=user.pk, patient=patient, expires_at__gt=timezone.now()
    ).exists()


def may_read_record_privacy(user, patient: Patient) -> bool:
    """Consents and the accounting of disclosures of a patient the user sees."""
    if is_patient_user(user):
        return patient.user_id == user.pk
    return acts_for(user, patient, RECORD_READERS)


def _refuse(user, patient, *, action, object_type, object_id=None, message=None):
    return refuse(
        actor=user,
        action=action,
        object_type=object_type,
        object_id=patient.pk if object_id is None else object_id,
        patient_id=patient.pk,
        message=message,
    )


def access_privacy_patient_by_id(
    user, patient_id, *, roles=RECORD_READERS, action=AuditAction.VIEW, object_type="consents"
) -> Patient:
    """The patient, if the user sees the chart and acts for them with one of `roles`
    (reading also lets the patient in on their own record)."""
    patient = access_patient_by_id(user, patient_id, action=action, object_type=object_type)
    if roles == RECORD_READERS and is_patient_user(user):
        return patient
    if not acts_for(user, patient, roles):
        raise _refuse(user, patient, action=action, object_type=object_type)
    return patient


def access_emergency_patient_by_id(user, patient_id) -> Patient:
    """A patient whose record the user may disclose in a medical emergency."""
    patient = access_patient_by_id(
        user, patient_id, action=AuditAction.CREATE, object_type="emergency_disclosure"
    )
    if acts_for(user, patient, EMERGENCY_DISCLOSERS) or (
        is_staff_member(user) and has_emergency_access(user, patient)
    ):
        return patient
    raise _refuse(user, patient, action=AuditAction.CREATE, object_type="emergency_disclosure")


def access_consent_by_id(user, consent_id, *, action=AuditAction.VIEW) -> Consent:
    """A consent of a patient whose consents the user reads."""
    consent = (
        Consent.objects.select_related("patient")
        .filter(pk=as_record_id(consent_id), patient__in=patients_visible_to(user))
        .first()
    )
    if consent is None or not may_read_record_privacy(user, consent.patient):
        stored = Consent.objects.filter(pk=as_record_id(consent_id)).values_list(
            "patient_id", flat=True
        )
        raise refuse(
            actor=user,
            action=action,
            object_type="consent",
            object_id=consent_id,
            patient_id=stored.first(),
        )
    return consent


def access_consent_revoke_by_id(user, consent_id) -> Consent:
    """The patient's own consent, or one a consent keeper acts for."""
    consent = access_consent_by_id(user, consent_id, action="revoke")
    if is_patient_user(user) or acts_for(user, consent.patient, CONSENT_KEEPERS):
        return consent
    raise _refuse(
        user, consent.patient, action="revoke", object_type="consent", object_id=consent.pk
    )


def access_consent_sign_by_id(user, consent_id) -> Consent:
    """A consent waiting for the signature of the patient who is signing in."""
    patient = access_own_patient(user, object_type="consent")
    consent = Consent.objects.filter(pk=as_record_id(consent_id), patient=patient).first()
    if consent is None:
        raise refuse(
            actor=user,
            action="sign",
            object_type="consent",
            object_id=consent_id,
            patient_id=patient.pk,
        )
    return consent


def access_disclosure_by_id(user, disclosure_id, *, action=AuditAction.VIEW) -> Disclosure:
    """A disclosure in the accounting of a patient whose accounting the user reads."""
    disclosure = (
        Disclosure.objects.select_related("patient", "consent", "made_by")
        .filter(pk=as_record_id(disclosure_id), patient__in=patients_visible_to(user))
        .first()
    )
    if disclosure is None or not may_read_record_privacy(user, disclosure.patient):
        stored = Disclosure.objects.filter(pk=as_record_id(disclosure_id)).values_list(
            "patient_id", flat=True
        )
        raise refuse(
            actor=user,
            action=action,
            object_type="disclosure",
            object_id=disclosure_id,
            patient_id=stored.first(),
        )
    return disclosure


def directs_for(user, patient: Patient) -> bool:
    return bool(patient_program_ids(patient) & programs_with(user, Role.PROGRAM_DIRECTOR))


def access_emergency_review_by_id(user, disclosure_id) -> Disclosure:
    """An emergency disclosure, for a director of one of the patient's programs."""
    disclosure = access_disclosure_by_id(user, disclosure_id, action="review")
    if disclosure.basis != "medical_emergency" or not directs_for(user, disclosure.patient):
        raise _refuse(
            user,
            disclosure.patient,
            action="review",
            object_type="disclosure",
            object_id=disclosure.pk,
        )
    return disclosure


def access_break_glass_form(user) -> None:
    """The emergency-access page: staff holding a clinical or director role somewhere."""
    if not programs_with(user, *BREAK_GLASS_ROLES):
        raise refuse(actor=user, object_type="break_glass")


def break_glass_program_ids(user) -> frozenset[int]:
    """Programs of the organizations where the user holds a clinical or director role."""
    own = programs_with(user, *BREAK_GLASS_ROLES)
    if not own:
        return frozenset()
    organizations = Program.objects.filter(pk__in=own).values("site__organization_id")
    return frozenset(
        Program.objects.filter(site__organization_id__in=organizations).values_list("pk", flat=True)
    )


def access_break_glass_patient_by_record_number(user, mrn: str) -> Patient:
    """The patient the user asks emergency access to (by record number), or an audited
    refusal: someone without a clinical or director role, a record of another
    organization and an unknown number get the same answer."""
    program_ids = break_glass_program_ids(user)
    patient = None
    if program_ids and mrn:
        patient = (
            Patient.objects.filter(mrn=mrn.strip().upper(), episodes__program_id__in=program_ids)
            .distinct()
            .first()
        )
    if patient is None:
        raise refuse(
            actor=user,
            action="break_glass",
            object_type="break_glass",
            object_id="new",
            detail={"record_number": (mrn or "")[:20]},
            message="No patient with that record number can be opened with emergency access.",
        )
    return patient


def break_glass_grants_visible_to(user) -> QuerySet[BreakGlassGrant]:
    """The grants a director reviews: those to the patients of the programs they direct."""
    program_ids = programs_with(user, Role.PROGRAM_DIRECTOR)
    if not program_ids:
        return BreakGlassGrant.objects.none()
    return (
        BreakGlassGrant.objects.filter(patient__episodes__program_id__in=program_ids)
        .distinct()
        .select_related("user", "patient")
    )


def access_break_glass_review(user) -> QuerySet[BreakGlassGrant]:
    """The review list, for directors; anyone else is refused."""
    if not programs_with(user, Role.PROGRAM_DIRECTOR):
        raise refuse(actor=user, object_type="break_glass_review")
    return break_glass_grants_visible_to(user)


def access_break_glass_grant_by_id(user, grant_id) -> BreakGlassGrant:
    grant = break_glass_grants_visible_to(user).filter(pk=as_record_id(grant_id)).first()
    if grant is None:
        stored = BreakGlassGrant.objects.filter(pk=as_record_id(grant_id)).values_list(
            "patient_id", flat=True
        )
        raise refuse(
            actor=user,
            action="review",
            object_type="break_glass",
            object_id=grant_id,
            patient_id=stored.first(),
        )
    return grant


def access_amendment_decide_by_id(user, amendment_id) -> AmendmentRequest:
    amendment = (
        AmendmentRequest.objects.select_related("patient")
        .filter(pk=as_record_id(amendment_id), patient__in=patients_visible_to(user))
        .first()
    )
    if amendment is None or not acts_for(user, amendment.patient, AMENDMENT_DECIDERS):
        stored = AmendmentRequest.objects.filter(pk=as_record_id(amendment_id)).values_list(
            "patient_id", flat=True
        )
        raise refuse(
            actor=user,
            action="decide",
            object_type="amendment",
            object_id=amendment_id,
            patient_id=stored.first(),
        )
    return amendment


def access_own_record(user, *, object_type: str = "own_record") -> Patient:
    """The patient's own record (download, amendment requests): the patient only."""
    return access_own_patient(user, object_type=object_type)
