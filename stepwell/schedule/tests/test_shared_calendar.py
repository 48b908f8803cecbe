"""The calendar fixture is shared the way the clinic is (stepwell/testing/clinic.py)."""

from __future__ import annotations

from stepwell.schedule.models import GroupSeries
from stepwell.testing.clinic import SHARED


def test_the_copies_of_one_test_share_their_records(clinic, calendar):
    """The root `clinic` and this package's `calendar` in one test: the calendar's clinic
    is the test's clinic, as when both were built for the test."""
    assert [name for name, _, _ in SHARED._layers] == ["clinic", "calendar"]
    assert calendar.clinic is clinic
    assert calendar.process.program_id == clinic.program_a.pk
    assert GroupSeries.objects.count() == 2


def test_a_test_of_the_clinic_alone_finds_no_calendar(clinic):
    """Runs after the test above: the calendar's savepoint was rolled back before it."""
    assert [name for name, _, _ in SHARED._layers] == ["clinic"]
    assert not GroupSeries.objects.exists()
