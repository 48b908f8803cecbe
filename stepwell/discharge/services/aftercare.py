"""The aftercare and relapse-prevention plan: written with the patient by the team, signed
by the patient on the portal or on paper (recorded by staff). The signature locks it."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Episode
from stepwell.privacy.access.discharge import (
    DischargeNeed,
    access_discharge_episode_by_id,
    access_own_aftercare_plan,
)
from stepwell.privacy.access.predicates import as_record_id
from stepwell.privacy.audit import AuditAction, audit_record
from stepwell.privacy.refusals import refuse

from ..models import (
    AftercareAppointment,
    AftercareContact,
    AftercarePlan,
    AppointmentKind,
    DocumentStatus,
    SignatureMethod,
    SupportGroup,
)
from .validation import phone_error, required_text

TEXT_FIELDS = ("warning_signs", "triggers", "coping_strategies", "alumni_group")
REQUIRED_TO_SIGN = {
    "warning_signs": "warning signs",
    "coping_strategies": "coping strategies that worked",
}
LOCKED = "The patient has signed this aftercare plan; it can no longer be changed."


def _audit(actor, plan: AftercarePlan, action: str, **detail) -> None:
    audit_record(
        user=actor,
        action=action,
        patient_id=plan.episode.patient_id,
        object_type="aftercare_plan",
        object_id=plan.pk,
        detail=detail or None,
    )


def _plan_for_update(episode: Episode) -> AftercarePlan:
    plan = (
        AftercarePlan.objects.select_for_update()
        .select_related("episode__patient", "episode__program")
        .filter(episode=episode)
        .first()
    )
    if plan is None:
        raise ApplicationError(
            "Start the aftercare plan first.",
            field_errors={"aftercare_plan": "No aftercare plan yet: start one."},
        )
    if plan.is_signed:
        raise ApplicationError(LOCKED, field_errors={"status": LOCKED})
    return plan


def _writable_episode(actor, episode_id, action=AuditAction.UPDATE) -> Episode:
    return access_discharge_episode_by_id(
        actor, episode_id, need=DischargeNeed.PLAN, action=action, object_type="aftercare_plan"
    )


def aftercare_plan_start(*, actor, episode_id: int) -> AftercarePlan:
    """Open the episode's aftercare plan (the existing one if there is one)."""
    episode = _writable_episode(actor, episode_id, AuditAction.CREATE)
    if episode.admitted_on is None:
        raise ApplicationError(
            "Only an admitted episode has an aftercare plan.",
            field_errors={"episode": "This episode was never admitted."},
        )
    with transaction.atomic():
        plan, created = AftercarePlan.objects.get_or_create(
            episode=episode, defaults={"created_by": actor}
        )
        if created:
            _audit(actor, plan, AuditAction.CREATE)
    return plan


def aftercare_plan_update(
    *, actor, episode_id: int, changes: dict, support_group_ids: list[int] | None = None
) -> AftercarePlan:
    """Change the plan's text and, when given, its support groups (from the directory of
    the episode's program, active entries only)."""
    episode = _writable_episode(actor, episode_id)
    unknown = set(changes) - set(TEXT_FIELDS)
    if unknown:
        raise ApplicationError(
            "Unknown fields.",
            field_errors={f: "Not a field of the plan." for f in sorted(unknown)},
        )
    groups = None
    if support_group_ids is not None:
        wanted = set(support_group_ids)
        groups = list(
            SupportGroup.objects.filter(pk__in=wanted, program_id=episode.program_id, active=True)
        )
        if len(groups) != len(wanted):
            raise ApplicationError(
                "A support group is not in the program's directory.",
                field_errors={
                    "support_groups": "Choose groups from this program's directory only."
                },
            )
    with transaction.atomic():
        plan = _plan_for_update(episode)
        for name, value in changes.items():
            if value is not None:
                setattr(plan, name, str(value).strip())
        plan.save()
        if groups is not None:
            plan.support_groups.set(groups)
        _audit(
            actor,
            plan,
            AuditAction.UPDATE,
            fields=sorted(k for k, v in changes.items() if v is not None),
            **({"support_groups": sorted(g.pk for g in groups)} if groups is not None else {}),
        )
    return plan


def aftercare_contact_add(
    *,
    actor,
    episode_id: int,
    name: str,
    relationship: str,
    phone: str,
    consent_given: bool,
) -> AftercareContact:
    """Add someone the patient can call; only with the patient's consent."""
    episode = _writable_episode(actor, episode_id, AuditAction.CREATE)
    values = {"name": name, "relationship": relationship}
    errors = required_text(values, {"name": "name", "relationship": "relationship"})
    problem = phone_error(phone)
    if problem:
        errors["phone"] = problem
    if consent_given is not True:
        errors["consent_given"] = (
            "Ask the patient first: a person is listed only with the patient's consent."
        )
    if errors:
        raise ApplicationError("The contact could not be added.", field_errors=errors)
    with transaction.atomic():
        plan = _plan_for_update(episode)
        contact = AftercareContact.objects.create(
            plan=plan,
            name=name.strip(),
            relationship=relationship.strip(),
            phone=phone.strip(),
            consent_given=True,
            consent_recorded_on=program_today(episode.program),
        )
        _audit(actor, plan, AuditAction.UPDATE, contact_added=contact.pk)
    return contact


