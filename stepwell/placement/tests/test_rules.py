"""Rule set stepwell-loc-2027.1, case by case: one clinical vignette or more per rule and level."""

import pytest

from stepwell.placement.inputs import Dimension
from stepwell.placement.levels import LevelOfCare
from stepwell.placement.rules import (
    RULE_SET,
    RULE_SET_VERSION,
    RULE_SETS,
    RuleSet,
    UnknownRuleSet,
    placement_recommend,
    rule_set_for,
)

from .vignettes import (
    INPT,
    IOP,
    IOP_NOT_ENOUGH,
    MMI,
    MODERATE,
    OP,
    PHP,
    RES,
    WM,
    vignette,
)

OFFERS = {"offers_outpatient_withdrawal_care": True}

# (name, dimension ratings, other fields, level, fired rules most intensive first)
VIGNETTES = [
    ("calm, mild symptoms", {}, {}, OP, ["no_higher_need"]),
    # Symptoms raise to IOP only with moderate impairment or after lower care was not enough.
    (
        "moderate depression, moderate impairment",
        {},
        MODERATE,
        IOP,
        ["moderate_or_worse_symptoms_with_impairment"],
    ),
    (
        "moderate depression, mild impairment, first treatment",
        {},
        {"mental_health_severity": "moderate"},
        OP,
        ["no_higher_need"],
    ),
    (
        "moderately severe symptoms, mild impairment, weekly therapy not enough",
        {},
        {
            "mental_health_severity": "moderately_severe",
            "previous_lower_level": "outpatient",
            "previous_lower_level_outcome": "insufficient",
        },
        IOP,
        ["moderate_or_worse_symptoms_with_impairment", "outpatient_not_enough"],
    ),
    (
        "weekly therapy was not enough",
        {},
        {"previous_lower_level": "outpatient", "previous_lower_level_outcome": "insufficient"},
        IOP,
        ["outpatient_not_enough"],
    ),
    (
        "weekly therapy helped",
        {},
        {"previous_lower_level": "outpatient", "previous_lower_level_outcome": "helped"},
        OP,
        ["no_higher_need"],
    ),
    ("step down from residential", {}, {"step_down_from": "residential"}, IOP, ["step_down"]),
    ("moderate suicide risk", {}, {"suicide_risk": "moderate"}, IOP, ["suicide_risk_moderate"]),
    # Withdrawal (dimension 1).
    (
        "withdrawal 2, program offers outpatient withdrawal care",
        {"d1_withdrawal": 2},
        OFFERS,
        IOP,
        ["d1_withdrawal_2_with_outpatient_withdrawal_care"],
    ),
    (
        "withdrawal 2, program offers no outpatient withdrawal care",
        {"d1_withdrawal": 2},
        {},
        WM,
        ["d1_withdrawal_2_without_outpatient_withdrawal_care"],
    ),
    ("withdrawal 3", {"d1_withdrawal": 3}, {}, WM, ["d1_withdrawal_3"]),
    (
        "withdrawal 3, even with outpatient withdrawal care",
        {"d1_withdrawal": 3},
        OFFERS,
        WM,
        ["d1_withdrawal_3"],
    ),
    ("withdrawal 4", {"d1_withdrawal": 4}, {}, INPT, ["d1_withdrawal_4"]),
    # Physical health (dimension 2): 3 is a medically monitored setting, never residential.
    ("physical health 2", {"d2_biomedical": 2}, {}, IOP, ["d2_biomedical_2"]),
    ("physical health 3", {"d2_biomedical": 3}, {}, MMI, ["d2_biomedical_3"]),
    ("physical health 4", {"d2_biomedical": 4}, {}, INPT, ["d2_biomedical_4"]),
    # Emotional and behavioural health (dimension 3): 3 is PHP unless 24-hour structure.
    ("emotional 2", {"d3_emotional_behavioral": 2}, {}, IOP, ["d3_emotional_behavioral_2"]),
    ("emotional 3", {"d3_emotional_behavioral": 3}, {}, PHP, ["d3_emotional_behavioral_3"]),
    (
        "emotional 3, needs 24-hour structure",
        {"d3_emotional_behavioral": 3},
        {"needs_24h_structure": True},
        RES,
        ["needs_24h_structure", "d3_emotional_behavioral_3"],
    ),
    ("emotional 4", {"d3_emotional_behavioral": 4}, {}, INPT, ["d3_emotional_behavioral_4"]),
    # Readiness to change (dimension 4) never raises the level on its own.
    ("readiness 2", {"d4_readiness": 2}, {}, OP, ["no_higher_need"]),
    ("readiness 3", {"d4_readiness": 3}, {}, OP, ["no_higher_need"]),
    ("readiness 4", {"d4_readiness": 4}, {}, OP, ["no_higher_need"]),
    (
        "readiness 4 with moderate symptoms",
        {"d4_readiness": 4},
        MODERATE,
        IOP,
        ["moderate_or_worse_symptoms_with_impairment"],
    ),
    (
        "readiness 3 with relapse risk 3",
        {"d4_readiness": 3, "d5_relapse": 3},
        {},
        PHP,
        ["low_readiness_with_relapse_or_environment_risk", "d5_relapse_3"],
    ),
    (
        "readiness 4 with recovery environment 3",
        {"d4_readiness": 4, "d6_recovery_environment": 3},
        {},
        PHP,
        ["low_readiness_with_relapse_or_environment_risk", "d6_recovery_environment_3"],
    ),
    # Relapse (dimension 5): 3 is PHP only after IOP was not enough or with an unsafe home.
    ("relapse 2", {"d5_relapse": 2}, {}, IOP, ["d5_relapse_2"]),
    ("relapse 3, first treatment", {"d5_relapse": 3}, {}, IOP, ["d5_relapse_3"]),
    (
        "relapse 3, weekly therapy not enough",
        {"d5_relapse": 3},
        {"previous_lower_level": "outpatient", "previous_lower_level_outcome": "insufficient"},
        IOP,
        ["d5_relapse_3", "outpatient_not_enough"],
    ),
    (
        "relapse 3, IOP not enough",
        {"d5_relapse": 3},
        IOP_NOT_ENOUGH,
        PHP,
        ["intensive_outpatient_not_enough", "d5_relapse_3_after_iop_or_with_unsafe_environment"],
    ),
    (
        "relapse 3, recovery environment 3",
        {"d5_relapse": 3, "d6_recovery_environment": 3},
        {},
        PHP,
        ["d5_relapse_3_after_iop_or_with_unsafe_environment", "d6_recovery_environment_3"],
    ),
    ("relapse 4", {"d5_relapse": 4}, {}, RES, ["d5_relapse_4"]),
    # Recovery environment (dimension 6).
    ("recovery environment 2", {"d6_recovery_environment": 2}, {}, OP, ["no_higher_need"]),
    (
        "recovery environment 3",
        {"d6_recovery_environment": 3},
        {},
        IOP,
        ["d6_recovery_environment_3"],
    ),
    (
        "recovery environment 4",
        {"d6_recovery_environment": 4},
        {},
        RES,
        ["d6_recovery_environment_4"],
    ),
    # Other findings.
    (
        "severe symptoms, severe impairment",
        {},
        {"mental_health_severity": "severe", "functional_impairment": "severe"},
        PHP,
        ["severe_symptoms_severe_impairment", "moderate_or_worse_symptoms_with_impairment"],
    ),
    (
        "severe symptoms, moderate impairment",
        {},
        {"mental_health_severity": "severe", "functional_impairment": "moderate"},
        IOP,
        ["moderate_or_worse_symptoms_with_impairment"],
    ),
    ("high suicide risk", {}, {"suicide_risk": "high"}, PHP, ["suicide_risk_high"]),
    ("imminent suicide risk", {}, {"suicide_risk": "imminent"}, INPT, ["suicide_risk_imminent"]),
    ("IOP was not enough", {}, IOP_NOT_ENOUGH, PHP, ["intensive_outpatient_not_enough"]),
    (
        "PHP was not enough",
        {},
        {
            "previous_lower_level": "partial_hospitalization",
            "previous_lower_level_outcome": "insufficient",
        },
        RES,
        ["partial_hospitalization_not_enough"],
    ),
    ("needs 24-hour structure", {}, {"needs_24h_structure": True}, RES, ["needs_24h_structure"]),
    ("not medically stable", {}, {"medically_stable": False}, INPT, ["medically_unstable"]),
    # Mental health only: withdrawal and relapse do not apply.
    (
        "mental health only, moderate depression",
        {"d1_withdrawal": None, "d5_relapse": None},
        MODERATE,
        IOP,
        ["moderate_or_worse_symptoms_with_impairment"],
    ),
    (
        "mental health only, calm",
        {"d1_withdrawal": None, "d5_relapse": None},
        {},
        OP,
        ["no_higher_need"],
    ),
    # Several findings: the most intensive wins.
    (
        "withdrawal 3 and imminent suicide risk",
        {"d1_withdrawal": 3},
        {"suicide_risk": "imminent"},
        INPT,
        ["suicide_risk_imminent", "d1_withdrawal_3"],
    ),
    (
        "withdrawal 3 and physical health 3",
        {"d1_withdrawal": 3, "d2_biomedical": 3},
        {},
        MMI,
        ["d2_biomedical_3", "d1_withdrawal_3"],
    ),
    (
        "withdrawal 3 and 24-hour structure",
        {"d1_withdrawal": 3},
        {"needs_24h_structure": True},
        WM,
        ["d1_withdrawal_3", "needs_24h_structure"],
    ),
]


