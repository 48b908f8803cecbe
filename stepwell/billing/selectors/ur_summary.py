"""The one-page clinical summary for a utilization review call, generated from the
record: diagnoses, measures with change since admission, attendance and hours, plan
goals and progress, risk flags (safety alerts, never their notes), medications, and why
the level of care is still needed. No note text is read.

Opened by the program's billing staff and directors only while the review is open (the
call they are preparing), and by staff who read the chart (privacy/access/billing.py);
every opening is audited as "for utilization review", naming the review. What a
reviewer asks for, and how "still needed" is read: docs/clinical-sources.md §2.6.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from stepwell.discharge.drafting import episode_facts
from stepwell.measures.models import Alert
from stepwell.patients.models import Episode
from stepwell.privacy.access.billing import access_ur_summary_by_id
from stepwell.privacy.audit import AuditAction, audit_record

from ..models import UtilizationReview

UR_PURPOSE = "utilization review"
CONCERNING = ("No reliable change", "Reliable deterioration", "Only one score")
OPEN_OBJECTIVES = ("not started", "in progress")  # plans' objective statuses, as labelled


@dataclass(frozen=True)
class RiskFlag:
    kind: str
    raised_on: str
    status: str


@dataclass(frozen=True)
class UrSummary:
    review: UtilizationReview
    episode: Episode | None
    facts: dict
    risk_flags: list[RiskFlag]
    reasons: list[str]  # why the level of care is still needed, from the record

    @property
    def patient(self):
        return self.review.authorization.patient


def _risk_flags(episode: Episode) -> list[RiskFlag]:
    alerts = Alert.objects.filter(patient_id=episode.patient_id).order_by("-created_at")
    if episode.admitted_on:
        alerts = alerts.filter(created_at__date__gte=episode.admitted_on)
    return [
        RiskFlag(a.get_kind_display(), f"{a.created_at:%Y-%m-%d}", a.get_status_display())
        for a in alerts[:10]
    ]


def continued_stay_reasons(facts: dict, risk_flags: list[RiskFlag]) -> list[str]:
    """Why the level of care is still needed, in plain words from the facts: measures
    not yet reliably improved, objectives not met, recent safety alerts. Empty when the
    record shows none (the reviewer then hears the clinician's reasons)."""
    reasons = []
    for measure in facts.get("measures", []):
        if measure["classification"] in CONCERNING:
            reasons.append(
                f"{measure['name']}: {measure['baseline']} at admission, {measure['last']} "
                f"now ({measure['classification'].lower()})."
            )
    open_objectives = [
        o["text"]
        for goal in facts.get("goals", [])
        for o in goal["objectives"]
        if o["status"].lower() in OPEN_OBJECTIVES
    ]
    if open_objectives:
        reasons.append(f"{len(open_objectives)} plan objective(s) not met yet.")
    if risk_flags:
        reasons.append(f"{len(risk_flags)} safety alert(s) since admission.")
    return reasons


def ur_summary(*, user, review_id, pdf: bool = False, now: datetime | None = None) -> UrSummary:
    """The summary for the review, audited as opened for utilization review."""
    review = access_ur_summary_by_id(user, review_id)
    authorization = review.authorization
    episode = (
        Episode.objects.filter(patient_id=authorization.patient_id, program=authorization.program)
        .select_related("program")
        .order_by("-referred_on", "-pk")
        .first()
    )
    facts = episode_facts(episode, now=now or timezone.now()) if episode else {}
    flags = _risk_flags(episode) if episode else []
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        patient_id=authorization.patient_id,
        object_type="ur_summary",
        object_id=review.pk,
        detail={"purpose": UR_PURPOSE, "authorization": authorization.pk, "pdf": pdf},
    )
    return UrSummary(review, episode, facts, flags, continued_stay_reasons(facts, flags))
