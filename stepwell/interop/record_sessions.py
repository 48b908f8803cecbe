"""The dated parts of a record: questionnaires, appointments, attended sessions and signed
progress notes. Each is placed in its episode by RecordCollector.place (record.py)."""

from __future__ import annotations

from stepwell.care.models import Attendance, ClinicalNote, GroupNote
from stepwell.consent.terms import is_substance_use_instrument
from stepwell.measures.models import Administration
from stepwell.measures.selectors import instrument_bands, instrument_for
from stepwell.schedule.models import Appointment, Enrollment

from .builders import care, measures
from .builders.base import reference
from .builders.documents import (
    document_reference_resource,
    note_text,
    note_times,
    provenance_resource,
)
from .builders.people import staff_display

# "incomplete" is the status of a questionnaire stopped part-way: it has answers and no
# total. Due, missed and cancelled ones hold no answers and are not part of the export.
EXPORTED_ADMINISTRATIONS = ("completed", "incomplete")
TELEHEALTH = "telehealth"


def collect_measures(collector) -> None:
    administrations = (
        Administration.objects.filter(
            patient=collector.patient, status__in=EXPORTED_ADMINISTRATIONS
        )
        .exclude(answers__isnull=True)
        .select_related("episode__program", "recorded_by")
        .order_by("completed_at", "pk")
    )
    for administration in administrations:
        placement = collector.of_episode(administration.episode)
        if not placement.include:
            continue
        # A substance-use questionnaire is a Part 2 record in any program (consent.terms).
        part2 = placement.part2 or is_substance_use_instrument(administration.instrument_key)
        try:
            instrument = instrument_for(
                administration.instrument_key, administration.instrument_version or None
            )
        except LookupError:
            collector.skipped["unknown_instrument"] = (
                collector.skipped.get("unknown_instrument", 0) + 1
            )
            continue
        band_label = next(
            (
                band.label
                for band in instrument_bands(instrument, collector.patient.sex_assigned_at_birth)
                if band.key == administration.band
            ),
            administration.band.replace("_", " "),
        )
        if administration.source == "clinician":
            author = collector.practitioner(administration.recorded_by) or collector.patient_ref
        else:
            author = collector.patient_ref
        collector.resources.add(
            measures.questionnaire_response_resource(
                administration,
                instrument,
                patient_ref=collector.patient_ref,
                author_ref=author,
                part2=part2,
            )
        )
        for resource in measures.observation_resources(
            administration,
            instrument,
            band_label=band_label,
            patient_ref=collector.patient_ref,
            part2=part2,
        ):
            collector.resources.add(resource)


def _virtual_sessions(patient) -> set[tuple[str, int]]:
    """Sessions documented as telehealth: the group note's or the appointment note's modality."""
    result = set()
    for occurrence_id in GroupNote.objects.filter(
        sections__patient=patient, modality=TELEHEALTH
    ).values_list("occurrence_id", flat=True):
        result.add(("occurrence", occurrence_id))
    for appointment_id in ClinicalNote.objects.filter(
        patient=patient, appointment__isnull=False, modality=TELEHEALTH
    ).values_list("appointment_id", flat=True):
        result.add(("appointment", appointment_id))
    return result


