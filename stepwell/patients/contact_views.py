"""The family contacts of a patient's chart: add, change, remove. Access is decided by the
selectors and services called (privacy/access/patients.py); reads are audited here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.core.forms import form_call
from stepwell.privacy.audit import AuditAction, audit_request

from . import selectors
from .contacts import (
    CONTACT_FIELDS,
    family_contact_add,
    family_contact_remove,
    family_contact_update,
)
from .forms import FamilyContactForm


@login_required
@require_http_methods(["GET", "POST"])
def contact_add(request, patient_id: int):
    patient, _contacts = selectors.family_contacts_for_edit(
        user=request.user, patient_id=patient_id
    )
    form = FamilyContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        contact = form_call(
            form,
            family_contact_add,
            actor=request.user,
            patient_id=patient.pk,
            data={f: form.cleaned_data[f] for f in CONTACT_FIELDS},
        )
        if contact is not None:
            messages.success(request, f"Family contact {contact.name} added.")
            return redirect("patients:details_edit", patient_id=patient.pk)
    return render(
        request,
        "patients/contact_form.html",
        {"patient": patient, "form": form, "contact": None},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request, contact_id: int):
    contact = selectors.family_contact_for_edit(user=request.user, contact_id=contact_id)
    if request.method == "GET":
        audit_request(
            request,
            action=AuditAction.VIEW,
            patient_id=contact.patient_id,
            object_type="family_contact",
            object_id=contact.pk,
        )
    form = FamilyContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        changed = form_call(
            form,
            family_contact_update,
            actor=request.user,
            contact_id=contact.pk,
            data={f: form.cleaned_data[f] for f in CONTACT_FIELDS},
        )
        if changed is not None:
            labels = ", ".join(f.replace("_", " ") for f in changed) or "nothing changed"
            messages.success(request, f"Family contact saved ({labels}).")
            return redirect("patients:details_edit", patient_id=contact.patient_id)
    return render(
        request,
        "patients/contact_form.html",
        {"patient": contact.patient, "form": form, "contact": contact},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def contact_remove(request, contact_id: int):
    contact = selectors.family_contact_for_edit(user=request.user, contact_id=contact_id)
    patient_id, name = contact.patient_id, contact.name
    family_contact_remove(actor=request.user, contact_id=contact.pk)
    messages.success(request, f"Family contact {name} removed.")
    return redirect("patients:details_edit", patient_id=patient_id)
