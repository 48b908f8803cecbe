"""The discharge pages: an episode's discharge summary and aftercare plan, their PDFs,
the patient's own aftercare page on the portal, and a program's support-group directory
and discharge settings. Access is decided by the selectors and services; a refusal is
answered by core.middleware.RefusalMiddleware."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from stepwell.core.forms import form_call
from stepwell.core.paging import without_page

from . import selectors, services
from .forms import (
    AddendumForm,
    AppointmentForm,
    ContactForm,
    PlanForm,
    PolicyForm,
    SummaryForm,
    SupportGroupForm,
)
from .pdf import pdf_response


def _summary_initial(summary) -> dict:
    if summary is None:
        return {}
    return {name: getattr(summary, name) for name in SummaryForm.base_fields}


def _plan_initial(aftercare) -> dict:
    plan = aftercare.plan
    if plan is None:
        return {}
    initial = {
        name: getattr(plan, name) for name in PlanForm.base_fields if name != "support_groups"
    }
    initial["support_groups"] = [g.pk for g in aftercare.support_groups]
    return initial


def _page(request, episode_id, *, status=200, **bound):
    page = selectors.discharge_page(user=request.user, episode_id=episode_id)
    context = {
        "page": page,
        "episode": page.episode,
        "patient": page.episode.patient,
        "document": page.summary,
        "aftercare": page.aftercare,
        "zone": page.episode.program.timezone,
        "summary_form": bound.get("summary_form")
        or SummaryForm(initial=_summary_initial(page.summary.summary)),
        "addendum_form": bound.get("addendum_form") or AddendumForm(),
        "plan_form": bound.get("plan_form")
        or PlanForm(initial=_plan_initial(page.aftercare), directory=page.directory),
        "contact_form": bound.get("contact_form") or ContactForm(),
        "appointment_form": bound.get("appointment_form") or AppointmentForm(),
        "error": bound.get("error"),
    }
    return render(request, "discharge/episode.html", context, status=status)


def _back(episode_id, anchor=""):
    return redirect(reverse("discharge:episode", args=[episode_id]) + anchor)


@login_required
@require_GET
def episode(request, episode_id: int):
    return _page(request, episode_id)


@login_required
@require_GET
def patient(request, patient_id: int):
    rows = selectors.patient_discharge_overview(
        user=request.user, patient_id=patient_id, page_number=request.GET.get("page")
    )
    context = {
        "rows": rows,
        "page": rows,
        "patient_id": patient_id,
        "base_query": without_page(request.GET),
    }
    return render(request, "discharge/patient.html", context)


def _button(request, page_episode_id, service, anchor, done: str, /, **kwargs):
    """A button with no fields: the rule's refusal is shown at the top of the page, with
    the fields it names."""
    form = forms.Form({})  # a form with no fields, only to carry the refusal
    form.is_valid()
    if form_call(form, service, actor=request.user, **kwargs) is None and form.errors:
        error = form.service_error
        detail = " ".join(f"{v}" for v in error.field_errors.values())
        return _page(request, page_episode_id, status=400, error=f"{error.message} {detail}")
    messages.success(request, done)
    return _back(page_episode_id, anchor)


@login_required
@require_POST
def summary_draft(request, episode_id: int):
    return _button(
        request,
        episode_id,
        services.discharge_summary_draft,
        "#summary",
        "The summary was drafted from the episode's record.",
        episode_id=episode_id,
    )


@login_required
@require_POST
def summary_save(request, episode_id: int):
    form = SummaryForm(request.POST)
    if form.is_valid() and form_call(
        form,
        services.discharge_summary_update,
        actor=request.user,
        episode_id=episode_id,
        changes=form.cleaned_data,
    ):
        messages.success(request, "The summary was saved.")
        return _back(episode_id, "#summary")
    return _page(request, episode_id, status=400, summary_form=form)


@login_required
@require_POST
def summary_sign(request, episode_id: int):
    return _button(
        request,
        episode_id,
        services.discharge_summary_sign,
        "#summary",
        "The summary is signed and locked.",
        episode_id=episode_id,
    )


@login_required
@require_POST
def summary_addendum(request, episode_id: int):
    form = AddendumForm(request.POST)
    if form.is_valid() and form_call(
        form,
        services.discharge_summary_addendum_add,
        actor=request.user,
        episode_id=episode_id,
        text=form.cleaned_data["text"],
    ):
        messages.success(request, "The addendum was added.")
        return _back(episode_id, "#summary")
    return _page(request, episode_id, status=400, addendum_form=form)


@login_required
@require_POST
def plan_start(request, episode_id: int):
    return _button(
        request,
        episode_id,
        services.aftercare_plan_start,
        "#aftercare",
        "The aftercare plan was started.",
        episode_id=episode_id,
    )


@login_required
@require_POST
def plan_save(request, episode_id: int):
    page = selectors.discharge_page(user=request.user, episode_id=episode_id)
    form = PlanForm(request.POST, directory=page.directory)
    if form.is_valid():
        data = dict(form.cleaned_data)
        groups = data.pop("support_groups")
        if form_call(
            form,
            services.aftercare_plan_update,
            actor=request.user,
            episode_id=episode_id,
            changes=data,
            support_group_ids=groups,
        ):
            messages.success(request, "The aftercare plan was saved.")
            return _back(episode_id, "#aftercare")
    return _page(request, episode_id, status=400, plan_form=form)


@login_required
@require_POST
def contact_add(request, episode_id: int):
    form = ContactForm(request.POST)
    if form.is_valid() and form_call(
        form,
        services.aftercare_contact_add,
        actor=request.user,
        episode_id=episode_id,
        **form.cleaned_data,
    ):
        messages.success(request, "The contact was added.")
        return _back(episode_id, "#contacts")
    return _page(request, episode_id, status=400, contact_form=form)


@login_required
@require_POST
def contact_remove(request, episode_id: int, contact_id: int):
    return _button(
        request,
        episode_id,
        services.aftercare_contact_remove,
        "#contacts",
        "The contact was removed.",
        episode_id=episode_id,
        contact_id=contact_id,
    )


@login_required
@require_POST
def appointment_add(request, episode_id: int):
    page = selectors.discharge_page(user=request.user, episode_id=episode_id)
    form = AppointmentForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        data["starts_at"] = form.starts_at_in(page.episode.program.timezone)
        if form_call(
            form,
            services.aftercare_appointment_add,
            actor=request.user,
            episode_id=episode_id,
            **data,
        ):
            messages.success(request, "The appointment was added.")
            return _back(episode_id, "#appointments")
    return _page(request, episode_id, status=400, appointment_form=form)


@login_required
@require_POST
def appointment_remove(request, episode_id: int, appointment_id: int):
    return _button(
        request,
        episode_id,
        services.aftercare_appointment_remove,
        "#appointments",
        "The appointment was removed.",
        episode_id=episode_id,
        appointment_id=appointment_id,
    )


@login_required
@require_POST
def plan_sign_on_paper(request, episode_id: int):
    return _button(
        request,
        episode_id,
        services.aftercare_plan_sign_on_paper,
        "#aftercare",
        "The patient's signature on paper is recorded; the plan is locked.",
        episode_id=episode_id,
    )


@login_required
@require_GET
def summary_pdf(request, episode_id: int):
    document = selectors.summary_pdf_document(user=request.user, episode_id=episode_id)
    return pdf_response(
        request,
        "discharge/pdf_summary.html",
        {"document": document, "episode": document.episode, "patient": document.episode.patient},
        filename=f"discharge-summary-{document.episode.pk}.pdf",
    )


@login_required
@require_GET
def aftercare_pdf(request, episode_id: int):
    aftercare = selectors.aftercare_pdf_document(user=request.user, episode_id=episode_id)
    return pdf_response(
        request,
        "discharge/pdf_aftercare.html",
        {
            "aftercare": aftercare,
            "episode": aftercare.episode,
            "patient": aftercare.episode.patient,
            "zone": aftercare.episode.program.timezone,
        },
        filename=f"aftercare-plan-{aftercare.episode.pk}.pdf",
    )


# --- the patient's own page -------------------------------------------------------------


@login_required
@require_GET
def portal_aftercare(request):
    aftercare = selectors.own_aftercare(user=request.user)
    episode = aftercare.episode if aftercare else None
    return render(
        request,
        "discharge/portal_aftercare.html",
        {
            "aftercare": aftercare,
            "episode": episode,
            "zone": episode.program.timezone if episode else "UTC",
        },
    )


@login_required
@require_POST
def portal_aftercare_sign(request):
    form = forms.Form({})
    form.is_valid()
    if form_call(form, services.aftercare_plan_sign_on_portal, actor=request.user):
        messages.success(request, "Thank you: your aftercare plan is signed.")
    else:
        for error in form.non_field_errors():
            messages.error(request, error)
    return redirect("discharge:portal-aftercare")


# --- the program's directory and settings -----------------------------------------------


@login_required
@require_GET
def programs(request):
    return render(
        request,
        "discharge/programs.html",
        {"programs": selectors.directory_programs(user=request.user)},
    )


def _directory(request, program_id, *, status=200, **bound):
    page = selectors.directory_page(
        user=request.user, program_id=program_id, page_number=request.GET.get("page")
    )
    policy = page.policy
    initial = (
        {
            "documents_required": policy.documents_required,
            "exempt_dispositions": policy.exempt_dispositions,
            "after_hours_line": policy.after_hours_line,
        }
        if policy
        else {
            "documents_required": False,
            "exempt_dispositions": ["left_against_advice", "administrative"],
        }
    )
    return render(
        request,
        "discharge/directory.html",
        {
            "page": page,
            "base_query": without_page(request.GET),
            # Re-shown after a refused form, this page's address takes only POST.
            "pager_path": reverse("discharge:directory", args=[program_id]),
            "group_form": bound.get("group_form") or SupportGroupForm(),
            "policy_form": bound.get("policy_form") or PolicyForm(initial=initial),
        },
        status=status,
    )


@login_required
@require_GET
def directory(request, program_id: int):
    return _directory(request, program_id)


@login_required
@require_POST
def support_group_add(request, program_id: int):
    form = SupportGroupForm(request.POST)
    if form.is_valid() and form_call(
        form,
        services.support_group_add,
        actor=request.user,
        program_id=program_id,
        **form.cleaned_data,
    ):
        messages.success(request, "The group was added to the directory.")
        return redirect("discharge:directory", program_id)
    return _directory(request, program_id, status=400, group_form=form)


@login_required
@require_POST
def support_group_deactivate(request, program_id: int, group_id: int):
    services.support_group_deactivate(actor=request.user, program_id=program_id, group_id=group_id)
    messages.success(request, "The group was taken out of the directory.")
    return redirect("discharge:directory", program_id)


@login_required
@require_POST
def policy_save(request, program_id: int):
    form = PolicyForm(request.POST)
    if form.is_valid() and form_call(
        form,
        services.discharge_policy_set,
        actor=request.user,
        program_id=program_id,
        **form.cleaned_data,
    ):
        messages.success(request, "The discharge settings were saved.")
        return redirect("discharge:directory", program_id)
    return _directory(request, program_id, status=400, policy_form=form)
