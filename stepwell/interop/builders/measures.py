"""A questionnaire administration as a QuestionnaireResponse and US Core screening and
assessment Observations: one per answered item, one for the total, and the panel that
holds them (hasMember), each derived from the QuestionnaireResponse.

LOINC codes come from the instrument definitions; a code the definition marks unverified
is sent without its system (docs/clinical-sources.md §3 and §6). An administration that
was not completed (status "incomplete") has no total: it goes out as a stopped
QuestionnaireResponse with the items it has.
"""

from __future__ import annotations

from stepwell.interop import codes

from .base import coding, concept, instant, loinc, meta, reference

SURVEY = concept("", coding(codes.OBSERVATION_CATEGORY, "survey", "Survey"))


def questionnaire_canonical(instrument) -> str:
    return f"{codes.QUESTIONNAIRE_BASE}{instrument.key}|{instrument.version}"


def _answered_items(instrument, administration):
    answers = administration.answers or {}
    for number, item in enumerate(instrument.items, 1):
        if item.key in answers:
            yield number, item, answers[item.key]


def _answer_value(item, value) -> dict:
    """The answer as a coding (with its LOINC answer code when the definition has one)."""
    option = item.option_for(value)
    if option is None:
        if isinstance(value, bool) or not isinstance(value, int):
            return {"valueString": str(value)}
        return {"valueInteger": value}
    if option.loinc is not None:
        answer = loinc(option.loinc)
        answer["display"] = option.label
        return {"valueCoding": answer}
    return {"valueString": option.label}


def _as_observation_value(answer: dict) -> dict:
    if "valueCoding" in answer:
        code = answer["valueCoding"]
        return {"valueCodeableConcept": concept(code.get("display", ""), code)}
    return answer


def questionnaire_response_resource(
    administration,
    instrument,
    *,
    patient_ref: dict,
    author_ref: dict,
    part2: bool,
) -> dict:
    items = []
    for _, item, value in _answered_items(instrument, administration):
        items.append(
            {"linkId": item.key, "text": item.text, "answer": [_answer_value(item, value)]}
        )
    return {
        "resourceType": "QuestionnaireResponse",
        "id": f"adm-{administration.pk}",
        "meta": meta("QuestionnaireResponse", part2=part2),
        "questionnaire": questionnaire_canonical(instrument),
        "status": "completed" if administration.status == "completed" else "stopped",
        "subject": patient_ref,
        "authored": instant(administration.completed_at),
        "author": author_ref,
        "source": patient_ref,
        "item": items,
    }


def observation_resources(
    administration,
    instrument,
    *,
    band_label: str,
    patient_ref: dict,
    part2: bool,
) -> list[dict]:
    """Item observations, the total (when there is one), then the panel."""
    base_id = f"adm-{administration.pk}"
    response_ref = reference("QuestionnaireResponse", base_id)
    common = {
        "resourceType": "Observation",
        "meta": meta("Observation", part2=part2),
        "status": "final",
        "category": [SURVEY],
        "subject": patient_ref,
        "effectiveDateTime": instant(administration.completed_at),
        "performer": [patient_ref],
        "derivedFrom": [response_ref],
    }
    resources = []
    for number, item, value in _answered_items(instrument, administration):
        resources.append(
            {
                **common,
                "id": f"{base_id}-item-{number}",
                "code": concept(item.text, loinc(item.loinc)),
                **_as_observation_value(_answer_value(item, value)),
            }
        )
    if administration.total is not None:
        resources.append(
            {
                **common,
                "id": f"{base_id}-total",
                "code": concept(
                    f"{instrument.abbreviation} total score", loinc(instrument.loinc_total)
                ),
                "valueQuantity": {
                    "value": administration.total,
                    "unit": "{score}",
                    "system": codes.UCUM,
                    "code": "{score}",
                },
                "interpretation": [{"text": band_label}] if band_label else [],
            }
        )
    members = [reference("Observation", r["id"]) for r in resources]
    resources.append(
        {
            **common,
            "id": base_id,
            "code": concept(instrument.name, loinc(instrument.loinc_panel)),
            "hasMember": members,
            "note": []
            if administration.total is not None or instrument.total_range is None
            else [{"text": "Not completed: no total score."}],
        }
    )
    return resources