@pytest.mark.parametrize(
    ("dimensions", "fields", "level", "fired"),
    [pytest.param(*row[1:], id=row[0]) for row in VIGNETTES],
)
def test_vignette(dimensions, fields, level, fired):
    recommendation = placement_recommend(vignette(dimensions, **fields))

    assert recommendation.level is level
    assert [firing.rule_id for firing in recommendation.rationale] == fired
    assert recommendation.rule_set == "stepwell-loc-2027.1"


def test_vignettes_cover_every_rule_and_every_level():
    fired = {rule_id for *_, rule_ids in VIGNETTES for rule_id in rule_ids}
    levels = {row[3] for row in VIGNETTES}

    assert fired == {rule.id for rule in RULE_SET.rules} | {RULE_SET.baseline.id}
    assert levels == set(LevelOfCare)


def test_rule_ids_are_unique():
    ids = [rule.id for rule in RULE_SET.rules]

    assert len(ids) == len(set(ids)) == 28


def test_a_dimension_rated_2_raises_the_level_only_for_dimensions_1_2_3_and_5():
    raised = {
        dimension: placement_recommend(vignette({dimension.value: 2}), rule_set=RULE_SET).level
        for dimension in Dimension
    }

    assert raised == {
        Dimension.D1_WITHDRAWAL: WM,  # IOP where the program offers withdrawal care
        Dimension.D2_BIOMEDICAL: IOP,
        Dimension.D3_EMOTIONAL_BEHAVIORAL: IOP,
        Dimension.D4_READINESS: OP,
        Dimension.D5_RELAPSE: IOP,
        Dimension.D6_RECOVERY_ENVIRONMENT: OP,
    }


