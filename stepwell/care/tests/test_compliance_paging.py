"""The compliance page shows 50 patients a page by name, computes the hours of the page's
rows only, in as many queries for a large program as for a small one, and audits the
patients shown."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from stepwell.billing.models import Coverage
from stepwell.care.hours.weekly import program_compliance
from stepwell.care.tests.conftest import GROUP_START, make_occurrence
from stepwell.patients.models import EpisodeState
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory, PayerFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

WEEK = "2026-W50"  # GROUP_START's week
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)  # the week before: every session still to come


def _program(size: int):
    """`size` patients in treatment, every other one on Medicare, all booked into a
    three-hour group of the week, and one discharged the week before (not listed)."""
    program = ProgramFactory()
    director = UserFactory(roles=["program_director"], programs=[program])
    medicare = PayerFactory(kind="medicare", hours_rule="medicare_iop")
    patients = []
    for n in range(size):
        episode = EpisodeFactory(
            program=program,
            state=EpisodeState.ACTIVE,
            admitted_on=date(2026, 11, 2),
            patient__legal_last_name=f"Synthetic{n:03d}",
        )
        if n % 2:
            Coverage.objects.create(patient=episode.patient, payer=medicare)
        patients.append(episode.patient)
    EpisodeFactory(
        program=program,
        state=EpisodeState.DISCHARGED,
        admitted_on=date(2026, 11, 2),
        discharged_on=date(2026, 12, 4),
        patient__legal_last_name="Zz Left",
    )
    for start in range(0, size, 10):  # groups of ten (a group holds twelve)
        make_occurrence(program, starts_at=GROUP_START, patients=patients[start : start + 10])
    return program, director


@pytest.mark.parametrize("size", [3, 60])
def test_the_compliance_page_makes_as_many_queries_for_many_patients_as_for_few(
    client, django_assert_max_num_queries, monkeypatch, size
):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    program, director = _program(size)
    verified_login(client, director)
    url = f"/care/programs/{program.pk}/compliance/?week={WEEK}"
    client.get(url)  # fills per-process caches
    with django_assert_max_num_queries(28):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="compliance-row"') == min(size, 50)


def test_the_second_page_shows_the_rest_by_name_as_the_whole_list_computes_them(
    client, monkeypatch
):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    program, director = _program(60)
    everyone = program_compliance(program=program, week=WEEK, now=NOW)
    assert len(everyone) == 60
    verified_login(client, director)

    first = client.get(f"/care/programs/{program.pk}/compliance/?week={WEEK}").content.decode()
    assert first.count('data-testid="compliance-row"') == 50
    assert "60 patients in treatment this week" in first
    assert f'href="?week={WEEK}&amp;page=2">next</a>' in first

    response = client.get(f"/care/programs/{program.pk}/compliance/?week={WEEK}&page=2")
    html = response.content.decode()
    assert html.count('data-testid="compliance-row"') == 10
    assert "Page 2 of 2" in html
    rows = response.context["rows"]
    assert [r.patient.pk for r in rows] == [r.patient.pk for r in everyone[50:]]
    assert [r.hours for r in rows] == [r.hours for r in everyone[50:]]
    below = sum(r.hours.below_minimum for r in everyone[50:])
    assert f'data-testid="below-count"><strong>{below}</strong> of 10 patients on this page' in (
        html
    )
    event = AuditEvent.objects.filter(object_type="program_compliance").order_by("pk").last()
    assert event.detail["page"] == 2
    assert event.detail["patients"] == [r.patient.pk for r in everyone[50:]]


def test_a_page_past_the_end_shows_the_last_and_a_word_shows_the_first(client, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    program, director = _program(55)
    verified_login(client, director)
    url = f"/care/programs/{program.pk}/compliance/?week={WEEK}"
    assert client.get(f"{url}&page=9").content.decode().count('data-testid="compliance-row"') == 5
    assert client.get(f"{url}&page=x").content.decode().count('data-testid="compliance-row"') == 50
