"""Measures on the chart and the caseload: the patients app includes these hooks.

Each tag checks access from the user in the template context and reads through the
selectors; it adds no rules of its own.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe

from stepwell.measures import access, progress, selectors
from stepwell.measures.models import AdministrationStatus, AlertStatus
from stepwell.measures.trajectory import ChartBand, ChartPoint, trajectory_svg
from stepwell.privacy.audit import AuditAction, audit_request

register = template.Library()

DEFAULT_CRISIS_RESOURCES = "Call or text 988 (Suicide & Crisis Lifeline), or 911 in an emergency"


@register.filter
def words(value) -> str:
    """A stored key as words: "moderately_severe" -> "moderately severe"."""
    return str(value or "").replace("_", " ")


@register.simple_tag
def crisis_resources() -> str:
    return getattr(settings, "STEPWELL_CRISIS_RESOURCES", DEFAULT_CRISIS_RESOURCES)


def chart_for(series: progress.Series, sex: str | None) -> str:
    """The trajectory SVG. A point is ringed only for a classification the instrument's
    verified threshold gives (an unverified one never classifies: §3.7)."""
    instrument = series.instrument
    bands = [
        ChartBand(label=band.label, minimum=band.minimum, maximum=band.maximum)
        for band in selectors.instrument_bands(instrument, sex)
    ]
    low, high = instrument.total_range or (0, max(p.total for p in series.points))
    points = [
        ChartPoint(
            day=p.completed_on,
            total=p.total,
            reliable=str(p.reliable or "") if p.change_from_baseline else "",
            label=p.band.replace("_", " "),
        )
        for p in series.points
    ]
    return mark_safe(  # noqa: S308 - trajectory_svg escapes every text it writes
        trajectory_svg(
            title=f"{instrument.abbreviation} over time",
            points=points,
            bands=bands,
            low=low,
            high=high,
        )
    )


@register.inclusion_tag("measures/chart_panel_body.html", takes_context=True)
def measures_chart_panel(context, patient):
    user = context["request"].user
    if not access.access_measures_read(user, patient):
        return {"visible": False}
    administrations = list(
        selectors.administrations_for_patient(user=user, patient_id=patient.pk).select_related(
            "recorded_by"
        )
    )
    episode = selectors.open_episode_for(patient)
    program = episode.program if episode else None
    today = selectors.program_today(program) if program else timezone.localdate()
    series_list = progress.series_of(administrations)
    series = [
        {"series": s, "svg": chart_for(s, patient.sex_assigned_at_birth), "change": s.change()}
        for s in series_list
    ]
    recorded = (AdministrationStatus.COMPLETED, AdministrationStatus.INCOMPLETE)
    completed = [a for a in administrations if a.status in recorded]
    switched_off = selectors.instruments_switched_off()
    due = [
        {
            "administration": a,
            "overdue": selectors.is_overdue(a, today),
            "switched_off": a.instrument_key in switched_off,
            "in_session_only": bool(
                selectors.remote_refusal_for_program(a.instrument_key, selectors.program_for(a))
            ),
        }
        for a in sorted(administrations, key=lambda a: (a.due_on is None, a.due_on, a.pk))
        if a.status == AdministrationStatus.DUE
    ]
    can_see_alerts = access.access_alerts_see(user, patient)
    alerts = list(patient.measure_alerts.select_related("administration")) if can_see_alerts else []
    usable = [i for i in selectors.instruments_available() if i.key not in switched_off]
    return {
        "visible": True,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "patient": patient,
        "series": series,
        "findings": progress.findings_of(series_list),
        "joint": progress.joint_recovery(series_list),
        "completed": [
            {"administration": a, "items": selectors.item_answers(a)} for a in completed[:50]
        ],
        "due": due,
        "open_alerts": [a for a in alerts if a.status == AlertStatus.OPEN],
        "can_acknowledge": access.access_alert_acknowledge(user, patient) if alerts else False,
        "can_record": access.access_administration_record(user, patient),
        "instruments": usable,
        "sendable": [i for i in usable if not selectors.remote_refusal_for_program(i.key, program)],
        "switched_off": switched_off,
    }


@register.simple_tag(takes_context=True)
def measures_caseload_for(context, episode):
    """The summary for one caseload row. The first call reads every row of the page at
    once (one audit event for the list) and keeps the result for the rest."""
    request = context["request"]
    cache = getattr(request, "_measures_caseload", None)
    if cache is None:
        rows = context.get("rows") or []
        patient_ids = sorted({row[0].patient_id for row in rows})
        cache = progress.caseload_measures(user=request.user, patient_ids=patient_ids)
        if cache:
            audit_request(
                request,
                action=AuditAction.LIST,
                object_type="measures_summary",
                detail={"patients": sorted(cache)},
            )
        request._measures_caseload = cache
    return cache.get(episode.patient_id)
