"""Staff caseloads and direct-service hours.

- Caseload: patients in treatment on the last day of the period (admitted, not yet
  discharged) in the report's programs, on whose care team the staff member is; "primary
  for" counts those where they are the primary clinician.
- Direct service: individual and medication visits they held in the period that the
  patient attended, and group meetings they facilitated in the period that at least one
  patient attended; hours are the sessions' scheduled length.
The payer filter narrows the caseloads and the visits (a group meeting is counted once,
whoever's payer). Staff are listed with their name and credentials; no patient is named.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum

from stepwell.care.attendance.states import ATTENDED
from stepwell.care.models import Attendance
from stepwell.patients.models import CareTeamMember, CareTeamRole, Patient
from stepwell.schedule.models import (
    Appointment,
    AppointmentKind,
    OccurrenceStatus,
    SessionOccurrence,
)

from ..scope import ReportScope
from ..tables import Column, ColumnKind, Report, Table, one_decimal

ATTENDED_VALUES = [s.value for s in ATTENDED]
LENGTH = ExpressionWrapper(F("ends_at") - F("starts_at"), output_field=DurationField())


def in_treatment_on_last_day(scope: ReportScope):
    day = scope.date_to
    return (
        scope.episodes()
        .filter(admitted_on__lte=day)
        .filter(Q(discharged_on__isnull=True) | Q(discharged_on__gte=day))
    )


def _hours(duration: timedelta | None) -> float:
    return one_decimal((duration or timedelta()).total_seconds() / 3600) or 0.0


def staff_report(scope: ReportScope) -> Report:
    patients = in_treatment_on_last_day(scope).values("patient_id")
    per_staff: dict[int, dict] = defaultdict(
        lambda: {"caseload": 0, "primary": 0, "visits": 0, "groups": 0, "time": timedelta()}
    )
    for user_id, caseload, primary in (
        CareTeamMember.objects.filter(patient_id__in=patients)
        .values("user_id")
        .annotate(
            caseload=Count("patient", distinct=True),
            primary=Count(
                "patient", distinct=True, filter=Q(team_role=CareTeamRole.PRIMARY_CLINICIAN)
            ),
        )
        .values_list("user_id", "caseload", "primary")
    ):
        per_staff[user_id]["caseload"] = caseload
        per_staff[user_id]["primary"] = primary
    attended = Attendance.objects.filter(status__in=ATTENDED_VALUES)
    visits = (
        Appointment.objects.filter(scope.moments_in_period("starts_at", "program_id"))
        .filter(status=OccurrenceStatus.SCHEDULED)
        .filter(Exists(attended.filter(appointment=OuterRef("pk"))))
        .filter(scope.payer_condition())
    )
    kinds: dict[int, dict[str, int]] = defaultdict(dict)
    for user_id, kind, n, time in (
        visits.values("staff_id", "kind")
        .annotate(n=Count("pk"), time=Sum(LENGTH))
        .values_list("staff_id", "kind", "n", "time")
    ):
        per_staff[user_id]["visits"] += n
        per_staff[user_id]["time"] += time or timedelta()
        kinds[user_id][kind] = n
    meetings = SessionOccurrence.objects.filter(
        scope.moments_in_period("starts_at", "program_id"), status=OccurrenceStatus.SCHEDULED
    ).filter(Exists(attended.filter(occurrence=OuterRef("pk"))))
    for user_id, n, time in (
        meetings.values("facilitators")
        .annotate(n=Count("pk"), time=Sum(LENGTH))
        .values_list("facilitators", "n", "time")
    ):
        if user_id is None:
            continue
        per_staff[user_id]["groups"] += n
        per_staff[user_id]["time"] += time or timedelta()
    people = {
        user.pk: user
        for user in get_user_model()
        .objects.filter(pk__in=list(per_staff))
        .order_by("last_name", "first_name", "username")
    }
    rows = []
    for user_id, user in people.items():
        counts = per_staff[user_id]
        rows.append(
            (
                user.get_full_name() or user.username,
                user.credentials,
                counts["caseload"],
                counts["primary"],
                kinds[user_id].get(AppointmentKind.INDIVIDUAL, 0),
                kinds[user_id].get(AppointmentKind.MEDICATION, 0),
                counts["groups"],
                _hours(counts["time"]),
            )
        )
    table = Table(
        key="staff",
        title="Caseloads and direct-service hours",
        columns=(
            Column("staff", "Staff member", ColumnKind.TEXT),
            Column("credentials", "Credentials", ColumnKind.TEXT),
            Column("caseload", "Caseload"),
            Column("primary", "Primary clinician for"),
            Column("individual", "Individual visits"),
            Column("medication", "Medication visits"),
            Column("groups", "Group meetings"),
            Column("hours", "Direct-service hours", ColumnKind.NUMBER),
        ),
        rows=tuple(rows),
        note=f"Caseloads on {scope.date_to.isoformat()}, the last day of the period.",
    )
    served = (
        Attendance.objects.filter(status__in=ATTENDED_VALUES)
        .filter(Q(appointment__in=visits) | Q(occurrence__in=meetings))
        .filter(scope.payer_condition())
        .values("patient_id")
    )
    patient_count = Patient.objects.filter(
        Q(pk__in=in_treatment_on_last_day(scope).values("patient_id")) | Q(pk__in=served)
    ).count()
    return Report(tables=(table,), patient_count=patient_count)
