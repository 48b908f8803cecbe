"""The billable-day rules, case by case per payer, without a database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepwell.billing.codes import (
    ServiceKind,
    individual_psychotherapy_code,
    is_substance_use_diagnosis,
    revenue_code_for,
    service_code,
)
from stepwell.billing.days import (
    AuthorizationState,
    ClaimMethod,
    DayRule,
    DayStatus,
    NoteState,
    Problem,
    Service,
    evaluate_day,
    hours_text,
    medicare_tier,
    with_authorization,
)

DAY = date(2026, 11, 17)
H0015 = DayRule(
    payer="Example Mutual",
    method=ClaimMethod.PER_DIEM,
    per_diem_code="H0015",
    min_minutes=180,
    revenue_code="0906",
)
S9480 = DayRule(
    payer="Demo Medicaid",
    method=ClaimMethod.PER_DIEM,
    per_diem_code="S9480",
    min_minutes=180,
    revenue_code="0905",
)
MEDICARE = DayRule(
    payer="Medicare (synthetic)",
    method=ClaimMethod.MEDICARE_IOP,
    revenue_code="0905",
    condition_code="92",
)
SELF_PAY = DayRule(payer="Self-pay", method=ClaimMethod.NOT_CLAIMED)


def group(minutes=90, note=NoteState.SIGNED, kind=ServiceKind.GROUP, title=""):
    return Service(kind=kind, minutes=minutes, note=note, title=title, staff="Rae Quinn")


def codes(result):
    return [problem.code for problem in result.problems]


# -- per diem ---------------------------------------------------------------------------------


def test_h0015_three_hours_is_billable_as_one_per_diem_line():
    result = evaluate_day(day=DAY, services=[group(90), group(90)], rule=H0015)
    assert result.status == DayStatus.BILLABLE
    assert result.problems == ()
    assert [(x.revenue_code, x.procedure_code, x.units) for x in result.lines] == [
        ("0906", "H0015", 1)
    ]
    assert result.minutes == 180


def test_h0015_two_hours_fifty_nine_minutes_is_not_billable():
    result = evaluate_day(day=DAY, services=[group(90), group(89)], rule=H0015)
    assert result.status == DayStatus.BLOCKED
    assert codes(result) == ["below_day_rule"]
    assert result.problems[0].message == (
        "2 h 59 min attended, under the 3 h a day H0015 asks for."
    )
    assert "correct them on the roster" in result.problems[0].fix


def test_s9480_counts_every_service_minute_medication_included():
    services = [group(140), group(40, kind=ServiceKind.MEDICATION)]
    result = evaluate_day(day=DAY, services=services, rule=S9480)
    assert result.status == DayStatus.BILLABLE
    assert result.lines[0].procedure_code == "S9480"


def test_a_payer_without_a_per_diem_code_is_a_setup_problem():
    rule = DayRule(payer="Plain Plan", method=ClaimMethod.PER_DIEM, min_minutes=None)
    result = evaluate_day(day=DAY, services=[group(180)], rule=rule)
    assert codes(result) == ["payer_setup"]
    assert "clinic setup" in result.problems[0].fix


def test_a_payer_asking_for_two_services_a_day():
    rule = DayRule(payer="Two", method=ClaimMethod.PER_DIEM, per_diem_code="S9480", min_services=2)
    assert codes(evaluate_day(day=DAY, services=[group(200)], rule=rule)) == ["few_services"]
    assert evaluate_day(day=DAY, services=[group(100), group(100)], rule=rule).billable


@given(minutes=st.integers(min_value=1, max_value=720), split=st.integers(min_value=1, max_value=4))
def test_h0015_is_billable_exactly_from_180_minutes(minutes, split):
    parts = [minutes // split] * split
    parts[0] += minutes - sum(parts)
    result = evaluate_day(day=DAY, services=[group(m) for m in parts], rule=H0015)
    assert result.billable is (minutes >= 180)
    assert ("below_day_rule" in codes(result)) is (minutes < 180)


# -- Medicare IOP -----------------------------------------------------------------------------


def test_medicare_day_with_three_services_is_the_lower_tier():
    services = [
        group(60),
        group(60, kind=ServiceKind.PSYCHOEDUCATION),
        group(50, kind="individual"),
    ]
    result = evaluate_day(day=DAY, services=services, rule=MEDICARE)
    assert result.status == DayStatus.BILLABLE
    assert result.tier == "up to 3 services"
    assert [x.procedure_code for x in result.lines] == ["90853", "G0177", "90834"]
    assert {x.revenue_code for x in result.lines} == {"0905"}


def test_medicare_day_with_four_services_is_the_higher_tier():
    services = [group(60), group(60), group(60, kind=ServiceKind.PSYCHOEDUCATION)]
    services.append(group(55, kind=ServiceKind.INDIVIDUAL))
    result = evaluate_day(day=DAY, services=services, rule=MEDICARE)
    assert result.billable
    assert result.tier == "4 or more services"
    assert [x.procedure_code for x in result.lines] == ["90853", "90853", "G0177", "90837"]


def test_medicare_day_with_one_short_service_is_billable_at_the_lower_tier():
    result = evaluate_day(day=DAY, services=[group(45)], rule=MEDICARE)
    assert result.billable
    assert result.tier == "up to 3 services"


def test_medicare_medication_visit_alone_has_no_line():
    result = evaluate_day(day=DAY, services=[group(30, kind=ServiceKind.MEDICATION)], rule=MEDICARE)
    assert codes(result) == ["few_services"]
    assert result.lines == ()


@given(count=st.integers(min_value=1, max_value=9))
def test_medicare_tier_follows_the_service_count(count):
    result = evaluate_day(day=DAY, services=[group(50)] * count, rule=MEDICARE)
    assert result.billable
    assert len(result.lines) == count
    assert result.tier == ("4 or more services" if count >= 4 else "up to 3 services")
    assert medicare_tier(count) == result.tier


# -- notes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "code", "fix"),
    [
        (NoteState.MISSING, "note_missing", "Rae Quinn writes and signs the note."),
        (NoteState.UNSIGNED, "note_unsigned", "Rae Quinn signs the note."),
        (
            NoteState.AWAITING_COSIGNATURE,
            "cosignature_missing",
            "A supervisor with an independent licence co-signs it.",
        ),
    ],
)
@pytest.mark.parametrize("rule", [H0015, S9480, MEDICARE])
def test_a_service_without_a_signed_note_blocks_the_day(rule, note, code, fix):
    services = [group(120, title="Process group"), group(90, note=note, title="Skills group")]
    result = evaluate_day(day=DAY, services=services, rule=rule)
    assert result.status == DayStatus.BLOCKED
    assert codes(result) == [code]
    assert result.problems[0].message.startswith("Skills group: ")
    assert result.problems[0].fix == fix


def test_every_problem_of_a_day_is_listed():
    services = [group(100, note=NoteState.UNSIGNED), group(70, note=NoteState.MISSING)]
    record = [Problem("no_diagnosis", "No diagnosis.", "Sign the assessment.")]
    result = evaluate_day(day=DAY, services=services, rule=H0015, record_problems=record)
    assert codes(result) == ["below_day_rule", "note_unsigned", "note_missing", "no_diagnosis"]


# -- coverage and self-pay --------------------------------------------------------------------


def test_no_coverage_blocks_the_day_with_the_fix():
    result = evaluate_day(day=DAY, services=[group(180)], rule=None)
    assert codes(result) == ["no_coverage"]
    assert result.problems[0].fix == "Record the patient's coverage (or self-pay) on the chart."


def test_self_pay_is_not_claimed_and_not_a_problem():
    result = evaluate_day(day=DAY, services=[group(60, note=NoteState.UNSIGNED)], rule=SELF_PAY)
    assert result.status == DayStatus.NOT_CLAIMED
    assert result.problems == ()
    assert result.lines == ()


# -- authorizations ---------------------------------------------------------------------------


def test_a_payer_asking_for_authorization_blocks_until_counted():
    rule = DayRule(**{**H0015.__dict__, "needs_authorization": True})
    result = evaluate_day(day=DAY, services=[group(180)], rule=rule)
    assert codes(result) == ["authorization_missing"]
    assert result.waits_only_for_authorization
    covered = with_authorization(result, AuthorizationState.COVERED)
    assert covered.billable
    assert covered.authorization == AuthorizationState.COVERED
    for state in ("pending", "denied", "exhausted"):
        blocked = with_authorization(result, AuthorizationState(state))
        assert codes(blocked) == [f"authorization_{state}"]


def test_authorization_does_not_hide_other_problems():
    rule = DayRule(**{**H0015.__dict__, "needs_authorization": True})
    result = evaluate_day(day=DAY, services=[group(100)], rule=rule)
    assert not result.waits_only_for_authorization
    assert codes(with_authorization(result, AuthorizationState.COVERED)) == ["below_day_rule"]


def test_a_payer_without_authorization_ignores_the_count():
    result = evaluate_day(day=DAY, services=[group(180)], rule=H0015)
    assert with_authorization(result, AuthorizationState.MISSING) is result


# -- codes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "code"),
    [
        (0, ""),
        (15, ""),
        (16, "90832"),
        (37, "90832"),
        (38, "90834"),
        (52, "90834"),
        (53, "90837"),
        (90, "90837"),
    ],
)
def test_individual_psychotherapy_time_codes(minutes, code):
    assert individual_psychotherapy_code(minutes) == code


@given(minutes=st.integers(min_value=0, max_value=600))
def test_individual_codes_cover_every_minute_once(minutes):
    code = individual_psychotherapy_code(minutes)
    if minutes < 16:
        expected = ""
    elif minutes <= 37:
        expected = "90832"
    elif minutes <= 52:
        expected = "90834"
    else:
        expected = "90837"
    assert code == expected
    assert service_code(ServiceKind.INDIVIDUAL, minutes).code == code


def test_medication_management_and_unverified_codes():
    medication = service_code(ServiceKind.MEDICATION, 30)
    assert medication.code == ""
    assert "prescriber" in medication.why
    assert service_code(ServiceKind.PSYCHOEDUCATION, 60).verified is False
    assert service_code(ServiceKind.GROUP, 60).verified is True


@pytest.mark.parametrize(
    ("track", "diagnosis", "expected"),
    [
        ("substance_use", "F32.1", "0906"),
        ("mental_health", "F10.20", "0905"),
        ("dual_diagnosis", "F10.20", "0906"),
        ("dual_diagnosis", "F33.1", "0905"),
        ("dual_diagnosis", "", "0905"),
    ],
)
def test_revenue_code_follows_the_program_and_diagnosis(track, diagnosis, expected):
    assert (
        revenue_code_for(
            track=track,
            principal_diagnosis=diagnosis,
            mental_health_code="0905",
            substance_use_code="0906",
        )
        == expected
    )


def test_substance_use_diagnoses_are_f10_to_f19():
    assert is_substance_use_diagnosis("F19.10")
    assert not is_substance_use_diagnosis("F20.9")
    assert not is_substance_use_diagnosis("F41.1")


@pytest.mark.parametrize(
    ("minutes", "text"), [(179, "2 h 59 min"), (180, "3 h"), (45, "45 min"), (0, "0 min")]
)
def test_hours_text(minutes, text):
    assert hours_text(minutes) == text


def test_days_are_kept_apart():
    other = DAY + timedelta(days=1)
    assert evaluate_day(day=other, services=[group(180)], rule=H0015).day == other
