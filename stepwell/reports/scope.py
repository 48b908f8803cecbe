"""What a report counts: its programs (after the site and track filters), its period, and
the payer filter, with the querysets every report starts from.

Dates of care are the program's local dates (clinic/time.py). A moment (a session's
start, a note's signature) is turned into its program's date by the database, one time
zone at a time (`by_zone`): programs of one clinic seldom have more than one zone, so a
report runs a fixed number of queries whatever the number of patients.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.db.models import Exists, OuterRef, Q, QuerySet

from stepwell.billing.models import Coverage, CoveragePriority, Payer
from stepwell.clinic.models import Program, Site, Track
from stepwell.clinic.time import program_today
from stepwell.core.errors import ApplicationError
from stepwell.patients.models import Episode
from stepwell.schedule.calendar.weeks import iso_week_of, local_to_utc

DEFAULT_DAYS = 84  # twelve weeks, today included
MAX_DAYS = 731  # two years
EARLIEST = date(1900, 1, 1)


@dataclass(frozen=True)
class ReportScope:
    programs: tuple[Program, ...]
    date_from: date
    date_to: date
    today: date
    now: datetime
    site: Site | None = None
    track: str = ""
    payer: Payer | None = None
    program_filter: int | None = None  # the program asked for, when one was

    @property
    def program_ids(self) -> list[int]:
        return [program.pk for program in self.programs]

    # Worked out once per scope: a report asks for its weeks in its inner loops (the hours
    # report once per episode and week: a million date conversions a request at 20,000
    # patients when this was a plain property).
    @cached_property
    def days(self) -> tuple[date, ...]:
        count = (self.date_to - self.date_from).days + 1
        return tuple(self.date_from + timedelta(days=n) for n in range(count))

    @cached_property
    def weeks(self) -> tuple[str, ...]:
        return tuple(sorted({iso_week_of(day) for day in self.days}))

    def by_zone(self) -> dict[str, list[int]]:
        """Program ids per time zone."""
        zones: dict[str, list[int]] = {}
        for program in self.programs:
            zones.setdefault(program.timezone, []).append(program.pk)
        return zones

    def zone_window(self, zone: str, field: str) -> Q:
        """Moments `field` on a day of the period in the time zone `zone`."""
        start = local_to_utc(zone, self.date_from, time.min)
        end = local_to_utc(zone, self.date_to + timedelta(days=1), time.min)
        return Q(**{f"{field}__gte": start, f"{field}__lt": end})

    def moments_in_period(self, field: str, program_field: str) -> Q:
        """Rows whose moment `field` falls on a day of the period, in the time zone of the
        program `program_field` names (one condition per zone)."""
        condition = Q(pk__in=[])
        for zone, ids in self.by_zone().items():
            condition |= Q(**{f"{program_field}__in": ids}) & self.zone_window(zone, field)
        return condition

    def payer_condition(self, patient_field: str = "patient") -> Q:
        """Patients whose primary coverage is with the chosen payer at some time in the
        period (everyone when no payer is chosen)."""
        if self.payer is None:
            return Q()
        covered = Coverage.objects.filter(
            patient=OuterRef(patient_field),
            payer=self.payer,
            priority=CoveragePriority.PRIMARY,
        ).filter(
            Q(effective_from__isnull=True) | Q(effective_from__lte=self.date_to),
            Q(effective_to__isnull=True) | Q(effective_to__gte=self.date_from),
        )
        return Q(Exists(covered))

    def episodes(self) -> QuerySet[Episode]:
        """Every episode of the report's programs (and payer)."""
        return Episode.objects.filter(program_id__in=self.program_ids).filter(
            self.payer_condition()
        )

    def filters(self) -> dict:
        """The filters as the audit trail and the API echo them."""
        return {
            "program": self.program_filter,
            "site": self.site.pk if self.site else None,
            "track": self.track,
            "payer": self.payer.pk if self.payer else None,
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "programs": self.program_ids,
        }


def _period(
    date_from: date | None, date_to: date | None, today: date, max_days: int
) -> tuple[date, date]:
    """The period asked for: to defaults to today and never goes past it (a report counts
    what has happened); from defaults to twelve weeks back."""
    end = min(date_to or today, today)
    start = date_from or end - timedelta(days=DEFAULT_DAYS - 1)
    if start < EARLIEST:
        raise ApplicationError(
            "The period starts too early.", field_errors={"from": "Give a date from 1900 on."}
        )
    if start > end:
        raise ApplicationError(
            "The period ends before it starts.",
            field_errors={"from": f"Give a date on or before {end.isoformat()}."},
        )
    if (end - start).days + 1 > max_days:
        raise ApplicationError(
            "The period is too long for this report.",
            field_errors={"from": f"Choose a period of at most {max_days} days."},
        )
    return start, end


def report_scope(
    *,
    programs: list[Program],
    now: datetime,
    program_id: int | None = None,
    site_id: int | None = None,
    track: str = "",
    payer_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    max_days: int = MAX_DAYS,
) -> ReportScope:
    """The scope of a report over `programs` (those the user may report on), narrowed by
    the filters. Bad filters raise ApplicationError naming the field."""
    track = track or ""
    if track and track not in Track.values:
        raise ApplicationError(
            f"{track!r} is not a track.",
            field_errors={"track": "Choose one of: " + ", ".join(Track.values) + "."},
        )
    site = None
    if site_id is not None:
        site = Site.objects.filter(pk=site_id).first()
        if site is None:
            raise ApplicationError("No such site.", field_errors={"site": "Choose a site."})
    payer = None
    if payer_id is not None:
        payer = Payer.objects.filter(pk=payer_id).first()
        if payer is None:
            raise ApplicationError("No such payer.", field_errors={"payer": "Choose a payer."})
    today = program_today(programs[0], now)
    start, end = _period(date_from, date_to, today, max_days)
    chosen = tuple(
        p
        for p in programs
        if (site is None or p.site_id == site.pk) and (not track or p.track == track)
    )
    return ReportScope(
        programs=chosen,
        date_from=start,
        date_to=end,
        today=today,
        now=now,
        site=site,
        track=track,
        payer=payer,
        program_filter=program_id,
    )
