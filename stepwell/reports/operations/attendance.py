"""Attendance, no-shows and late cancellations by group, weekday and time; group fill.

Every attendance row of a session held on a day of the period counts (groups, individual
and medication visits), by the session's program:
- taken: the row was marked (not "not yet taken", not "cancelled by program");
- attended: present, late or left early; the attendance rate is attended / taken;
- no-show: absent without an excuse;
- late cancellation: absent with an excuse. Attendance opens only shortly before a
  session starts, so an excuse on the roster always came late; a booking cancelled in
  advance is removed from the schedule and is not a row here;
- cancelled by program: the program called the session off (not the patient's doing).
Weekday and start time are the program's local ones. Group fill compares the seats
booked with each group's capacity, over the group meetings held (not cancelled).
"""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, ExtractMinute

from stepwell.care.attendance.states import ATTENDED, AttendanceStatus
from stepwell.care.models import Attendance
from stepwell.schedule.models import AppointmentKind, OccurrenceStatus, SessionOccurrence

from ..scope import ReportScope
from ..tables import Column, ColumnKind, Report, Table, percent

S = AttendanceStatus
TAKEN = [s.value for s in (*ATTENDED, S.ABSENT_EXCUSED, S.ABSENT_UNEXCUSED)]
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
COUNTS = {
    "sessions": Count("occurrence", distinct=True) + Count("appointment", distinct=True),
    "taken": Count("pk", filter=Q(status__in=TAKEN)),
    "attended": Count("pk", filter=Q(status__in=[s.value for s in ATTENDED])),
    "no_shows": Count("pk", filter=Q(status=S.ABSENT_UNEXCUSED)),
    "late_cancellations": Count("pk", filter=Q(status=S.ABSENT_EXCUSED)),
    "cancelled": Count("pk", filter=Q(status=S.CANCELLED_BY_PROGRAM)),
}
COUNT_KEYS = tuple(COUNTS)


def _columns(first: Column) -> tuple[Column, ...]:
    return (
        first,
        Column("sessions", "Sessions"),
        Column("taken", "Attendance taken"),
        Column("attended", "Attended"),
        Column("rate", "Attendance rate", ColumnKind.PERCENT, share_of=("attended", "taken")),
        Column("no_shows", "No-shows"),
        Column("late_cancellations", "Late cancellations"),
        Column("cancelled", "Cancelled by program"),
    )


def _row(label: str, counts: dict) -> tuple:
    return (
        label,
        counts["sessions"],
        counts["taken"],
        counts["attended"],
        percent(counts["attended"], counts["taken"]),
        counts["no_shows"],
        counts["late_cancellations"],
        counts["cancelled"],
    )


def attendance_rows(scope: ReportScope):
    held = scope.moments_in_period(
        "session_starts_at", "occurrence__program_id"
    ) | scope.moments_in_period("session_starts_at", "appointment__program_id")
    return Attendance.objects.filter(held).filter(scope.payer_condition())


def _session_program(ids) -> Q:
    return Q(occurrence__program_id__in=ids) | Q(appointment__program_id__in=ids)


def _add(total: dict, row: dict) -> None:
    for key in COUNT_KEYS:
        total[key] = total.get(key, 0) + row[key]


def attendance_report(scope: ReportScope) -> Report:
    rows = attendance_rows(scope)
    kinds = dict(AppointmentKind.choices)
    groups: dict[tuple[str, str], dict] = defaultdict(dict)
    for row in (
        rows.values(
            "occurrence__program__name",
            "occurrence__title",
            "appointment__program__name",
            "appointment__kind",
        )
        .annotate(**COUNTS)
        .order_by()
    ):
        if row["occurrence__title"] is not None:
            key = (row["occurrence__program__name"], row["occurrence__title"])
        else:
            key = (row["appointment__program__name"], kinds.get(row["appointment__kind"], "?"))
        _add(groups[key], row)
    weekdays: dict[int, dict] = defaultdict(dict)
    times: dict[str, dict] = defaultdict(dict)
    for zone, ids in scope.by_zone().items():
        tz = ZoneInfo(zone)
        local = rows.filter(_session_program(ids)).annotate(
            weekday=ExtractIsoWeekDay("session_starts_at", tzinfo=tz),
            hour=ExtractHour("session_starts_at", tzinfo=tz),
            minute=ExtractMinute("session_starts_at", tzinfo=tz),
        )
        for row in local.values("weekday").annotate(**COUNTS).order_by():
            _add(weekdays[row["weekday"]], row)
        for row in local.values("hour", "minute").annotate(**COUNTS).order_by():
            _add(times[f"{row['hour']:02d}:{row['minute']:02d}"], row)
    total: dict = {}
    for counts in groups.values():
        _add(total, counts)
    by_group = Table(
        key="by_group",
        title="Attendance by group",
        columns=_columns(Column("group", "Group or visit", ColumnKind.TEXT)),
        rows=(
            *(
                _row(f"{title} ({program})", groups[(program, title)])
                for program, title in sorted(groups)
            ),
            *((_row("All sessions", total),) if total else ()),
        ),
    )
    by_weekday = Table(
        key="by_weekday",
        title="Attendance by weekday",
        columns=_columns(Column("weekday", "Weekday", ColumnKind.TEXT)),
        rows=tuple(_row(WEEKDAY_NAMES[day - 1], weekdays[day]) for day in sorted(weekdays)),
    )
    by_time = Table(
        key="by_time",
        title="Attendance by start time",
        columns=_columns(Column("time", "Starts at", ColumnKind.TEXT)),
        rows=tuple(_row(start, times[start]) for start in sorted(times)),
    )
    fill = _group_fill(scope, groups)
    patients = rows.values("patient_id").distinct().count()
    return Report(tables=(by_group, by_weekday, by_time, fill), patient_count=patients)


def _group_fill(scope: ReportScope, groups: dict) -> Table:
    meetings = SessionOccurrence.objects.filter(
        scope.moments_in_period("starts_at", "program_id"), status=OccurrenceStatus.SCHEDULED
    )
    rows = []
    for row in (
        meetings.values("program__name", "title")
        .annotate(meetings=Count("pk"), seats=Sum("capacity"), booked=Sum("enrolled_count"))
        .order_by("title", "program__name")
    ):
        attended = groups.get((row["program__name"], row["title"]), {}).get("attended", 0)
        rows.append(
            (
                f"{row['title']} ({row['program__name']})",
                row["meetings"],
                row["seats"],
                row["booked"],
                percent(row["booked"], row["seats"]),
                attended,
                percent(attended, row["seats"]),
            )
        )
    return Table(
        key="fill",
        title="Group fill against capacity",
        columns=(
            Column("group", "Group", ColumnKind.TEXT),
            Column("meetings", "Meetings held"),
            Column("seats", "Seats (capacity)"),
            Column("booked", "Seats booked"),
            Column("fill", "Fill rate", ColumnKind.PERCENT),
            Column("attended", "Attended"),
            Column("attended_fill", "Attended of capacity", ColumnKind.PERCENT),
        ),
        rows=tuple(rows),
        note="Seats and bookings count every patient; the payer filter applies to 'Attended' only.",
    )
