"""The discharge summary: drafted from the episode, edited by the clinician, signed (and
then locked), corrected by addenda."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Disposition, EpisodeState
from stepwell.privacy.access.discharge import DischargeNeed, access_discharge_episode_by_id
from stepwell.privacy.audit import AuditAction, audit_record

from ..drafting import episode_facts
from ..models import AftercarePlan, DischargeSummary, DocumentStatus, SummaryAddendum
from .validation import required_text

NARRATIVE_FIELDS = (
    "presenting_problem",
    "course_of_treatment",
    "condition_at_discharge",
    "recommendations",
    "referrals",
    "disposition_reason",
)
EDITABLE_FIELDS = (*NARRATIVE_FIELDS, "disposition", "discharge_date")
REQUIRED_TO_SIGN = {
    "course_of_treatment": "course of treatment",
    "condition_at_discharge": "condition at discharge",
    "recommendations": "recommendations",
}
LOCKED = "The discharge summary is signed and locked; add an addendum to correct it."


def _audit(actor, summary: DischargeSummary, action: str, **detail) -> None:
    audit_record(
        user=actor,
        action=action,
        patient_id=summary.episode.patient_id,
        object_type="discharge_summary",
        object_id=summary.pk,
        detail=detail or None,
    )


def _referrals_from_plan(episode) -> str:
    plan = AftercarePlan.objects.filter(episode=episode).first()
    if plan is None:
        return ""
    return "\n".join(
        f"{a.get_kind_display()}: {a.provider}, {timezone.localtime(a.starts_at):%Y-%m-%d %H:%M}"
        f" at {a.place}"
        for a in plan.appointments.all()
    )


def discharge_summary_draft(*, actor, episode_id: int) -> DischargeSummary:
    """Draft the summary from the episode (or re-draft the facts of a draft, keeping what
    the clinician wrote). A signed summary is locked."""
    episode = access_discharge_episode_by_id(
        actor, episode_id, need=DischargeNeed.SUMMARY, action=AuditAction.CREATE
    )
    if episode.admitted_on is None:
        raise ApplicationError(
            "Only an admitted episode has a discharge summary.",
            field_errors={"episode": "This episode was never admitted."},
        )
    with transaction.atomic():
        summary = (
            DischargeSummary.objects.select_for_update()
            .select_related("episode__program")
            .filter(episode=episode)
            .first()
        )
        if summary is not None and summary.is_signed:
            raise ApplicationError(LOCKED, field_errors={"status": LOCKED})
        now = timezone.now()
        facts = episode_facts(episode, now=now)
        if summary is None:
            discharged = episode.state == EpisodeState.DISCHARGED
            summary = DischargeSummary.objects.create(
                episode=episode,
                facts=facts,
                facts_drafted_at=now,
                discharge_date=episode.discharged_on,
                disposition=episode.discharge_disposition if discharged else "",
                disposition_reason=episode.discharge_reason if discharged else "",
                referrals=_referrals_from_plan(episode),
                drafted_by=actor,
            )
            _audit(actor, summary, AuditAction.CREATE)
        else:
            summary.facts = facts
            summary.facts_drafted_at = now
            summary.save(update_fields=["facts", "facts_drafted_at", "updated_at"])
            _audit(actor, summary, AuditAction.UPDATE, redrafted=True)
    return summary


def _summary_for_update(episode) -> DischargeSummary:
    summary = (
        DischargeSummary.objects.select_for_update()
        .select_related("episode__patient", "episode__program")
        .filter(episode=episode)
        .first()
    )
    if summary is None:
        raise ApplicationError(
            "Draft the discharge summary first.",
            field_errors={"discharge_summary": "No summary yet: draft it from the episode."},
        )
    return summary


def _clean_changes(summary: DischargeSummary, changes: dict) -> dict:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            "Unknown fields.",
            field_errors={f: "Not a field of the summary." for f in sorted(unknown)},
        )
    cleaned = {
        k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items() if v is not None
    }
    errors: dict[str, str] = {}
    disposition = cleaned.get("disposition")
    if disposition and disposition not in Disposition.values:
        errors["disposition"] = f"Choose a disposition: {', '.join(Disposition.values)}."
    day = cleaned.get("discharge_date")
    if day is not None:
        if not isinstance(day, date):
            errors["discharge_date"] = "Give a date (YYYY-MM-DD)."
        elif summary.episode.admitted_on and day < summary.episode.admitted_on:
            errors["discharge_date"] = "Cannot be before the admission date."
    if errors:
        raise ApplicationError("The summary could not be saved.", field_errors=errors)
    return cleaned


def discharge_summary_update(*, actor, episode_id: int, changes: dict) -> DischargeSummary:
    """Change the narrative parts (and the disposition and date) of a draft summary."""
    episode = access_discharge_episode_by_id(
        actor, episode_id, need=DischargeNeed.SUMMARY, action=AuditAction.UPDATE
    )
    with transaction.atomic():
        summary = _summary_for_update(episode)
        if summary.is_signed:
            raise ApplicationError(LOCKED, field_errors={"status": LOCKED})
        cleaned = _clean_changes(summary, changes)
        for name, value in cleaned.items():
            setattr(summary, name, value)
        summary.save()
        _audit(actor, summary, AuditAction.UPDATE, fields=sorted(cleaned))
    return summary


def discharge_summary_sign(*, actor, episode_id: int) -> DischargeSummary:
    """Sign the summary: it needs the course of treatment, the condition at discharge, the
    recommendations and a disposition. Signed means locked."""
    episode = access_discharge_episode_by_id(
        actor, episode_id, need=DischargeNeed.SUMMARY, action=AuditAction.UPDATE
    )
    with transaction.atomic():
        summary = _summary_for_update(episode)
        if summary.is_signed:
            raise ApplicationError(
                "The summary is already signed.", field_errors={"status": LOCKED}
            )
        values = {name: getattr(summary, name) for name in REQUIRED_TO_SIGN}
        errors = required_text(values, REQUIRED_TO_SIGN)
        if not summary.disposition:
            errors["disposition"] = "Choose the disposition."
        if errors:
            raise ApplicationError("The summary cannot be signed yet.", field_errors=errors)
        summary.status = DocumentStatus.SIGNED
        summary.signed_by = actor
        summary.signed_at = timezone.now()
        summary.save(update_fields=["status", "signed_by", "signed_at", "updated_at"])
        _audit(actor, summary, AuditAction.UPDATE, signed=True)
    return summary


def discharge_summary_addendum_add(*, actor, episode_id: int, text: str) -> SummaryAddendum:
    """Add a correction or late entry to a signed summary."""
    episode = access_discharge_episode_by_id(
        actor, episode_id, need=DischargeNeed.SUMMARY, action=AuditAction.CREATE
    )
    text = (text or "").strip()
    with transaction.atomic():
        summary = _summary_for_update(episode)
        if not summary.is_signed:
            raise ApplicationError(
                "Edit the draft instead: addenda are for a signed summary.",
                field_errors={"text": "The summary is still a draft; edit it directly."},
            )
        if not text:
            raise ApplicationError(
                "The addendum is empty.", field_errors={"text": "Write the addendum."}
            )
        addendum = SummaryAddendum.objects.create(summary=summary, text=text, author=actor)
        _audit(actor, summary, AuditAction.CREATE, addendum=addendum.pk)
    return addendum