def aftercare_contact_remove(*, actor, episode_id: int, contact_id: int) -> None:
    episode = _writable_episode(actor, episode_id)
    contact = _part_or_refuse(actor, AftercareContact, episode, contact_id, "aftercare_contact")
    with transaction.atomic():
        plan = _plan_for_update(episode)
        AftercareContact.objects.filter(pk=contact.pk).delete()
        _audit(actor, plan, AuditAction.UPDATE, contact_removed=contact.pk)


def _part_or_refuse(actor, model, episode: Episode, part_id, object_type: str):
    """A contact or appointment of this episode's plan, or the audited refusal a record
    the user may not reach gets (the same for one of another episode)."""
    part = model.objects.filter(pk=as_record_id(part_id), plan__episode=episode).first()
    if part is None:
        raise refuse(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type=object_type,
            object_id=part_id,
            patient_id=episode.patient_id,
        )
    return part


def aftercare_appointment_add(
    *,
    actor,
    episode_id: int,
    kind: str,
    provider: str,
    starts_at: datetime,
    place: str,
    phone: str = "",
) -> AftercareAppointment:
    """Add a next appointment. It is after the discharge (or, before discharge, not in the
    past)."""
    episode = _writable_episode(actor, episode_id, AuditAction.CREATE)
    errors = required_text(
        {"provider": provider, "place": place}, {"provider": "provider's name", "place": "place"}
    )
    if kind not in AppointmentKind.values:
        errors["kind"] = f"One of: {', '.join(AppointmentKind.values)}."
    problem = phone_error(phone, required=False)
    if problem:
        errors["phone"] = problem
    if not isinstance(starts_at, datetime) or timezone.is_naive(starts_at):
        errors["starts_at"] = "Give a date and time."
    else:
        earliest = episode.discharged_on or program_today(episode.program)
        if timezone.localtime(starts_at).date() < earliest:
            errors["starts_at"] = (
                "Cannot be before the discharge date."
                if episode.discharged_on
                else "Cannot be in the past."
            )
    if errors:
        raise ApplicationError("The appointment could not be added.", field_errors=errors)
    with transaction.atomic():
        plan = _plan_for_update(episode)
        appointment = AftercareAppointment.objects.create(
            plan=plan,
            kind=kind,
            provider=provider.strip(),
            starts_at=starts_at,
            place=place.strip(),
            phone=(phone or "").strip(),
        )
        _audit(actor, plan, AuditAction.UPDATE, appointment_added=appointment.pk)
    return appointment


def aftercare_appointment_remove(*, actor, episode_id: int, appointment_id: int) -> None:
    episode = _writable_episode(actor, episode_id)
    appointment = _part_or_refuse(
        actor, AftercareAppointment, episode, appointment_id, "aftercare_appointment"
    )
    with transaction.atomic():
        plan = _plan_for_update(episode)
        AftercareAppointment.objects.filter(pk=appointment.pk).delete()
        _audit(actor, plan, AuditAction.UPDATE, appointment_removed=appointment.pk)


def _sign(actor, plan: AftercarePlan, method: str) -> AftercarePlan:
    errors = required_text(
        {name: getattr(plan, name) for name in REQUIRED_TO_SIGN}, REQUIRED_TO_SIGN
    )
    if errors:
        raise ApplicationError("The plan is not ready to sign yet.", field_errors=errors)
    plan.status = DocumentStatus.SIGNED
    plan.patient_signed_at = timezone.now()
    plan.signature_method = method
    plan.signature_recorded_by = actor if method == SignatureMethod.PAPER else None
    plan.save()
    _audit(actor, plan, AuditAction.UPDATE, signed=method)
    return plan


def aftercare_plan_sign_on_paper(*, actor, episode_id: int) -> AftercarePlan:
    """Record that the patient signed the printed plan (the paper is kept in the record)."""
    episode = _writable_episode(actor, episode_id)
    with transaction.atomic():
        return _sign(actor, _plan_for_update(episode), SignatureMethod.PAPER)


def aftercare_plan_sign_on_portal(*, actor, episode_id: int | None = None) -> AftercarePlan:
    """The patient signs their own plan on the portal."""
    own = access_own_aftercare_plan(actor, episode_id=episode_id, action=AuditAction.UPDATE)
    with transaction.atomic():
        return _sign(actor, _plan_for_update(own.episode), SignatureMethod.PORTAL)
