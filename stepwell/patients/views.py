"""Caseload, registration, chart and episode transitions. Every patient access is audited."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.accounts.models import User, UserKind
from stepwell.clinic.selectors import programs_of_staff
from stepwell.core.converters import record_id_or_none
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.core.forms import form_add_service_errors as _apply_errors
from stepwell.privacy import access
from stepwell.privacy.audit import AuditAction, audit_request, client_address_of
from stepwell.privacy.refusals import page_denied as _denied

from . import selectors, services
from .episodes import allowed_next_states
from .forms import CareTeamForm, PatientRegistrationForm, TransitionForm
from .models import OPEN_STATES, EpisodeState


@login_required
def caseload(request):
    user = request.user
    if user.kind != UserKind.STAFF:
        return redirect("core:home")
    programs = programs_of_staff(user=user)
    program_id = record_id_or_none(request.GET.get("program"))
    state = request.GET.get("state") or "open"
    query = request.GET.get("q", "")
    episodes = list(
        selectors.caseload_episodes(user=user, program_id=program_id, state=state, query=query)[
            :500
        ]
    )
    rows = [(e, selectors.episode_days_in_program(e)) for e in episodes]
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="caseload",
        detail={
            "program": program_id,
            "state": state,
            "q": query,
            "patients": [e.patient_id for e in episodes],
        },
    )
    context = {
        "rows": rows,
        "programs": programs,
        "program_id": program_id,
        "state": state,
        "query": query,
        "states": EpisodeState.choices,
        "census": selectors.census(user=user),
        "show_clinical": user.has_role(*access.PROGRAM_WIDE_ROLES),
    }
    template = "patients/caseload.html#caseload-table" if request.htmx else "patients/caseload.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def register(request):
    user = request.user
    programs = programs_of_staff(user=user)
    if not access.access_patient_register_any(user) or not programs.exists():
        return _denied(request, object_type="patient", object_id="new", action=AuditAction.CREATE)
    form = PatientRegistrationForm(request.POST or None, programs=programs)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.PATIENT_FIELDS}
        try:
            registration = services.patient_register(
                actor=user,
                program=form.cleaned_data["program"],
                data=data,
                referred_on=form.cleaned_data.get("referred_on"),
                confirm_not_duplicate=form.cleaned_data.get("confirm_not_duplicate", False),
                client_address=client_address_of(request),
            )
        except services.PossibleDuplicate as error:
            duplicate = error
            form.add_error("confirm_not_duplicate", "Confirm this is a different person.")
        except ApplicationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                f"{registration.patient.display_name} registered and referred to {registration.episode.program}.",
            )
            return redirect("patients:chart", patient_id=registration.patient.pk)
    return render(request, "patients/register.html", {"form": form, "duplicate": duplicate})


@login_required
def chart(request, patient_id: int):
    user = request.user
    patient = selectors.patient_for_chart(user=user, patient_id=patient_id)
    if patient is None:
        billing_patient = selectors.patient_for_billing(user=user, patient_id=patient_id)
        if billing_patient is not None:
            audit_request(
                request,
                action=AuditAction.VIEW,
                patient_id=patient_id,
                object_type="patient_billing",
                object_id=patient_id,
            )
            return render(
                request,
                "patients/billing.html",
                {
                    "patient": billing_patient,
                    "episodes": billing_patient.episodes.select_related("program"),
                },
            )
        return _denied(
            request,
            object_type="patient",
            object_id=patient_id,
            patient_id=patient_id,
        )
    if user.is_patient_user:
        return redirect("portal:home")
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="patient",
        object_id=patient.pk,
    )
    episodes = list(
        patient.episodes.select_related("program").prefetch_related(
            "events", "level_of_care_changes"
        )
    )
    can_edit_team = access.access_care_team_edit(user, patient)
    staff = User.objects.filter(
        kind=UserKind.STAFF, is_active=True, program_memberships__program__episodes__patient=patient
    ).distinct()
    context = {
        "patient": patient,
        "episodes": [
            (e, allowed_next_states(e.state), selectors.episode_days_in_program(e))
            for e in episodes
        ],
        "care_team": patient.care_team.select_related("user"),
        "care_team_form": CareTeamForm(staff=staff) if can_edit_team else None,
        "viewers": selectors.patient_recent_viewers(patient=patient),
        "open_states": OPEN_STATES,
    }
    return render(request, "patients/chart.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def transition(request, episode_id: int):
    user = request.user
    episode = selectors.episode_for_user(user=user, episode_id=episode_id)
    if episode is None or user.is_patient_user:
        return _denied(
            request, object_type="episode", object_id=episode_id, action=AuditAction.TRANSITION
        )
    allowed = allowed_next_states(episode.state)
    form = TransitionForm(
        request.POST or None,
        allowed_states=allowed,
        initial={"to_state": request.GET.get("to", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_transition(
                actor=user,
                episode_id=episode.pk,
                to_state=form.cleaned_data["to_state"],
                effective_date=form.cleaned_data.get("effective_date"),
                reason=form.cleaned_data.get("reason", ""),
                disposition=form.cleaned_data.get("disposition", ""),
                level_of_care=form.cleaned_data.get("level_of_care", ""),
                client_address=client_address_of(request),
            )
        except AccessDenied:
            return _denied(
                request,
                object_type="episode",
                object_id=episode_id,
                patient_id=episode.patient_id,
                action=AuditAction.TRANSITION,
            )
        except ApplicationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                f"Episode moved to {EpisodeState(form.cleaned_data['to_state']).label.lower()}.",
            )
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
    patient = selectors.patient_for_chart(user=request.user, patient_id=patient_id)
    if patient is None:
        return _denied(
            request,
            object_type="care_team",
            object_id=patient_id,
            patient_id=patient_id,
            action=AuditAction.UPDATE,
        )
    staff = User.objects.filter(kind=UserKind.STAFF, is_active=True)
    form = CareTeamForm(request.POST, staff=staff)
    if form.is_valid():
        try:
            services.care_team_member_add(
                actor=request.user,
                patient=patient,
                user=form.cleaned_data["user"],
                team_role=form.cleaned_data["team_role"],
                client_address=client_address_of(request),
            )
        except AccessDenied:
            return _denied(
                request,
                object_type="care_team",
                object_id=patient_id,
                patient_id=patient.pk,
                action=AuditAction.UPDATE,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Added to the care team.")
    else:
        messages.error(
            request,
            "Choose a staff member and a role: "
            + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
        )
    return redirect("patients:chart", patient_id=patient.pk)


@login_required
@require_POST
def care_team_remove(request, patient_id: int, member_id: int):
    patient = selectors.patient_for_chart(user=request.user, patient_id=patient_id)
    if patient is None:
        return _denied(
            request,
            object_type="care_team",
            object_id=patient_id,
            patient_id=patient_id,
            action=AuditAction.UPDATE,
        )
    try:
        services.care_team_member_remove(
            actor=request.user,
            patient=patient,
            member_id=member_id,
            client_address=client_address_of(request),
        )
    except AccessDenied:
        return _denied(
            request,
            object_type="care_team",
            object_id=patient_id,
            patient_id=patient.pk,
            action=AuditAction.UPDATE,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Removed from the care team.")
    return redirect("patients:chart", patient_id=patient.pk)


@login_required
@require_POST
def portal_invite(request, patient_id: int):
    from stepwell.accounts.portal_invites import portal_invite_create

    patient = selectors.patient_for_chart(user=request.user, patient_id=patient_id)
    if patient is None or request.user.is_patient_user:
        return _denied(
            request,
            object_type="portal_invite",
            object_id=patient_id,
            patient_id=patient_id,
            action=AuditAction.UPDATE,
        )
    try:
        invite = portal_invite_create(actor=request.user, patient_id=patient.pk)
    except AccessDenied:
        return _denied(
            request,
            object_type="portal_invite",
            object_id=patient_id,
            patient_id=patient.pk,
            action=AuditAction.UPDATE,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        link = request.build_absolute_uri(invite.path)
        messages.success(
            request,
            f"Portal invitation for {patient.display_name} (username {invite.user.username}). Give the patient this "
            f"one-time link to set a password; it is shown only now: {link}",
        )
    return redirect("patients:chart", patient_id=patient.pk)
