"""Issue 12, human labels where codes showed: setup's plural names, setup's times in the
clinic's time zone, the audit page's column names, and questionnaires by their own names
(PHQ-9, not `PHQ9 v1.0.0`) and their flags in words (not `suicide_risk`) on the chart and
in plan objectives."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib import admin

from stepwell.clinic.selectors import timezone_for_user
from stepwell.measures.models import InstrumentDefinition
from stepwell.testing.auth import verified_login

pytestmark = pytest.mark.django_db


def test_every_setup_list_has_a_human_plural_name():
    wrong = []
    for model in admin.site._registry:
        singular, plural = model._meta.verbose_name, model._meta.verbose_name_plural
        consonant_y = singular.endswith("y") and singular[-2:-1] not in "aeiou"
        if plural == f"{singular}s" and (consonant_y or singular.endswith(("s", "x", "ch", "sh"))):
            wrong.append(f"{model.__name__}: {plural}")
    assert wrong == []


def test_an_administrator_of_no_program_sees_setup_times_in_the_clinic_zone(client, clinic):
    assert timezone_for_user(user=clinic.admin) == clinic.program_a.timezone == "America/Chicago"
    row = InstrumentDefinition.objects.create(
        key="synthetic", version="1", name="Synthetic scale", abbreviation="SYN", definition={}
    )
    InstrumentDefinition.objects.filter(pk=row.pk).update(
        loaded_at=datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
    )
    verified_login(client, clinic.admin)
    page = client.get("/setup/measures/instrumentdefinition/").content.decode()
    assert "Jan. 15, 2026, noon" in page  # 18:00 UTC is noon in Chicago
    assert "6 p.m." not in page


def test_the_audit_page_names_its_columns_in_words(client, clinic):
    verified_login(client, clinic.director_a)
    page = client.get("/privacy/audit/").content.decode()
    for label in ("No.", "When", "User", "Record type", "From address"):
        assert f"{label}</a></th>" in page or f">{label} " in page
    for code in ("Occurred at", "Object type", "Client address", ">Seq<"):
        assert code not in page


def test_the_chart_names_questionnaires_by_their_own_name(client, clinic):
    from stepwell.measures.services import administration_record

    administration_record(
        actor=clinic.clinician_a,
        patient_id=clinic.patient_a.pk,
        instrument_key="phq9",
        answers={f"phq9_{n}": 1 for n in range(1, 10)},
    )
    verified_login(client, clinic.clinician_a)
    chart = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    assert '<td title="version 1.0.0">PHQ-9</td>' in chart
    assert "PHQ9" not in chart
    assert ">Suicide risk</span>" in chart  # item 9 answered: the flag in words
