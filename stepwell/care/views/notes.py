"""Group notes, a patient's notes, individual/medication notes, addenda, co-signature."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction, audit_request, client_address_of
from stepwell.privacy.refusals import page_denied as denied
from stepwell.schedule.models import CurriculumModule

from .. import access, selectors, services
from ..models import ClinicalNote, GroupNote, Modality, NoteKind, RiskCheck
from ..note_formats import FORMAT_LABELS, SECTION_LABELS, sections_of
from ._common import error_context, local_input, parse_local, posted_id, posted_ids


def _fields(note: ClinicalNote, prefix: str, field_errors: dict, posted=None) -> list[dict]:
    rows = []
    for field in sections_of(note.note_format):
        name = f"{prefix}{field}"
        value = (
            posted.get(name, getattr(note, field)) if posted is not None else getattr(note, field)
        )
        rows.append(
            {
                "name": name,
                "label": SECTION_LABELS[field],
                "value": value,
                "error": field_errors.get(name),
            }
        )
    return rows


def _section_data(post, prefix: str, note: ClinicalNote) -> dict:
    data = {field: post.get(f"{prefix}{field}") for field in sections_of(note.note_format)}
    data["risk_check"] = post.get(f"{prefix}risk_check")
    data["risk_notes"] = post.get(f"{prefix}risk_notes")
    data["goal_ids"] = posted_ids(post.getlist(f"{prefix}goal_ids"), f"{prefix}goal_ids")
    data["objective_ids"] = posted_ids(
        post.getlist(f"{prefix}objective_ids"), f"{prefix}objective_ids"
    )
    if note.kind == NoteKind.MEDICATION:
        data["medication_changes"] = post.get(f"{prefix}medication_changes")
    return data


def _section_context(section: ClinicalNote, field_errors: dict, prefix: str) -> dict:
    return {
        "note": section,
        "prefix": prefix,
        "fields": _fields(section, prefix, field_errors),
        "goals": selectors.plan_goals_for(section.patient),
        "goal_ids": set(section.goals.values_list("pk", flat=True)),
        "objective_ids": set(section.objectives.values_list("pk", flat=True)),
        "risk_error": field_errors.get(f"{prefix}risk_check"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def group_note(request, occurrence_id: int):
    client = client_address_of(request)
    existing = (
        GroupNote.objects.select_related("occurrence").filter(occurrence_id=occurrence_id).first()
    )
    if (
        existing is not None
        and not access.access_group_note_write(request.user, existing.occurrence)
        and access.access_attendance_take(request.user, existing.occurrence)
    ):
        # A director reads the group note (read-only) without becoming its author; the
        # event names every participant whose section the page shows.
        audit_request(
            request,
            action=AuditAction.VIEW,
            object_type="group_note",
            object_id=existing.pk,
            detail={"patients": sorted(existing.sections.values_list("patient_id", flat=True))},
        )
        note = existing
    else:
        try:
            note = services.group_note_open(
                actor=request.user, occurrence_id=occurrence_id, client_address=client
            )
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
    zone = note.occurrence.program.timezone
    error = None
    if request.method == "POST" and not note.is_signed:
        post = request.POST
        try:
            sections = {
                section.pk: _section_data(post, f"section-{section.pk}-", section)
                for section in note.sections.all()
                if not section.participant_absent
            }
            shared = {
                "topic": post.get("topic", ""),
                "interventions": post.get("interventions", ""),
                "modality": post.get("modality") or note.modality,
                "note_format": post.get("note_format") or note.note_format,
                "started_at": parse_local(zone, post.get("started_at", ""), "started_at"),
                "ended_at": parse_local(zone, post.get("ended_at", ""), "ended_at"),
                "curriculum_module_id": posted_id(
                    post.get("curriculum_module"), "curriculum_module"
                ),
            }
            format_changed = shared["note_format"] != note.note_format
            services.group_note_update(
                actor=request.user,
                group_note_id=note.pk,
                shared=shared,
                sections=sections,
                client_address=client,
            )
            if post.get("action") == "sign" and not format_changed:
                services.group_note_sign(
                    actor=request.user, group_note_id=note.pk, client_address=client
                )
                messages.success(request, "Group note signed for every participant.")
                return redirect("care:group_note", occurrence_id=occurrence_id)
            messages.success(request, "Saved.")
            return redirect("care:group_note", occurrence_id=occurrence_id)
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
        except ApplicationError as exc:
            error = exc
    note = GroupNote.objects.select_related("occurrence__program", "curriculum_module").get(
        pk=note.pk
    )
    field_errors = error.field_errors if error else {}
    attendance = selectors.attendance_by_patient(note.occurrence_id)
    sections = [
        {
            **_section_context(s, field_errors, f"section-{s.pk}-"),
            "attendance": attendance.get(s.patient_id),
        }
        for s in note.sections.select_related("patient").order_by("patient__legal_last_name")
    ]
    context = {
        "group_note": note,
        "occurrence": note.occurrence,
        "sections": [s for s in sections if not s["note"].participant_absent],
        "absent_sections": [s for s in sections if s["note"].participant_absent],
        "participant_count": services.participant_count(note),
        "facilitators": note.facilitator_names
        if note.is_signed
        else [str(u) for u in note.facilitators.all()],
        "modules": CurriculumModule.objects.filter(program_id=note.occurrence.program_id),
        "formats": FORMAT_LABELS.items(),
        "modalities": Modality.choices,
        "risk_choices": RiskCheck.choices,
        "started_value": local_input(zone, note.started_at),
        "ended_value": local_input(zone, note.ended_at),
        "can_edit": not note.is_signed and access.access_note_sign(request.user, note.author_id),
        **error_context(error),
    }
    return render(request, "care/group_note.html", context, status=400 if error else 200)


@login_required
def patient_notes(request, patient_id: int):
    patient = Patient.objects.filter(pk=patient_id).first()
    notes = selectors.notes_for_patient(user=request.user, patient=patient) if patient else None
    if notes is None:
        return denied(
            request,
            object_type="clinical_note",
            object_id=f"patient:{patient_id}",
            patient_id=patient_id,
            action=AuditAction.LIST,
        )
    notes = list(notes[:200])
    audit_request(
        request,
        action=AuditAction.LIST,
        patient_id=patient.pk,
        object_type="clinical_note",
        detail={"notes": [n.pk for n in notes]},
    )
    own = selectors.own_attendance_of_notes(notes)
    context = {
        "patient": patient,
        "notes": [
            (
                n,
                services.participant_count(n.group_note) if n.group_note_id else None,
                own.get(n.pk),
            )
            for n in notes
        ],
        "can_write": access.access_note_write(request.user, patient, NoteKind.INDIVIDUAL),
        "can_write_medication": access.access_note_write(
            request.user, patient, NoteKind.MEDICATION
        ),
        "can_private": access.access_psychotherapy_note_write(request.user, patient),
        "can_hours": access.access_hours_read(request.user, patient),
    }
    return render(request, "care/patient_notes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def note_new(request, patient_id: int):
    patient = Patient.objects.filter(pk=patient_id).first()
    kind = request.POST.get("kind") or request.GET.get("kind") or NoteKind.INDIVIDUAL
    if patient is None or not access.access_note_write(request.user, patient, kind):
        return denied(
            request,
            object_type="clinical_note",
            object_id="new",
            patient_id=patient_id,
            action=AuditAction.CREATE,
        )
    zone = (
        selectors.hours_episode(patient).program.timezone
        if selectors.hours_episode(patient)
        else "UTC"
    )
    error = None
    if request.method == "POST":
        try:
            started_at = parse_local(zone, request.POST.get("started_at", ""), "started_at")
            ended_at = parse_local(zone, request.POST.get("ended_at", ""), "ended_at")
            if started_at is None or ended_at is None:
                raise ApplicationError(
                    "Give the start and stop times.",
                    field_errors={"started_at" if started_at is None else "ended_at": "Required."},
                )
            note = services.note_create(
                actor=request.user,
                patient_id=patient.pk,
                kind=kind,
                note_format=request.POST.get("note_format", "birp"),
                modality=request.POST.get("modality", Modality.IN_PERSON),
                started_at=started_at,
                ended_at=ended_at,
                client_address=client_address_of(request),
            )
            return redirect("care:note", note_id=note.pk)
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
        except ApplicationError as exc:
            error = exc
    context = {
        "patient": patient,
        "kind": kind,
        "kinds": NoteKind.choices[1:],
        "formats": FORMAT_LABELS.items(),
        "modalities": Modality.choices,
        "posted": request.POST,
        **error_context(error),
    }
    return render(request, "care/note_new.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def note_detail(request, note_id: int):
    note = selectors.note_for_user(user=request.user, note_id=note_id)
    if note is None:
        existing = (
            ClinicalNote.objects.filter(pk=note_id).values_list("patient_id", flat=True).first()
        )
        return denied(request, object_type="clinical_note", object_id=note_id, patient_id=existing)
    client = client_address_of(request)
    error = None
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "addendum":
                services.note_addendum_add(
                    actor=request.user,
                    note_id=note.pk,
                    text=request.POST.get("text", ""),
                    client_address=client,
                )
                messages.success(request, "Addendum added.")
            elif action == "cosign":
                services.note_cosign(actor=request.user, note_id=note.pk, client_address=client)
                messages.success(request, "Co-signed.")
            else:
                data = _section_data(request.POST, "", note)
                if request.POST.get("note_format"):
                    data["note_format"] = request.POST["note_format"]
                services.note_update(
                    actor=request.user, note_id=note.pk, data=data, client_address=client
                )
                if action == "sign":
                    services.note_sign(actor=request.user, note_id=note.pk, client_address=client)
                    messages.success(request, "Signed.")
                else:
                    messages.success(request, "Saved.")
            return redirect("care:note", note_id=note.pk)
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
        except ApplicationError as exc:
            error = exc
    else:
        audit_request(
            request,
            action=AuditAction.VIEW,
            patient_id=note.patient_id,
            object_type="clinical_note",
            object_id=note.pk,
        )
    note = ClinicalNote.objects.select_related("patient", "author", "group_note").get(pk=note.pk)
    field_errors = error.field_errors if error else {}
    context = {
        "note": note,
        "section": _section_context(note, field_errors, ""),
        "participant_count": services.participant_count(note.group_note)
        if note.group_note_id
        else None,
        "own_attendance": selectors.own_attendance_of_notes([note]).get(note.pk),
        "can_edit": not note.is_signed
        and note.kind != NoteKind.GROUP
        and access.access_note_sign(request.user, note.author_id),
        "can_addendum": note.is_signed and access.access_note_sign(request.user, note.author_id),
        "can_cosign": note.is_signed
        and note.cosign_required
        and not hasattr(note, "cosignature")
        and access.access_note_cosign(request.user, note),
        "formats": FORMAT_LABELS.items(),
        "risk_choices": RiskCheck.choices,
        **error_context(error),
    }
    return render(request, "care/note_detail.html", context, status=400 if error else 200)


@login_required
@require_POST
def group_addendum(request, occurrence_id: int):
    """An addendum to the shared section, or (with `section`) to one participant's."""
    note = GroupNote.objects.filter(occurrence_id=occurrence_id).first()
    section = request.POST.get("section", "")
    section_id = None
    if note is not None and section:
        section_id = (
            note.sections.filter(pk=int(section)).values_list("pk", flat=True).first()
            if section.isdigit() and len(section) < 19
            else None
        )
        if section_id is None:
            messages.error(request, "That section is not part of this group note.")
            return redirect("care:group_note", occurrence_id=occurrence_id)
    try:
        services.note_addendum_add(
            actor=request.user,
            note_id=section_id,
            group_note_id=note.pk if note else 0,
            text=request.POST.get("text", ""),
            client_address=client_address_of(request),
        )
        messages.success(request, "Addendum added.")
    except AccessDenied:
        return render(request, "core/denied.html", status=403)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("care:group_note", occurrence_id=occurrence_id)
