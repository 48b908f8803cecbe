"""Drug tests through the services: expected positives from the medications taken that
day, confirmations, Part 2 reading, the random draw; reconciliation at discharge; the
RxNorm load command (docs/clinical-sources.md §7)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.meds import selectors, services, worklists
from stepwell.meds.models import DrugTest, RandomDraw, RxNormConcept
from stepwell.meds.services import DecisionIn
from stepwell.patients.models import CareTeamMember
from stepwell.privacy.actors import system_actor
from stepwell.schedule.calendar.weeks import iso_week_of

from .conftest import moment, sertraline


def _test(clinic, results, days_ago=1, actor=None):
    return services.drug_test_point_of_care(
        actor=actor or clinic.nurse_a,
        patient_id=clinic.patient_a.pk,
        collected_at=moment(days_ago),
        observed=True,
        results=results,
    )


def _bup(clinic, **overrides):
    values = {
        "formulary_key": "buprenorphine_naloxone",
        "dose": "8",
        "route": "sublingual",
        "prescriber_id": clinic.prescriber_a.pk,
        "start_date": moment(10).date(),
    }
    values.update(overrides)
    return services.medication_create(
        actor=clinic.prescriber_a, patient_id=clinic.patient_a.pk, data=sertraline(**values)
    )


def test_a_stopped_medication_explains_a_positive_within_its_detection_window(diagnosed):
    """Buprenorphine's window is 7 days after the last dose (§7.4)."""
    _bup(diagnosed, start_date=moment(30).date(), stop_date=moment(12).date())
    while_taken = _test(diagnosed, {"buprenorphine": "positive"}, days_ago=13)
    two_days_after_stop = _test(diagnosed, {"buprenorphine": "positive"}, days_ago=10)
    seven_days_after = _test(diagnosed, {"buprenorphine": "positive"}, days_ago=5)
    eight_days_after = _test(diagnosed, {"buprenorphine": "positive"}, days_ago=4)
    assert while_taken.results.get().expected is True
    assert two_days_after_stop.results.get().expected is True
    assert seven_days_after.results.get().expected is True
    line = eight_days_after.results.get()
    assert line.expected is False and line.unexpected_positive is True


def test_before_the_start_a_positive_is_unexpected(diagnosed):
    _bup(diagnosed, start_date=moment(3).date())
    line = _test(diagnosed, {"buprenorphine": "positive"}, days_ago=5).results.get()
    assert line.expected is False and line.unexpected_positive is True


def test_a_medication_on_hold_counts_from_the_day_it_was_held(diagnosed):
    medication = _bup(diagnosed, start_date=moment(30).date())
    services.medication_update(
        actor=diagnosed.prescriber_a,
        medication_id=medication.pk,
        status="on_hold",
        status_reason="Sedated at the visit",
    )
    # Held today: a positive collected yesterday or today is still explained.
    line = _test(diagnosed, {"buprenorphine": "positive"}, days_ago=1).results.get()
    assert line.expected is True
    # Held 8 days ago: outside buprenorphine's 7 days.
    medication.changes.filter(kind="status").update(changed_at=moment(9))
    line = _test(diagnosed, {"buprenorphine": "positive"}, days_ago=1).results.get()
    assert line.expected is False and line.unexpected_positive is True


def test_a_stopped_stimulant_has_a_shorter_window_than_buprenorphine(diagnosed):
    services.medication_create(
        actor=diagnosed.prescriber_a,
        patient_id=diagnosed.patient_a.pk,
        data=sertraline(
            formulary_key="lisdexamfetamine",
            dose="30",
            start_date=moment(30).date(),
            stop_date=moment(8).date(),
            prescriber_id=diagnosed.prescriber_a.pk,
        ),
    )
    within = _test(diagnosed, {"amphetamines": "positive"}, days_ago=3)  # 5 days after
    after = _test(diagnosed, {"amphetamines": "positive"}, days_ago=2)  # 6 days after
    assert within.results.get().expected is True
    assert after.results.get().unexpected_positive is True


def test_a_laboratory_not_confirming_takes_the_positive_off_the_worklist(diagnosed):
    CareTeamMember.objects.create(
        patient=diagnosed.patient_a, user=diagnosed.clinician_a, team_role="primary_clinician"
    )
    test = _test(diagnosed, {"cocaine": "positive", "opiates": "negative"})
    kinds = [i.kind for i in worklists.worklist(user=diagnosed.clinician_a)]
    assert "unexpected_positive" in kinds
    with pytest.raises(ApplicationError) as error:
        services.drug_test_confirm(
            actor=diagnosed.nurse_a, test_id=test.pk, substance="opiates", confirmation="pending"
        )
    assert set(error.value.field_errors) == {"substance"}  # only a positive is confirmed
    services.drug_test_confirm(
        actor=diagnosed.nurse_a, test_id=test.pk, substance="cocaine", confirmation="not_confirmed"
    )
    kinds = [i.kind for i in worklists.worklist(user=diagnosed.clinician_a)]
    assert "unexpected_positive" not in kinds


def test_results_name_the_substance_that_is_missing_or_off_the_panel(diagnosed):
    test = services.drug_test_order(
        actor=diagnosed.nurse_a,
        patient_id=diagnosed.patient_a.pk,
        method="laboratory",
        scheduled_on=moment(1).date(),
        panel=["cocaine", "opiates"],
    )
    for results, field in (
        ({"cocaine": "negative"}, "opiates"),
        ({"cocaine": "negative", "opiates": "negative", "fentanyl": "negative"}, "fentanyl"),
        ({"cocaine": "maybe", "opiates": "negative"}, "cocaine"),
    ):
        with pytest.raises(ApplicationError) as error:
            services.drug_test_results_record(
                actor=diagnosed.nurse_a,
                test_id=test.pk,
                collected_at=moment(1),
                observed=False,
                results=results,
            )
        assert set(error.value.field_errors) == {field}
    test.refresh_from_db()
    assert test.status == "ordered" and not test.results.exists()


