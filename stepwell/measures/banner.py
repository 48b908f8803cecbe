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

from django.db.models import Exists, OuterRef, Subquery

from stepwell.accounts.models import User
from stepwell.core.kept import KeptRows
from stepwell.privacy.access import measures as access
from stepwell.privacy.access.predicates import is_staff_member

from .models import Alert, AlertStatus, OnCallPage

# Whether any urgent alert is open anywhere: asked on every staff page, so kept compiled
# (stepwell/core/kept.py).
_ANY_URGENT = KeptRows(
    Alert,
    lambda: Alert.objects.filter(status=AlertStatus.OPEN, immediate=True).values_list("pk")[:1],
)


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
    """The banner rows for ``user``; none for anyone who is not active staff.

    It runs on every staff page, so it costs one indexed lookup when no urgent alert is
    open anywhere (most of the time), and one more query when one is: whether the user
    reads the chart or may act, and the latest page (program, on-call clinician, when),
    are read with the alerts. The full query's access rules take longer to build and
    plan than any list page's own query, hence the cheap question first."""
    if not is_staff_member(user):
        return []
    if not _ANY_URGENT.rows():
        return []
    pages = OnCallPage.objects.filter(alert_id=OuterRef("pk")).order_by("-paged_at", "-pk")

    def latest_page(field: str) -> Subquery:
        return Subquery(pages.values(field)[:1])

    def among(patients) -> Exists:
        return Exists(patients.filter(pk=OuterRef("patient_id")))

    alerts = (
        access.banner_alerts_visible_to(user)
        .annotate(
            readable=among(access.measures_patients_visible_to(user)),
            actionable=among(access.alert_patients_visible_to(user)),
            page_program=latest_page("program__name"),
            page_clinician_id=latest_page("clinician_id"),
            page_first_name=latest_page("clinician__first_name"),
            page_last_name=latest_page("clinician__last_name"),
            page_username=latest_page("clinician__username"),
            page_credentials=latest_page("clinician__credentials"),
            page_paged_at=latest_page("paged_at"),
        )
        .order_by("created_at", "pk")
    )
    return [_row(alert) for alert in alerts]


def _row(alert: Alert) -> BannerRow:
    on_call = ""
    if alert.page_clinician_id is not None:
        clinician = User(
            username=alert.page_username,
            first_name=alert.page_first_name,
            last_name=alert.page_last_name,
            credentials=alert.page_credentials,
        )
        on_call = str(clinician)  # as the user's own name is written everywhere
    return BannerRow(
        alert_id=alert.pk,
        raised_at=alert.created_at,
        program=alert.page_program or "",
        on_call=on_call,
        paged_at=alert.page_paged_at,
        reason=alert.reason if alert.readable else "",
        can_act=alert.actionable,
    )
