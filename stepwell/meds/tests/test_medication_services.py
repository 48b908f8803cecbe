"""Medications and allergies through the services: what is kept, and bad input refused
with the field named and nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepwell.core.errors import ApplicationError
from stepwell.meds import services
from stepwell.meds.models import Allergy, Medication, MedicationChange, RxNormConcept
from stepwell.meds.services.medications import _dose as dose_checked

from .conftest import sertraline


def _create(clinic, **overrides):
    return services.medication_create(
        actor=clinic.prescriber_a, patient_id=clinic.patient_a.pk, data=sertraline(**overrides)
    )


def _refused_field(clinic, **overrides) -> str:
    before = Medication.objects.count()
    with pytest.raises(ApplicationError) as error:
        _create(clinic, **overrides)
    assert Medication.objects.count() == before
    (field,) = error.value.field_errors
    return field


def test_a_formulary_drug_carries_its_code_and_its_history(diagnosed):
    medication = _create(diagnosed, reason_code="f33.1")
    assert medication.name == "sertraline"
    assert medication.rxnorm_code == "36437"
    assert medication.code_verified is True
    assert medication.reason_code == "F33.1"
    assert medication.dose == Decimal("50.000")
    assert medication.dose_text == "50 mg by mouth, once daily"
    (started,) = MedicationChange.objects.filter(medication=medication)
    assert started.kind == "started"


def test_free_text_is_kept_uncoded(diagnosed):
    medication = _create(diagnosed, formulary_key="", name="St John's wort")
    assert medication.rxnorm_code == ""
    assert medication.coded is False


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"dose": "0"}, "dose"),
        ({"dose": "-5"}, "dose"),
        ({"dose": "fifty"}, "dose"),
        ({"dose": "NaN"}, "dose"),
        ({"dose": "Infinity"}, "dose"),
        ({"stop_date": date(2026, 9, 30)}, "stop_date"),
        ({"formulary_key": "", "rxnorm_code": "99999999"}, "rxnorm_code"),
        ({"formulary_key": "", "rxnorm_code": "abc"}, "rxnorm_code"),
        ({"formulary_key": "lorazepam"}, "prescriber_id"),
        ({"formulary_key": "", "name": "Something", "controlled_schedule": "II"}, "prescriber_id"),
        (
            {"formulary_key": "methadone", "prescriber_name": "Dr Outside"},
            "opioid_treatment_program",
        ),
        ({"formulary_key": "no-such-drug"}, "formulary_key"),
        ({"unit": ""}, "unit"),
        ({"frequency": ""}, "frequency"),
        ({"route": "ear"}, "route"),
        ({"reason_code": "F99"}, "reason_code"),
        ({"start_date": None}, "start_date"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(diagnosed, overrides, field):
    assert _refused_field(diagnosed, **overrides) == field


@settings(max_examples=60, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=3, max_value=Decimal("0")))
def test_no_dose_at_or_below_zero_passes_the_dose_rule(dose):
    with pytest.raises(ApplicationError) as error:
        dose_checked(str(dose))
    assert list(error.value.field_errors) == ["dose"]


@settings(max_examples=60, deadline=None)
@given(
    st.decimals(
        allow_nan=False,
        allow_infinity=False,
        places=3,
        min_value=Decimal("0.001"),
        max_value=Decimal("999999"),
    )
)
def test_every_positive_dose_passes_the_dose_rule(dose):
    assert dose_checked(str(dose)) == dose


def test_a_controlled_substance_with_a_prescriber_is_kept(diagnosed):
    medication = _create(
        diagnosed, formulary_key="lorazepam", prescriber_id=diagnosed.prescriber_a.pk
    )
    assert medication.controlled_schedule == "IV"
    assert medication.prescriber_label.endswith("(this program)")
    methadone = _create(
        diagnosed,
        formulary_key="methadone",
        prescriber_name="Dr Outside",
        opioid_treatment_program="Riverside OTP",
    )
    assert methadone.moud == "methadone"
    assert methadone.detected_as == "methadone"


def test_a_code_of_the_loaded_release_is_accepted(diagnosed):
    RxNormConcept.objects.create(rxcui="123456", name="examplamine", term_type="IN")
    medication = _create(diagnosed, formulary_key="", rxnorm_code="123456")
    assert (medication.name, medication.code_verified) == ("examplamine", True)


def test_dose_change_and_stop_are_in_the_history(on_sertraline, diagnosed):
    services.medication_update(actor=diagnosed.nurse_a, medication_id=on_sertraline.pk, dose="100")
    with pytest.raises(ApplicationError) as error:
        services.medication_update(
            actor=diagnosed.nurse_a, medication_id=on_sertraline.pk, status="stopped"
        )
    assert "status_reason" in error.value.field_errors
    stopped = services.medication_update(
        actor=diagnosed.nurse_a,
        medication_id=on_sertraline.pk,
        status="stopped",
        status_reason="Nausea",
        stop_date=date(2026, 11, 1),
    )
    assert (stopped.status, stopped.stop_date) == ("stopped", date(2026, 11, 1))
    kinds = list(MedicationChange.objects.filter(medication=stopped).values_list("kind", "after"))
    assert kinds == [
        ("started", "sertraline 50 mg by mouth, once daily"),
        ("dose", "100 mg by mouth, once daily"),
        ("status", "Stopped"),
    ]


def test_no_known_allergies_is_an_entry_and_an_allergy_replaces_it(diagnosed):
    clinic = diagnosed
    nka = services.allergy_record(
        actor=clinic.nurse_a, patient_id=clinic.patient_a.pk, kind="no_known_allergies"
    )
    assert nka.active
    services.allergy_record(
        actor=clinic.nurse_a,
        patient_id=clinic.patient_a.pk,
        kind="allergy",
        substance="penicillin",
        reaction="hives",
        severity="moderate",
    )
    active = Allergy.objects.filter(patient=clinic.patient_a, active=True)
    assert list(active.values_list("substance", flat=True)) == ["penicillin"]
    with pytest.raises(ApplicationError) as error:
        services.allergy_record(
            actor=clinic.nurse_a, patient_id=clinic.patient_a.pk, kind="no_known_allergies"
        )
    assert "kind" in error.value.field_errors
    with pytest.raises(ApplicationError) as error:
        services.allergy_record(
            actor=clinic.nurse_a, patient_id=clinic.patient_a.pk, kind="allergy"
        )
    assert "substance" in error.value.field_errors
