"""Minutes of a template week (0 = Monday 00:00) as the export writes them: spans of
availability, what is subtracted from them, and their text in the file format of
docs/schedule-instance.md. Plain functions over tuples; no Django."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from stepwell.schedule.optimizer.instance import DAYS, MINUTES_PER_DAY

Span = tuple[int, int]


@dataclass(frozen=True)
class Window:
    """One availability window in the file format: a day and local clock times."""

    day: str
    start: str
    end: str

    def as_dict(self) -> dict:
        return {"day": self.day, "start": self.start, "end": self.end}


def clock_minutes(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def day_span(weekday: int, start: time, end: time) -> Span:
    """A weekly window (weekday, local start and end) as week minutes; 23:59 ends the day."""
    end_minutes = MINUTES_PER_DAY if end >= time(23, 59) else clock_minutes(end)
    offset = weekday * MINUTES_PER_DAY
    return offset + clock_minutes(start), offset + end_minutes


def subtract(windows: list[Span], busy: list[Span]) -> list[Span]:
    """The parts of `windows` outside every `busy` span."""
    free = sorted(windows)
    for busy_start, busy_end in busy:
        remaining = []
        for start, end in free:
            if busy_end <= start or end <= busy_start:
                remaining.append((start, end))
                continue
            if start < busy_start:
                remaining.append((start, busy_start))
            if busy_end < end:
                remaining.append((busy_end, end))
        free = remaining
    return sorted(free)


def without_overlaps(windows: list[Span]) -> list[Span]:
    """Overlapping windows of one person merged (the file format refuses overlaps)."""
    merged: list[Span] = []
    for start, end in sorted(windows):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def windows_of(spans: list[Span]) -> tuple[Window, ...]:
    """Week spans as file-format windows (each span lies within one day)."""
    rows = []
    for start, end in spans:
        offset = (start // MINUTES_PER_DAY) * MINUTES_PER_DAY
        rows.append(
            Window(
                DAYS[start // MINUTES_PER_DAY], clock_text(start - offset), clock_text(end - offset)
            )
        )
    return tuple(rows)


def closed_days(days: set[date], monday: date) -> list[Span]:
    """The whole days of the week starting `monday` that are in `days`."""
    spans = []
    for day in days:
        index = (day - monday).days
        if 0 <= index < 7:
            spans.append((index * MINUTES_PER_DAY, (index + 1) * MINUTES_PER_DAY))
    return spans