def collect_sessions(collector) -> None:
    patient = collector.patient
    rows = list(
        Attendance.objects.filter(patient=patient)
        .select_related("occurrence__program__site__organization", "appointment__program")
        .prefetch_related("occurrence__facilitators")
        .order_by("session_starts_at", "pk")
    )
    status_of = {}
    for row in rows:
        key = (
            ("occurrence", row.occurrence_id)
            if row.occurrence_id
            else ("appointment", row.appointment_id)
        )
        status_of[key] = row.status
    booked: dict[tuple[str, int], dict] = {}
    for appointment in Appointment.objects.filter(patient=patient).select_related(
        "program__site__organization", "staff"
    ):
        placement = collector.place(program=appointment.program, moment=appointment.starts_at)
        if not placement.include:
            continue
        resource_id = f"appt-{appointment.pk}"
        collector.resources.add(
            care.appointment_resource(
                resource_id=resource_id,
                title=appointment.get_kind_display(),
                service=appointment.get_kind_display(),
                starts_at=appointment.starts_at,
                ends_at=appointment.ends_at,
                status=care.appointment_status(
                    cancelled=appointment.status == "cancelled",
                    attendance_status=status_of.get(("appointment", appointment.pk)),
                ),
                patient_ref=collector.patient_ref,
                staff_refs=[collector.practitioner(appointment.staff)],
                part2=placement.part2,
            )
        )
        booked[("appointment", appointment.pk)] = reference("Appointment", resource_id)
    for enrollment in (
        Enrollment.objects.filter(patient=patient)
        .select_related("occurrence__program__site__organization")
        .prefetch_related("occurrence__facilitators")
    ):
        occurrence = enrollment.occurrence
        placement = collector.place(program=occurrence.program, moment=occurrence.starts_at)
        if not placement.include:
            continue
        resource_id = f"group-{enrollment.pk}"
        collector.resources.add(
            care.appointment_resource(
                resource_id=resource_id,
                title=occurrence.title,
                service=occurrence.get_kind_display(),
                starts_at=occurrence.starts_at,
                ends_at=occurrence.ends_at,
                status=care.appointment_status(
                    cancelled=occurrence.status == "cancelled",
                    attendance_status=status_of.get(("occurrence", occurrence.pk)),
                ),
                patient_ref=collector.patient_ref,
                staff_refs=[collector.practitioner(u) for u in occurrence.facilitators.all()],
                part2=placement.part2,
            )
        )
        booked[("occurrence", occurrence.pk)] = reference("Appointment", resource_id)
    virtual = _virtual_sessions(patient)
    for row in rows:
        if row.status not in care.ATTENDED:
            continue
        session = row.occurrence or row.appointment
        key = (
            ("occurrence", row.occurrence_id)
            if row.occurrence_id
            else ("appointment", row.appointment_id)
        )
        placement = collector.place(program=session.program, moment=row.session_starts_at)
        if not placement.include:
            continue
        if row.occurrence_id:
            title, service = session.title, session.get_kind_display()
            staff = [collector.practitioner(u) for u in session.facilitators.all()]
        else:
            title = service = session.get_kind_display()
            staff = [collector.practitioner(session.staff)]
        collector.resources.add(
            care.encounter_resource(
                row,
                title=title,
                service=service,
                virtual=key in virtual,
                now=collector.now,
                patient_ref=collector.patient_ref,
                staff_refs=[ref for ref in staff if ref],
                episode_ref=collector.episode_ref(placement.episode),
                appointment_ref=booked.get(key),
                program_ref=collector.program(session.program),
                part2=placement.part2,
            )
        )
        collector.encounters[key] = reference("Encounter", row.pk)


def collect_notes(collector) -> None:
    """Signed progress notes as DocumentReferences, each with its signatures' Provenance."""
    notes = (
        ClinicalNote.objects.filter(patient=collector.patient, signed_at__isnull=False)
        .select_related(
            "author",
            "group_note__occurrence__program",
            "group_note__curriculum_module",
            "appointment__program",
            "cosignature__cosigner",
        )
        .prefetch_related("addenda", "group_note__addenda")
        .order_by("signed_at", "pk")
    )
    for note in notes:
        if note.group_note_id:
            program, key = (
                note.group_note.occurrence.program,
                ("occurrence", note.group_note.occurrence_id),
            )
        elif note.appointment_id:
            program, key = note.appointment.program, ("appointment", note.appointment_id)
        else:
            program, key = None, None
        started, _ = note_times(note)
        placement = collector.place(program=program, moment=started or note.signed_at)
        if not placement.include:
            continue
        author = collector.practitioner(note.author)
        cosignature = getattr(note, "cosignature", None)
        cosigner = collector.practitioner(cosignature.cosigner) if cosignature else None
        collector.resources.add(
            document_reference_resource(
                note,
                text=note_text(note, author_name=staff_display(note.author)),
                patient_ref=collector.patient_ref,
                author_ref=author,
                authenticator_ref=cosigner,
                encounter_ref=collector.encounters.get(key) if key else None,
                part2=placement.part2,
            )
        )
        target = [reference("DocumentReference", note.pk)]
        collector.resources.add(
            provenance_resource(
                resource_id=f"note-{note.pk}",
                targets=target,
                recorded=note.signed_at,
                agents=[("author", "Author", author, "Signed the note")],
                part2=placement.part2,
            )
        )
        if cosignature is not None:
            collector.resources.add(
                provenance_resource(
                    resource_id=f"note-{note.pk}-cosign",
                    targets=target,
                    recorded=cosignature.signed_at,
                    agents=[("verifier", "Verifier", cosigner, "Co-signed as supervisor")],
                    part2=placement.part2,
                )
            )
