"""The urgent safety banner on staff pages: open alerts that need an immediate response.

Until messaging exists, the page to the on-call clinician is delivered as this banner. It
shows on every staff page, until the alert is acknowledged, to the people
privacy.access.measures.banner_alerts_visible_to names: the readers of the patient's
chart, the readers of the program the on-call clinician was paged for, and the paged
clinician. Billing staff and administrators get none.

The banner names no patient (no name, no record number), so showing it reads no one's
record and writes nothing to the audit trail: it is computed for every staff page, and an
audit row per page view would bury the events that matter. To act, a user opens the
alert worklist (or the chart), which names the patient and is audited when opened. A
user who may see the chart also reads the alert's reason (which instrument, how acute);
anyone else reads only that a patient of the program needs an immediate safety
evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from stepwell.privacy.access import measures as access
from stepwell.privacy.access.predicates import is_staff_member

from .models import Alert


@dataclass(frozen=True)
class BannerRow:
    alert_id: int
    raised_at: datetime
    program: str
    on_call: str  # who was paged; "" when the program has no on-call clinician set
    paged_at: datetime | None
    reason: str  # only for a user who may see the chart; "" otherwise
    can_act: bool  # the user may see and acknowledge the alert (on the worklist)


def safety_banner(user) -> list[BannerRow]:
    """The banner rows for ``user``; none for anyone who is not active staff."""
    if not is_staff_member(user):
        return []
    alerts = list(
        access.banner_alerts_visible_to(user)
        .prefetch_related("pages__program", "pages__clinician")
        .order_by("created_at", "pk")
    )
    if not alerts:
        return []
    patient_ids = {alert.patient_id for alert in alerts}
    readable = _among(access.measures_patients_visible_to(user), patient_ids)
    actionable = _among(access.alert_patients_visible_to(user), patient_ids)
    return [
        _row(
            alert, readable=alert.patient_id in readable, actionable=alert.patient_id in actionable
        )
        for alert in alerts
    ]


def _among(patients, patient_ids: set[int]) -> set[int]:
    return set(patients.filter(pk__in=patient_ids).values_list("pk", flat=True))


def _row(alert: Alert, *, readable: bool, actionable: bool) -> BannerRow:
    pages = sorted(alert.pages.all(), key=lambda page: (page.paged_at, page.pk))
    page = pages[-1] if pages else None
    return BannerRow(
        alert_id=alert.pk,
        raised_at=alert.created_at,
        program=page.program.name if page is not None and page.program else "",
        on_call=str(page.clinician) if page is not None and page.clinician else "",
        paged_at=page.paged_at if page is not None else None,
        reason=alert.reason if readable else "",
        can_act=actionable,
    )