def test_a_part2_programs_test_is_read_only_within_that_program(diagnosed):
    """Avery's care team includes a clinician of program A; a test done in program B (a
    Part 2 program) is not theirs to read, though the medication record is."""
    clinic = diagnosed
    clinic.episode_b.patient = clinic.patient_a  # Avery also in program B
    clinic.episode_b.state = "active"
    clinic.episode_b.save()
    CareTeamMember.objects.create(patient=clinic.patient_a, user=clinic.clinician_a)
    in_b = services.drug_test_point_of_care(
        actor=clinic.clinician_b,
        patient_id=clinic.patient_a.pk,
        collected_at=moment(1),
        observed=True,
        results={"cocaine": "negative"},
        program_id=clinic.program_b.pk,
    )
    in_a = _test(clinic, {"cocaine": "negative"})
    _, visible = selectors.patient_drug_tests(
        user=clinic.clinician_a, patient_id=clinic.patient_a.pk
    )
    assert [t.pk for t in visible] == [in_a.pk]
    with pytest.raises(AccessDenied):
        selectors.drug_test_view(user=clinic.clinician_a, test_id=in_b.pk)
    _, theirs = selectors.patient_drug_tests(
        user=clinic.clinician_b, patient_id=clinic.patient_a.pk
    )
    assert in_b.pk in [t.pk for t in theirs]


def test_the_weekly_draw_is_made_once_and_verifies(diagnosed):
    clinic = diagnosed
    services.random_testing_set(
        actor=clinic.director_a,
        program_id=clinic.program_a.pk,
        tests_per_week=2,
        weekdays=[0, 2, 4],
    )
    week = iso_week_of(date(2026, 11, 30))
    draw = services.random_draw_run(
        actor=system_actor("drug-test-draw"), program_id=clinic.program_a.pk, week=week
    )
    tests = DrugTest.objects.filter(random_draw=draw)
    assert tests.count() == 2  # Avery is the program's one active patient
    assert {t.patient_id for t in tests} == {clinic.patient_a.pk}
    assert all(t.reason == "random" and t.ordered_by is None for t in tests)
    assert services.random_draw_verify(draw) is True
    with pytest.raises(ApplicationError) as error:
        services.random_draw_run(actor=clinic.director_a, program_id=clinic.program_a.pk, week=week)
    assert set(error.value.field_errors) == {"week"}
    assert RandomDraw.objects.count() == 1
    draw.picks = [[clinic.patient_a.pk, "2026-12-01"], [clinic.patient_a.pk, "2026-12-03"]]
    assert services.random_draw_verify(draw) is False  # hand-picked days do not verify


def test_staff_cannot_order_a_random_test_by_hand(diagnosed):
    with pytest.raises(ApplicationError) as error:
        services.drug_test_order(
            actor=diagnosed.nurse_a,
            patient_id=diagnosed.patient_a.pk,
            method="point_of_care",
            scheduled_on=moment(0).date(),
            reason="random",
        )
    assert set(error.value.field_errors) == {"reason"}


def test_the_signed_discharge_reconciliation_is_the_discharge_list(diagnosed, on_sertraline):
    clinic = diagnosed
    bup = _bup(clinic)
    reconciliation = services.reconciliation_record(
        actor=clinic.nurse_a,
        episode_id=clinic.episode_a.pk,
        occasion="discharge",
        decisions=[
            DecisionIn(medication_id=on_sertraline.pk, decision="stop", note="Finished course"),
            DecisionIn(medication_id=bup.pk, decision="change", new_dose="12"),
        ],
    )
    assert selectors.discharge_medication_list(clinic.episode_a) is None  # not signed yet
    services.reconciliation_sign(actor=clinic.nurse_a, reconciliation_id=reconciliation.pk)
    assert selectors.discharge_medication_list(clinic.episode_a) == [bup]
    on_sertraline.refresh_from_db()
    bup.refresh_from_db()
    assert on_sertraline.status == "stopped" and str(bup.dose) == "12.000"


def test_the_load_rxnorm_command(diagnosed, tmp_path):
    good = tmp_path / "RXNCONSO.RRF"
    row = "|".join(
        [
            "1234567",
            "ENG",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "RXNORM",
            "IN",
            "1234567",
            "zuranolone",
            "",
            "N",
            "",
        ]
    )
    good.write_text(row + "|\n", encoding="utf-8")
    call_command("medications", "load-rxnorm", str(good))
    assert RxNormConcept.objects.get(rxcui="1234567").name == "zuranolone"
    bad = tmp_path / "bad.RRF"
    bad.write_text(row + "|\nnot|a|row\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2"):
        call_command("medications", "load-rxnorm", str(bad))
    assert RxNormConcept.objects.count() == 1
    medication = services.medication_create(
        actor=diagnosed.prescriber_a,
        patient_id=diagnosed.patient_a.pk,
        data=sertraline(
            formulary_key="", rxnorm_code="1234567", start_date=date(2026, 10, 1) + timedelta(1)
        ),
    )
    assert medication.name == "zuranolone" and medication.coded
