"""A calm patient for whom no rule fires; each test changes only what it names."""

from stepwell.placement.inputs import placement_input_from_dict
from stepwell.placement.levels import LevelOfCare

OP = LevelOfCare.OUTPATIENT
IOP = LevelOfCare.INTENSIVE_OUTPATIENT
PHP = LevelOfCare.PARTIAL_HOSPITALIZATION
RES = LevelOfCare.RESIDENTIAL
WM = LevelOfCare.WITHDRAWAL_MANAGEMENT
MMI = LevelOfCare.MEDICALLY_MONITORED_INPATIENT
INPT = LevelOfCare.INPATIENT

CALM_DIMENSIONS = {
    "d1_withdrawal": 0,
    "d2_biomedical": 1,
    "d3_emotional_behavioral": 1,
    "d4_readiness": 1,
    "d5_relapse": 1,
    "d6_recovery_environment": 0,
}

CALM = {
    "dimensions": CALM_DIMENSIONS,
    "mental_health_severity": "mild",
    "functional_impairment": "mild",
    "suicide_risk": "low",
    "medically_stable": True,
    "needs_24h_structure": False,
    "available_hours_per_week": 12,
}

MODERATE = {"mental_health_severity": "moderate", "functional_impairment": "moderate"}
IOP_NOT_ENOUGH = {
    "previous_lower_level": "intensive_outpatient",
    "previous_lower_level_outcome": "insufficient",
}


def vignette(dimensions=None, **fields):
    data = {**CALM, **fields, "dimensions": {**CALM_DIMENSIONS, **(dimensions or {})}}
    return placement_input_from_dict(data)
