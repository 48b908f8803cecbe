"""The urgent safety banner on staff pages: open alerts that need an immediate response.

Until messaging exists, the page to the on-call clinician is delivered as this banner. It
shows on every staff page, until the alert is acknowledged, to:

- clinicians, prescribers, nurses, intake coordinators and directors of the alert's
  program, and staff on the patient's care team (they may see the chart);
- the program's on-call clinician who was paged.

It names the patient only to a user who may see that patient's chart; anyone else gets a
line without the name. Billing staff and administrators get no banner. Every banner that
names patients is audited with the patients it named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from stepwell.privacy.access import patients_visible_to
from stepwell.privacy.audit import AuditAction, audit_request

from .access import ALERT_ROLES, READING_ROLES
from .models import Alert, AlertStatus


@dataclass(frozen=True)
class BannerRow:
    alert_id: int
    raised_at: datetime
    program: str
    on_call: str  # who was paged; "" when the program has no on-call clinician set
    paged_at: datetime | None
    # Only for a user who may see the chart; None and "" otherwise.
    patient_id: int | None
    patient_name: str
    mrn: str
    reason: str
    can_acknowledge: bool

    @property
    def named(self) -> bool:
        return self.patient_id is not None


def safety_banner_rows(user) -> list[BannerRow]:
    """The banner rows for ``user`` (no audit; ``safety_banner`` audits what it shows)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if not user.has_role(*READING_ROLES):
        return []
    alerts = list(
        Alert.objects.filter(status=AlertStatus.OPEN, immediate=True)
        .select_related("patient")
        .prefetch_related("pages__program", "pages__clinician")
        .order_by("created_at", "pk")
    )
    if not alerts:
        return []
    visible = set(
        patients_visible_to(user)
        .filter(pk__in={alert.patient_id for alert in alerts})
        .values_list("pk", flat=True)
    )
    program_ids = set(user.program_memberships.values_list("program_id", flat=True))
    acknowledges = user.has_role(*ALERT_ROLES)
    rows = []
    for alert in alerts:
        pages = sorted(alert.pages.all(), key=lambda page: (page.paged_at, page.pk))
        page = pages[-1] if pages else None
        named = alert.patient_id in visible
        in_program = page is not None and page.program_id in program_ids
        paged = page is not None and page.clinician_id == user.pk
        if not (named or in_program or paged):
            continue
        rows.append(
            BannerRow(
                alert_id=alert.pk,
                raised_at=alert.created_at,
                program=page.program.name if page is not None and page.program else "",
                on_call=str(page.clinician) if page is not None and page.clinician else "",
                paged_at=page.paged_at if page is not None else None,
                patient_id=alert.patient_id if named else None,
                patient_name=alert.patient.display_name if named else "",
                mrn=alert.patient.mrn if named else "",
                reason=alert.reason if named else "",
                can_acknowledge=named and acknowledges,
            )
        )
    return rows


def safety_banner(request) -> list[BannerRow]:
    """The rows for the request's user; the patients named are written to the audit trail."""
    user = getattr(request, "user", None)
    rows = safety_banner_rows(user)
    named = sorted({row.patient_id for row in rows if row.named})
    if named:
        audit_request(
            request,
            action=AuditAction.LIST,
            object_type="safety_banner",
            detail={"patients": named, "alerts": [row.alert_id for row in rows]},
        )
    return rows
