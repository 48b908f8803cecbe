"""Medications and drug testing for the demo, made through the meds services by the staff
who would do each step (the care team's prescriber, the program's clinician, the patient
on the portal); the weekly random draw by the demo builder (DEMO_ACTOR).

- Every admitted or active patient with a prescriber on the care team: one to four
  medications chosen from their diagnoses, allergies recorded ("no known allergies" for
  most), a signed admission reconciliation, a draft medication visit with its side-effect
  checklist (some with a dose change), a naloxone kit for opioid use disorder and a PDMP
  check for controlled medicines. Patients with opioid use disorder in the substance-use
  and dual-diagnosis programs are on buprenorphine/naloxone from the program's prescriber.
- Patients with a portal login answer the adherence question.
- The substance-use program tests one random weekday a week; the last three weeks are
  drawn and resulted: negatives, a few unexpected positives, and buprenorphine positives
  marked expected for the patients who take it.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from stepwell.core.errors import ApplicationError
from stepwell.intake.models import AssessmentDiagnosis
from stepwell.meds import services
from stepwell.meds.models import DrugTest, TestStatus
from stepwell.meds.services import DecisionIn, MedicationData
from stepwell.meds.testing_rules import STANDARD_PANEL
from stepwell.patients.models import CareTeamRole, Episode
from stepwell.schedule.calendar.weeks import iso_week_of

from .clinic import DEMO_ACTOR, DEMO_ZONE

CHOICES = {
    "F33": [("sertraline", "100"), ("escitalopram", "10"), ("bupropion", "150")],
    "F41": [("buspirone", "10"), ("hydroxyzine", "25")],
    "F43": [("prazosin", "2"), ("sertraline", "50")],
    "F31": [("lamotrigine", "100"), ("lithium", "300"), ("quetiapine", "100")],
    "F10": [("naltrexone", "50"), ("acamprosate", "666")],
}
SLEEP = ("trazodone", "50")
EFFECTS = (
    "sedation",
    "weight_gain",
    "sexual_dysfunction",
    "gi_upset",
    "activation",
    "tremor",
    "dizziness",
)
UNEXPECTED = ("cocaine", "cannabinoids", "alcohol", "fentanyl")
WHY_NOT = ("Forgot on the weekend", "Ran out before the refill", "Felt sick one morning")


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(DEMO_ZONE))


def _codes(patient) -> list[str]:
    return list(
        AssessmentDiagnosis.objects.filter(assessment__episode__patient=patient)
        .order_by("-primary", "pk")
        .values_list("code", flat=True)
        .distinct()
    )


def _regimen(rng, codes: list[str], on_bup: bool) -> list[tuple[str, str]]:
    chosen: list[tuple[str, str]] = []
    if on_bup:
        chosen.append(("buprenorphine_naloxone", "8"))
    for code in codes:
        options = CHOICES.get(code[:3])
        if options and len(chosen) < 3:
            pick = rng.choice(options)
            if pick[0] not in {key for key, _ in chosen}:
                chosen.append(pick)
    if not chosen:
        chosen.append(("sertraline", "50"))
    if rng.random() < 0.3:
        chosen.append(SLEEP)
    return chosen[:4]


def _medications(rng, episode, prescriber, on_bup: bool) -> list:
    made = []
    for key, dose in _regimen(rng, _codes(episode.patient), on_bup):
        route = "sublingual" if key == "buprenorphine_naloxone" else "oral"
        made.append(
            services.medication_create(
                actor=prescriber,
                patient_id=episode.patient_id,
                data=MedicationData(
                    formulary_key=key,
                    dose=dose,
                    unit="mg",
                    route=route,
                    frequency="at bedtime" if key == "trazodone" else "once daily",
                    start_date=episode.admitted_on,
                    prescriber_id=prescriber.pk,
                ),
            )
        )
    return made


def _allergies(rng, patient, prescriber) -> None:
    if rng.random() < 0.75:
        services.allergy_record(actor=prescriber, patient_id=patient.pk, kind="no_known_allergies")
        return
    substance, reaction = rng.choice(
        [("penicillin", "Hives"), ("sulfa drugs", "Rash"), ("codeine", "Nausea and vomiting")]
    )
    services.allergy_record(
        actor=prescriber,
        patient_id=patient.pk,
        kind="allergy",
        substance=substance,
        reaction=reaction,
        severity=rng.choice(["mild", "moderate"]),
    )


def _admission_reconciliation(episode, prescriber, medications) -> None:
    reconciliation = services.reconciliation_record(
        actor=prescriber,
        episode_id=episode.pk,
        occasion="admission",
        decisions=[DecisionIn(medication_id=m.pk, decision="continue") for m in medications],
    )
    services.reconciliation_sign(
        actor=prescriber,
        reconciliation_id=reconciliation.pk,
        now=_local(episode.admitted_on, 16),
    )


def _visit(rng, episode, prescriber, medications, today: date) -> None:
    """Yesterday's visit, before the groups start: the checklist, sometimes a new dose.
    Left as a draft for the prescriber to finish."""
    day = today - timedelta(days=1)
    with contextlib.suppress(ApplicationError):  # a clash with another note that hour
        visit = services.visit_start(
            actor=prescriber,
            patient_id=episode.patient_id,
            started_at=_local(day, 7, 0),
            ended_at=_local(day, 7, 25),
        )
        services.visit_side_effects_record(
            actor=prescriber,
            note_id=visit.note_id,
            side_effects={
                effect: rng.choices(["none", "mild", "moderate"], [8, 3, 1])[0]
                for effect in EFFECTS
            },
        )
        first = medications[0]
        if rng.random() < 0.3 and first.formulary_key != "buprenorphine_naloxone":
            services.visit_medication_change(
                actor=prescriber,
                note_id=visit.note_id,
                medication_id=first.pk,
                dose=f"{(Decimal(first.dose) * 2).normalize():f}",
                status_reason="Partial response at the current dose",
            )


def _addiction(rng, episode, prescriber, medications, codes, today: date) -> None:
    if any(code.startswith("F11") for code in codes):
        services.naloxone_record(
            actor=prescriber,
            patient_id=episode.patient_id,
            action=rng.choice(["provided", "provided", "offered"]),
            on=episode.admitted_on,
        )
    if any(m.controlled_schedule for m in medications):
        services.pdmp_attest(
            actor=prescriber,
            patient_id=episode.patient_id,
            checked_on=min(episode.admitted_on + timedelta(days=1), today),
            state="IL",
        )


def _adherence(rng, patient, today: date) -> None:
    if patient.user is None:
        return
    answer = rng.choice(["all", "all", "most", "some"])
    services.adherence_answer(
        actor=patient.user,
        answer=answer,
        why_not="" if answer == "all" else rng.choice(WHY_NOT),
        now=_local(today - timedelta(days=1), 19),
    )


def _prescriber_of(patient):
    member = patient.care_team.filter(team_role=CareTeamRole.PRESCRIBER).first()
    return member.user if member else None


def _random_tests(clinic, rng, today: date, on_bup: set[int]) -> None:
    program = clinic.programs["sud"]
    services.random_testing_set(
        actor=clinic.users["director"],
        program_id=program.pk,
        tests_per_week=1,
        weekdays=[0, 1, 2, 3, 4],
    )
    for weeks_back in (3, 2, 1):
        week = iso_week_of(today - timedelta(weeks=weeks_back))
        services.random_draw_run(actor=DEMO_ACTOR, program_id=program.pk, week=week)
    tests = DrugTest.objects.filter(
        program=program, status=TestStatus.ORDERED, scheduled_on__lt=today
    ).select_related("patient", "episode")
    for test in tests.order_by("scheduled_on", "pk"):
        episode = test.episode
        if episode.admitted_on is None or test.scheduled_on < episode.admitted_on:
            continue  # drawn for a week before the patient started
        clinician = episode.patient.care_team.filter(
            team_role=CareTeamRole.PRIMARY_CLINICIAN
        ).first()
        if clinician is None:
            continue
        results = {substance.value: "negative" for substance in STANDARD_PANEL}
        if test.patient_id in on_bup:
            results["buprenorphine"] = "positive"
        if rng.random() < 0.12:
            results[rng.choice(UNEXPECTED)] = "positive"
        services.drug_test_results_record(
            actor=clinician.user,
            test_id=test.pk,
            collected_at=_local(test.scheduled_on, rng.choice([9, 10, 13])),
            observed=rng.random() < 0.5,
            results=results,
        )


def seed_meds(clinic, rng, today: date) -> None:
    on_bup: set[int] = set()
    episodes = (
        Episode.objects.filter(patient__in=clinic.patients, state__in=["admitted", "active"])
        .exclude(admitted_on=None)
        .select_related("patient", "program")
        .order_by("pk")
    )
    for episode in episodes:
        patient = episode.patient
        prescriber = _prescriber_of(patient)
        if prescriber is None:
            continue
        codes = _codes(patient)
        bup = episode.program.track != "mental_health" and any(c.startswith("F11") for c in codes)
        medications = _medications(rng, episode, prescriber, bup)
        if bup:
            on_bup.add(patient.pk)
        _allergies(rng, patient, prescriber)
        _admission_reconciliation(episode, prescriber, medications)
        _visit(rng, episode, prescriber, medications, today)
        _addiction(rng, episode, prescriber, medications, codes, today)
        _adherence(rng, patient, today)
    _random_tests(clinic, rng, today, on_bup)
