"""EpisodeOfCare, Encounter, Appointment and Condition.

Mapping choices are written out in docs/interop.md; the codes in
docs/clinical-sources.md §6.
"""

from __future__ import annotations

from datetime import datetime

from stepwell.interop import codes

from .base import coding, concept, day, instant, meta, reference

# Episode state -> EpisodeOfCare.status. Referred, screening and assessed are "planned":
# the program assesses eligibility before care starts (FHIR's own wording for planned).
EPISODE_STATUS = {
    "referred": "planned",
    "screening": "planned",
    "assessed": "planned",
    "admitted": "active",
    "active": "active",
    "on_hold": "onhold",
}

ATTENDED = ("present", "late", "left_early")
ABSENT = ("absent_excused", "absent_unexcused")


def episode_status(state: str, *, admitted: bool) -> str:
    if state == "discharged":
        return "finished" if admitted else "cancelled"
    return EPISODE_STATUS[state]


def level_of_care_extension(change) -> dict:
    return {
        "url": codes.LEVEL_OF_CARE_EXTENSION,
        "extension": [
            {"url": "direction", "valueCode": change.direction},
            {
                "url": "levelOfCare",
                "valueCodeableConcept": {"text": change.get_level_of_care_display()},
            },
            {"url": "date", "valueDate": day(change.effective_date)},
            {"url": "reason", "valueString": change.reason},
        ],
    }


def episode_of_care_resource(
    episode,
    *,
    patient_ref: dict,
    program_ref: dict,
    care_manager_ref: dict | None,
    condition_refs: list[tuple[dict, bool]],
    part2: bool,
) -> dict:
    """EpisodeOfCare with its status history (one entry per transition) and levels of care:
    the program's level in `type`, where the patient came from and went in an extension."""
    events = list(episode.events.all())
    admitted = episode.admitted_on is not None
    history = []
    for index, event in enumerate(events):
        following = events[index + 1] if index + 1 < len(events) else None
        history.append(
            {
                "status": episode_status(event.to_state, admitted=admitted),
                "period": {
                    "start": day(event.effective_date),
                    "end": day(following.effective_date) if following else None,
                },
            }
        )
    program = episode.program
    diagnoses = [
        {"condition": ref, "rank": 1 if primary else None} for ref, primary in condition_refs
    ]
    return {
        "resourceType": "EpisodeOfCare",
        "id": str(episode.pk),
        "meta": meta("EpisodeOfCare", part2=part2),
        "extension": [level_of_care_extension(c) for c in episode.level_of_care_changes.all()],
        "status": episode_status(episode.state, admitted=admitted),
        "statusHistory": history,
        "type": [
            {"text": program.get_level_of_care_display()},
            {"text": f"{program.get_track_display()} program"},
        ],
        "diagnosis": diagnoses,
        "patient": patient_ref,
        "managingOrganization": program_ref,
        "period": {
            "start": day(episode.admitted_on or episode.referred_on),
            "end": day(episode.discharged_on),
        },
        "careManager": care_manager_ref,
    }


def condition_resource(
    diagnosis, *, assessment, patient_ref: dict, recorder_ref: dict | None, part2: bool
) -> dict:
    """A diagnosis from the intake assessment, coded in ICD-10-CM. Confirmed once the
    assessment is signed, provisional while it is a draft (and only reached through a
    signed plan that names it)."""
    signed = assessment.signed_at is not None
    return {
        "resourceType": "Condition",
        "id": f"dx-{diagnosis.pk}",
        "meta": meta("Condition", part2=part2),
        "clinicalStatus": concept("", coding(codes.CONDITION_CLINICAL, "active", "Active")),
        "verificationStatus": concept(
            "",
            coding(
                codes.CONDITION_VERIFICATION,
                "confirmed" if signed else "provisional",
                "Confirmed" if signed else "Provisional",
            ),
        ),
        "category": [
            concept("", coding(codes.CONDITION_CATEGORY, "problem-list-item", "Problem List Item"))
        ],
        "code": concept(
            diagnosis.description,
            coding(codes.ICD10CM, diagnosis.code, diagnosis.description),
        ),
        "subject": patient_ref,
        "recordedDate": instant(assessment.signed_at or assessment.created_at),
        "recorder": recorder_ref,
        "note": [{"text": "Primary diagnosis"}] if diagnosis.primary else [],
    }


def appointment_status(*, cancelled: bool, attendance_status: str | None) -> str:
    if cancelled or attendance_status == "cancelled_by_program":
        return "cancelled"
    if attendance_status in ATTENDED:
        return "fulfilled"
    if attendance_status in ABSENT:
        return "noshow"
    return "booked"


def appointment_resource(
    *,
    resource_id: str,
    title: str,
    service: str,
    starts_at: datetime,
    ends_at: datetime,
    status: str,
    patient_ref: dict,
    staff_refs: list[dict],
    part2: bool,
) -> dict:
    """An individual or medication appointment, or the patient's booking in a group."""
    participants = [{"actor": patient_ref, "status": "accepted", "required": "required"}]
    participants += [{"actor": ref, "status": "accepted"} for ref in staff_refs]
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    return {
        "resourceType": "Appointment",
        "id": resource_id,
        "meta": meta("Appointment", part2=part2),
        "status": status,
        "serviceType": [{"text": service}],
        "description": title,
        "start": instant(starts_at),
        "end": instant(ends_at),
        "minutesDuration": minutes if minutes > 0 else None,
        "participant": participants,
    }


def encounter_resource(
    attendance,
    *,
    title: str,
    service: str,
    virtual: bool,
    now: datetime,
    patient_ref: dict,
    staff_refs: list[dict],
    episode_ref: dict | None,
    appointment_ref: dict | None,
    program_ref: dict,
    part2: bool,
) -> dict:
    """One attended session (group, individual or medication) as an ambulatory or virtual
    encounter; the period is the patient's own check-in to check-out where recorded."""
    start = attendance.check_in_at or attendance.session_starts_at
    end = attendance.check_out_at or attendance.session_ends_at
    encounter_class = (
        coding(codes.ACT_CODE, "VR", "virtual")
        if virtual
        else coding(codes.ACT_CODE, "AMB", "ambulatory")
    )
    participant = concept("", coding(codes.PARTICIPATION_TYPE, "PPRF", "primary performer"))
    return {
        "resourceType": "Encounter",
        "id": str(attendance.pk),
        "meta": meta("Encounter", part2=part2),
        "status": "finished" if attendance.session_ends_at <= now else "in-progress",
        "class": encounter_class,
        "type": [{"text": title}],
        "serviceType": {"text": service},
        "subject": patient_ref,
        "episodeOfCare": [episode_ref] if episode_ref else [],
        "participant": [{"type": [participant], "individual": ref} for ref in staff_refs],
        "appointment": [appointment_ref] if appointment_ref else [],
        "period": {"start": instant(start), "end": instant(end)},
        "length": {
            "value": attendance.minutes_attended,
            "unit": "min",
            "system": codes.UCUM,
            "code": "min",
        },
        "serviceProvider": program_ref,
    }


def patient_reference(patient) -> dict:
    return reference("Patient", patient.pk, patient.display_name)
