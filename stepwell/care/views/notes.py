"""Group notes, a patient's notes, individual/medication notes, addenda, co-signature."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.care.forms import (
    AddendumForm,
    GroupAddendumForm,
    GroupNoteForm,
    NoteActionForm,
    NoteEditForm,
    NoteStartForm,
    form_errors,
    local_input,
    section_rows,
)
from stepwell.care.models import Modality, NoteKind, RiskCheck
from stepwell.care.notes import addenda, group_notes
from stepwell.care.notes import selectors as note_selectors
from stepwell.care.notes import services as note_services
from stepwell.care.notes.formats import FORMAT_LABELS
from stepwell.core.forms import form_call
from stepwell.core.paging import without_page


def _section_context(section: note_selectors.SectionDetails, form, prefix: str) -> dict:
    errors = form.errors if form is not None and form.is_bound else {}
    risk_error = errors.get(f"{prefix}risk_check")
    return {
        "note": section.note,
        "prefix": prefix,
        "fields": section_rows(form, section.note, prefix),
        "goals": section.goals,
        "goal_ids": section.goal_ids,
        "objective_ids": section.objective_ids,
        "attendance": section.attendance,
        "risk_error": risk_error[0] if risk_error else None,
    }


def _save_group_note(request, note, form: GroupNoteForm) -> bool:
    """Save the posted group note (and sign it when asked); False when refused by a rule
    (the form then holds the errors)."""
    if not form.is_valid():
        return False
    shared = form.shared(note)
    saved = form_call(
        form,
        group_notes.group_note_update,
        actor=request.user,
        group_note_id=note.pk,
        shared=shared,
        sections=form.section_data(),
    )
    if saved is None:
        return False
    # A new format shows new sections: they are written before signing.
    if form.wants_signing() and shared["note_format"] == note.note_format:
        signed = form_call(
            form, group_notes.group_note_sign, actor=request.user, group_note_id=note.pk
        )
        if signed is None:
            return False
        messages.success(request, "Group note signed for every participant.")
    else:
        messages.success(request, "Saved.")
    return True


@login_required
@require_http_methods(["GET", "POST"])
def group_note(request, occurrence_id: int):
    user = request.user
    if note_selectors.group_note_writable(user=user, occurrence_id=occurrence_id):
        note = group_notes.group_note_open(actor=user, occurrence_id=occurrence_id)
    else:
        # A director reads the group note (read-only) without becoming its author.
        note = note_selectors.group_note_view(user=user, occurrence_id=occurrence_id)
    zone = note.occurrence.program.timezone
    form = None
    if request.method == "POST" and not note.is_signed:
        present = [s for s in note.sections.all() if not s.participant_absent]
        form = GroupNoteForm(request.POST, zone=zone, sections=present)
        if _save_group_note(request, note, form):
            return redirect("care:group_note", occurrence_id=occurrence_id)
    details = note_selectors.group_note_details(user=user, group_note=note)
    error, field_errors = form_errors(form)
    context = {
        "group_note": details.group_note,
        "occurrence": details.group_note.occurrence,
        "sections": [_section_context(s, form, f"section-{s.note.pk}-") for s in details.sections],
        "absent_sections": [{"note": s.note} for s in details.absent_sections],
        "participant_count": details.participant_count,
        "facilitators": details.facilitators,
        "modules": details.modules,
        "formats": FORMAT_LABELS.items(),
        "modalities": Modality.choices,
        "risk_choices": RiskCheck.choices,
        "started_value": local_input(zone, details.group_note.started_at),
        "ended_value": local_input(zone, details.group_note.ended_at),
        "can_edit": details.can_edit,
        "error": error,
        "field_errors": field_errors,
    }
    return render(request, "care/group_note.html", context, status=400 if error else 200)


@login_required
def patient_notes(request, patient_id: int):
    notes = note_selectors.patient_notes(
        user=request.user, patient_id=patient_id, page_number=request.GET.get("page")
    )
    context = {
        "patient": notes.patient,
        "notes": [(n.note, n.participant_count, n.own_attendance) for n in notes.notes],
        "page": notes.page,
        "base_query": without_page(request.GET),
        "can_write": notes.can_write,
        "can_write_medication": notes.can_write_medication,
        "can_private": notes.can_private,
        "can_hours": notes.can_hours,
    }
    return render(request, "care/patient_notes.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def note_new(request, patient_id: int):
    # The kind asked for picks the rule (medication notes: prescribers); the form checks it.
    asked = request.POST.get("kind") or request.GET.get("kind") or NoteKind.INDIVIDUAL
    start = note_selectors.note_start(user=request.user, patient_id=patient_id, kind=asked)
    form = NoteStartForm(request.POST or None, zone=start.zone, initial={"kind": asked})
    if request.method == "POST" and form.is_valid():
        note = form_call(
            form,
            note_services.note_create,
            actor=request.user,
            patient_id=start.patient.pk,
            kind=form.cleaned_data["kind"],
            note_format=form.cleaned_data["note_format"] or "birp",
            modality=form.cleaned_data["modality"] or Modality.IN_PERSON,
            started_at=form.cleaned_data["started_at"],
            ended_at=form.cleaned_data["ended_at"],
        )
        if note is not None:
            return redirect("care:note", note_id=note.pk)
    error, field_errors = form_errors(form if request.method == "POST" else None)
    context = {
        "patient": start.patient,
        "kind": asked,
        "kinds": NoteKind.choices[1:],
        "formats": FORMAT_LABELS.items(),
        "modalities": Modality.choices,
        "posted": request.POST,
        "error": error,
        "field_errors": field_errors,
    }
    return render(request, "care/note_new.html", context, status=400 if error else 200)


def _act_on_note(request, note, action: str, form) -> bool:
    """Run the button pressed on the note page; False when a rule refused it."""
    user = request.user
    if action == "addendum":
        done = form_call(
            form,
            addenda.note_addendum_add,
            actor=user,
            note_id=note.pk,
            text=form.cleaned_data["text"],
        )
        message = "Addendum added."
    elif action == "cosign":
        done = form_call(form, note_services.note_cosign, actor=user, note_id=note.pk)
        message = "Co-signed."
    else:
        done = form_call(
            form, note_services.note_update, actor=user, note_id=note.pk, data=form.note_data()
        )
        message = "Saved."
        if done is not None and action == "sign":
            done = form_call(form, note_services.note_sign, actor=user, note_id=note.pk)
            message = "Signed."
    if done is None:
        return False
    messages.success(request, message)
    return True


@login_required
@require_http_methods(["GET", "POST"])
def note_detail(request, note_id: int):
    user = request.user
    form = None
    if request.method == "POST":
        note = note_selectors.note_for_user(user=user, note_id=note_id)
        action_form = NoteActionForm(request.POST)
        action = action_form.cleaned_data["action"] if action_form.is_valid() else "save"
        if action == "addendum":
            form = AddendumForm(request.POST)
        elif action == "cosign":
            form = action_form  # nothing to fill in: a refusal shows at the top
        else:
            form = NoteEditForm(request.POST, note=note)
        if form.is_valid() and _act_on_note(request, note, action, form):
            return redirect("care:note", note_id=note.pk)
    else:
        note = note_selectors.note_view(user=user, note_id=note_id)
    page = note_selectors.note_page(user=user, note=note)
    error, field_errors = form_errors(form)
    edit_form = form if isinstance(form, NoteEditForm) else None
    context = {
        "note": page.note,
        "section": _section_context(page.section, edit_form, ""),
        "participant_count": page.participant_count,
        "own_attendance": page.own_attendance,
        "can_edit": page.can_edit,
        "can_addendum": page.can_addendum,
        "can_cosign": page.can_cosign,
        "formats": FORMAT_LABELS.items(),
        "risk_choices": RiskCheck.choices,
        "error": error,
        "field_errors": field_errors,
    }
    return render(request, "care/note_detail.html", context, status=400 if error else 200)


@login_required
@require_POST
def group_addendum(request, occurrence_id: int):
    """An addendum to the shared section, or (with `section`) to one participant's."""
    note = note_selectors.group_note_of_session(user=request.user, occurrence_id=occurrence_id)
    form = GroupAddendumForm(
        request.POST, section_ids=set(note.sections.values_list("pk", flat=True))
    )
    added = None
    if form.is_valid():
        section_id = form.cleaned_data["section"]
        added = form_call(
            form,
            addenda.note_addendum_add,
            actor=request.user,
            note_id=section_id,
            group_note_id=None if section_id else note.pk,
            text=form.cleaned_data["text"],
        )
    if added is None:
        messages.error(request, form_errors(form)[0])
    else:
        messages.success(request, "Addendum added.")
    return redirect("care:group_note", occurrence_id=occurrence_id)