def test_rationale_is_in_plain_words():
    recommendation = placement_recommend(
        vignette({"d1_withdrawal": 3, "d2_biomedical": 3, "d3_emotional_behavioral": 3})
    )

    assert [(f.level, f.description) for f in recommendation.rationale] == [
        (
            MMI,
            "Physical health (dimension 2) is rated 3: needs a medically monitored setting "
            "with nursing care around the clock, not a clinically managed residence.",
        ),
        (
            WM,
            "Withdrawal risk (dimension 1) is rated 3: withdrawal management first, then "
            "reassess the level of care.",
        ),
        (
            PHP,
            "Emotional and behavioural health (dimension 3) is rated 3: needs daily structured "
            "treatment; residential care only when the clinician judges that 24-hour "
            "structure is needed.",
        ),
    ]


def test_the_current_rule_set_is_stepwell_loc_2027_1():
    assert RULE_SET_VERSION == RULE_SET.version == "stepwell-loc-2027.1"
    assert rule_set_for("stepwell-loc-2027.1") is RULE_SET


def test_rule_set_version_is_recorded_from_the_rule_set_used():
    trial = RuleSet(
        version="trial-1",
        rules=RULE_SET.rules,
        baseline=RULE_SET.baseline,
        barriers=RULE_SET.barriers,
    )

    assert placement_recommend(vignette(), rule_set=trial).rule_set == "trial-1"


# --- the superseded rule set stays loadable -----------------------------------------------

OLD = "stepwell-loc-2026.11"


@pytest.mark.parametrize(
    ("dimensions", "fields", "old_level", "new_level"),
    [
        pytest.param({"d1_withdrawal": 2}, {}, IOP, WM, id="withdrawal 2"),
        pytest.param({"d2_biomedical": 3}, {}, RES, MMI, id="physical health 3"),
        pytest.param({"d3_emotional_behavioral": 3}, {}, RES, PHP, id="emotional 3"),
        pytest.param({"d4_readiness": 3}, {}, PHP, OP, id="readiness 3"),
        pytest.param({"d4_readiness": 4}, {}, RES, OP, id="readiness 4"),
        pytest.param({"d5_relapse": 3}, {}, PHP, IOP, id="relapse 3"),
        pytest.param({"d6_recovery_environment": 3}, {}, RES, IOP, id="environment 3"),
        pytest.param({"d6_recovery_environment": 2}, {}, IOP, OP, id="environment 2"),
        pytest.param({}, {"mental_health_severity": "moderate"}, IOP, OP, id="mild impairment"),
    ],
)
def test_the_old_rule_set_gives_its_old_answers(dimensions, fields, old_level, new_level):
    placement_input = vignette(dimensions, **fields)

    old = placement_recommend(placement_input, rule_set=rule_set_for(OLD))
    new = placement_recommend(placement_input)

    assert (old.level, old.rule_set) == (old_level, OLD)
    assert (new.level, new.rule_set) == (new_level, "stepwell-loc-2027.1")


def test_every_shipped_rule_set_is_listed_once():
    assert list(RULE_SETS) == [OLD, "stepwell-loc-2027.1"]


def test_an_unknown_rule_set_is_named():
    with pytest.raises(UnknownRuleSet) as raised:
        rule_set_for("stepwell-loc-1999.1")

    assert raised.value.message == (
        "unknown rule set 'stepwell-loc-1999.1'; known: stepwell-loc-2026.11, stepwell-loc-2027.1"
    )


def test_dimension_names_are_the_third_edition_names_only():
    assert [dimension.asam_name for dimension in Dimension] == [
        "Acute Intoxication and/or Withdrawal Potential",
        "Biomedical Conditions and Complications",
        "Emotional, Behavioral, or Cognitive Conditions and Complications",
        "Readiness to Change",
        "Relapse, Continued Use, or Continued Problem Potential",
        "Recovery/Living Environment",
    ]
