"""Caseload, registration, chart and episode transitions. Every patient access is audited.

Access is decided by the selectors and services these views call: a refusal is an
AccessDenied that core.middleware.RefusalMiddleware answers (audited 403).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.core.converters import record_id_or_none
from stepwell.core.forms import form_call, message_call
from stepwell.core.paging import without_page
from stepwell.intake.services.referrals import referral_create
from stepwell.measures.panels import caseload_measures, chart_panel
from stepwell.privacy.audit import AuditAction, audit_request

from . import selectors, services
from .details import DETAIL_FIELDS, patient_details_update
from .episodes import allowed_next_states
from .forms import (
    CareTeamForm,
    PatientDetailsForm,
    PatientRegistrationForm,
    TransitionForm,
    possible_duplicate_on,
)
from .models import OPEN_STATES, EpisodeState
from .selectors import RecordView


@login_required
def caseload(request):
    from stepwell.care.hours.selectors import caseload_week_hours  # the hours badges, for all rows

    user = request.user
    program_id = record_id_or_none(request.GET.get("program"))
    state = request.GET.get("state") or "open"
    query = request.GET.get("q", "")
    page = selectors.caseload_page(
        user=user,
        program_id=program_id,
        state=state,
        query=query,
        page_number=request.GET.get("page"),
    )
    if page is None:
        return redirect("core:home")
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="caseload",
        detail={
            "program": program_id,
            "state": state,
            "q": query,
            "patients": [episode.patient_id for episode, _ in page.rows],
        },
    )
    context = {
        "rows": page.rows,
        "page": page.page,
        "base_query": without_page(request.GET),
        "programs": page.programs,
        "program_id": program_id,
        "state": state,
        "query": query,
        "states": EpisodeState.choices,
        "census": page.census,
        "show_clinical": page.show_clinical,
        "measures_by_patient": caseload_measures(
            user=user, patient_ids=[episode.patient_id for episode, _ in page.rows]
        ),
        "week_hours": caseload_week_hours(
            user=user, patient_ids=[episode.patient_id for episode, _ in page.rows]
        ),
    }
    template = "patients/caseload.html#caseload-table" if request.htmx else "patients/caseload.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def register(request):
    user = request.user
    programs = selectors.registering_programs(user=user)
    form = PatientRegistrationForm(request.POST or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.PATIENT_FIELDS}
        referral = form_call(
            form,
            referral_create,
            actor=user,
            program_id=form.cleaned_data["program"],
            source=form.cleaned_data["referral_source"] or "self",
            reason=form.cleaned_data["referral_reason"] or "Not given at registration",
            insurance=data.get("insurance_payer", ""),
            received_on=form.cleaned_data.get("referred_on"),
            patient_data=data,
            confirm_not_duplicate=form.cleaned_data.get("confirm_not_duplicate", False),
        )
        if referral is not None:
            messages.success(
                request,
                f"{referral.patient.display_name} registered and referred to "
                f"{referral.episode.program}; the referral is on the board.",
            )
            return redirect("patients:chart", patient_id=referral.patient_id)
    return render(
        request,
        "patients/register.html",
        {"form": form, "duplicate": possible_duplicate_on(form)},
    )


@login_required
def chart(request, patient_id: int):
    user = request.user
    record = selectors.patient_record(user=user, patient_id=patient_id, portal_for_patients=True)
    patient = record.patient
    if record.view == RecordView.PORTAL:
        return redirect("portal:home")
    if record.view == RecordView.BILLING:
        audit_request(
            request,
            action=AuditAction.VIEW,
            patient_id=patient.pk,
            object_type="patient_billing",
            object_id=patient.pk,
        )
        return render(
            request,
            "patients/billing.html",
            {"patient": patient, "episodes": selectors.patient_billing_episodes(patient=patient)},
        )
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="patient",
        object_id=patient.pk,
    )
    chart = selectors.patient_chart(user=user, patient=patient)
    context = {
        "patient": patient,
        "episodes": chart.episodes,
        "care_team": chart.care_team,
        "care_team_form": (
            # the candidates offered; what the add accepts (care_team_add's staff)
            CareTeamForm(staff=selectors.active_staff(), offered=chart.care_team_candidates)
            if chart.can_edit_care_team
            else None
        ),
        "viewers": chart.viewers,
        "can_edit_details": chart.can_edit_details,
        "family_contacts": chart.family_contacts,
        "chart_links": chart.links,
        "open_states": OPEN_STATES,
        "measures_panel": chart_panel(user=user, patient=patient),
    }
    return render(request, "patients/chart.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def transition(request, episode_id: int):
    episode = selectors.episode_for_transition(user=request.user, episode_id=episode_id)
    allowed = allowed_next_states(episode.state)
    form = TransitionForm(
        request.POST or None,
        allowed_states=allowed,
        initial={"to_state": request.GET.get("to", "")},
    )
    if request.method == "POST" and form.is_valid():
        moved = form_call(
            form,
            services.episode_transition,
            actor=request.user,
            episode_id=episode.pk,
            **form.cleaned_data,
        )
        if moved is not None:
            text = f"Episode moved to {moved.get_state_display().lower()}."
            released = getattr(moved, "released_bookings", [])
            if released:
                text += (
                    f" Cancelled {len(released)} future booking(s): " + "; ".join(released) + "."
                )
            elif moved.state == "discharged":
                text += " No future bookings to cancel."
            messages.success(request, text)
            return redirect("patients:chart", patient_id=episode.patient_id)
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=episode.patient_id,
        object_type="episode",
        object_id=episode.pk,
    )
    return render(
        request, "patients/transition.html", {"form": form, "episode": episode, "allowed": allowed}
    )


@login_required
@require_POST
def care_team_add(request, patient_id: int):
    form = CareTeamForm(request.POST, staff=selectors.active_staff())
    added = form.is_valid() and form_call(
        form,
        services.care_team_member_add,
        actor=request.user,
        patient_id=patient_id,
        user_id=form.cleaned_data["user"].pk,
        team_role=form.cleaned_data["team_role"],
    )
    if added:
        messages.success(request, "Added to the care team.")
    else:
        messages.error(
            request,
            "Choose a staff member and a role: "
            + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
        )
    return redirect("patients:chart", patient_id=patient_id)


@login_required
@require_POST
def care_team_remove(request, patient_id: int, member_id: int):
    services.care_team_member_remove(actor=request.user, patient_id=patient_id, member_id=member_id)
    messages.success(request, "Removed from the care team.")
    return redirect("patients:chart", patient_id=patient_id)


class PortalInviteForm(forms.Form):
    """Show the link to give the patient, or send it (the patient's chosen channel)."""

    deliver = forms.BooleanField(required=False)


@login_required
@require_POST
def portal_invite(request, patient_id: int):
    from stepwell.accounts.portal_invites import portal_invite_create
    from stepwell.messaging.services import portal_invite_send

    form = PortalInviteForm(request.POST)
    form.is_valid()  # one optional checkbox: always valid
    if form.cleaned_data.get("deliver"):
        sent = message_call(
            request,
            portal_invite_send,
            actor=request.user,
            patient_id=patient_id,
            site_url=request.build_absolute_uri("/"),
        )
        if sent is not None:
            messages.success(
                request,
                f"Portal invitation sent by {sent.message.get_channel_display().lower()} to "
                f"{sent.message.address}. The message says only that Stepwell invites them "
                "to the portal, with the link.",
            )
        return redirect("patients:chart", patient_id=patient_id)
    patient = selectors.patient_for_portal_invite(user=request.user, patient_id=patient_id)
    invite = portal_invite_create(actor=request.user, patient_id=patient.pk)
    link = request.build_absolute_uri(invite.path)
    messages.success(
        request,
        f"Portal invitation for {patient.display_name} (username {invite.user.username}). "
        f"Give the patient this one-time link to set a password; it is shown only now: {link}",
    )
    return redirect("patients:chart", patient_id=patient.pk)


@login_required
@require_http_methods(["GET", "POST"])
def details_edit(request, patient_id: int):
    """Keep the patient's details up to date; each changed field is kept as history."""
    patient, changes = selectors.patient_details_for_edit(user=request.user, patient_id=patient_id)
    form = PatientDetailsForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        changed = form_call(
            form,
            patient_details_update,
            actor=request.user,
            patient_id=patient.pk,
            data={f: form.cleaned_data[f] for f in DETAIL_FIELDS},
        )
        if changed is not None:
            labels = ", ".join(f.replace("_", " ") for f in changed) or "nothing changed"
            messages.success(request, f"Details saved ({labels}).")
            return redirect("patients:chart", patient_id=patient.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "patients/details.html",
        {
            "patient": patient,
            "form": form,
            "changes": changes,
            "family_contacts": list(patient.family_contacts.all()),
        },
        status=status,
    )
