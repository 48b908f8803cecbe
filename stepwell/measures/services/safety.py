"""Safety alerts: raised from the answers at once, paged to the on-call clinician when they
need an immediate response, closed by a clinician with a note of the action taken.

Only suicide-risk answers and acute safety items raise safety alerts (the ``SAFETY_FLAGS``
of the engine). Severe scores are clinical findings for the care team, read from the
administrations (``stepwell.measures.findings``), never alerts. Rules:
docs/clinical-sources.md §3.1 (PHQ-9 item 9), §3.6 (ASQ) and §3.8 (alerts and findings).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from stepwell.core.errors import ApplicationError
from stepwell.measures.instruments import SAFETY_FLAGS, Flag, Instrument, ScreenWithAcuity, Sex
from stepwell.privacy.access import measures as access
from stepwell.privacy.audit import audit_record

from .. import selectors
from ..models import (
    Administration,
    AdministrationSource,
    AdministrationStatus,
    Alert,
    AlertKind,
    AlertStatus,
    OnCallPage,
    OnCallPageChannel,
)

AWAY = {AdministrationSource.LINK: "by one-time link", AdministrationSource.PORTAL: "in the portal"}


def _risk_band(instrument: Instrument, administration: Administration) -> str:
    """The band, or for an incomplete screen the result its answers already give."""
    if administration.band:
        return administration.band
    classification = instrument.classification
    if isinstance(classification, ScreenWithAcuity) and administration.answers:
        return classification.classify(total=None, answers=administration.answers, sex=Sex.UNKNOWN)
    return ""


def needs_immediate_response(instrument: Instrument, administration: Administration) -> bool:
    """An acute safety item (ASQ thoughts of suicide right now, or acuity not asked), or
    any suicide-risk answer given away from the clinic (link or portal)."""
    flags = set(administration.flags or [])
    if not flags & SAFETY_FLAGS:
        return False
    if Flag.ACUTE_SUICIDE_RISK in flags:
        return True
    if _risk_band(instrument, administration) in instrument.classification.immediate_bands:
        return True
    return administration.source in AWAY


def _reason(
    instrument: Instrument, administration: Administration, immediate: bool, program
) -> str:
    band = _risk_band(instrument, administration)
    parts = [f"{instrument.abbreviation}: suicide-risk answer"]
    if Flag.ACUTE_SUICIDE_RISK in administration.flags:
        parts.append(" (thoughts of suicide right now)")
    elif band and band in instrument.classification.immediate_bands:
        parts.append(" (acuity not assessed: treat as acute)")
    if administration.source in AWAY:
        parts.append(f", answered {AWAY[administration.source]}")
    if administration.status == AdministrationStatus.INCOMPLETE:
        parts.append(", in an incomplete questionnaire")
    if immediate and program is not None and program.on_call_clinician_id:
        parts.append(". Immediate safety evaluation; on-call clinician paged.")
    elif immediate:
        parts.append(". Immediate safety evaluation; no on-call clinician is set.")
    else:
        parts.append(". Same-day safety follow-up.")
    return "".join(parts)[:300]


def alerts_raise(
    instrument: Instrument, administration: Administration, *, actor
) -> tuple[Alert, ...]:
    """Raise the safety alert an administration calls for, and page the on-call clinician
    when it needs an immediate response. Runs inside the recording use case of ``actor``
    (whoever recorded the answers, the patient included), after its access check."""
    if not set(administration.flags or []) & SAFETY_FLAGS:
        return ()
    immediate = needs_immediate_response(instrument, administration)
    program = selectors.program_for(administration)
    alert = Alert(
        patient_id=administration.patient_id,
        administration=administration,
        kind=AlertKind.SUICIDE_RISK,
        immediate=immediate,
        reason=_reason(instrument, administration, immediate, program),
    )
    alert.full_clean()
    alert.save()
    if immediate:
        _page_on_call(alert=alert, program=program, actor=actor)
    return (alert,)


def _page_on_call(*, alert: Alert, program, actor) -> OnCallPage:
    """Page the program's on-call clinician for an immediate alert, at once.

    The page is recorded here (who, when), shown as a banner on the staff pages of the
    program until the alert is acknowledged, and sent to the clinician by email through
    the outbox (stepwell.messaging), which fills ``delivered_at`` once it is sent. Both are
    written in the caller's transaction; the message goes out after the commit.
    """
    page = OnCallPage.objects.create(
        alert=alert,
        program=program,
        clinician=program.on_call_clinician if program is not None else None,
        channel=OnCallPageChannel.BANNER,
        paged_at=timezone.now(),
    )
    audit_record(
        user=actor,
        action="page",
        patient_id=alert.patient_id,
        object_type="on_call_page",
        object_id=page.pk,
        detail={
            "alert": alert.pk,
            "program": page.program_id,
            "clinician": page.clinician_id,
            "channel": page.channel,
        },
    )
    from stepwell.messaging.services import on_call_page_queue

    on_call_page_queue(page=page, actor=actor)
    return page


def alert_acknowledge(*, actor, alert_id: int, note: str) -> Alert:
    """Close an open alert with a note of the action taken."""
    alert = access.access_alert_by_id(actor, alert_id, action="acknowledge")
    note = (note or "").strip()
    if not note:
        raise ApplicationError(
            "Write what was done about this alert.",
            field_errors={"note": "Describe the action taken."},
        )
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.status != AlertStatus.OPEN:
            raise ApplicationError(
                "This alert was already closed.", field_errors={"note": "Already closed."}
            )
        alert.status = AlertStatus.ACKNOWLEDGED
        alert.acknowledged_by = actor
        alert.acknowledged_at = timezone.now()
        alert.action_note = note
        alert.full_clean()
        alert.save()
        audit_record(
            user=actor,
            action="acknowledge",
            patient_id=alert.patient_id,
            object_type="alert",
            object_id=alert.pk,
            detail={"kind": alert.kind, "immediate": alert.immediate},
        )
    return alert
