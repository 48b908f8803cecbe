"""The milestone pages. Each view parses its input with a form and calls one service or
selector; refusals are answered by core.middleware.RefusalMiddleware."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from stepwell.core.forms import form_call
from stepwell.core.paging import without_page

from . import selectors, services
from .forms import MilestoneRecordForm, SharingForm

OBJECTIVES_PAGE = "objectives_page"  # the portal's second list, paged apart from the timeline


def _without(params, name: str) -> str:
    """The query string without one list's page parameter, for that list's page links."""
    query = params.copy()
    query.pop(name, None)
    return query.urlencode()


def _render_chart(request, patient_id, *, status=200, record_form=None):
    chart = selectors.chart_milestones(
        user=request.user, patient_id=patient_id, page_number=request.GET.get("page")
    )
    context = {
        "chart": chart,
        "patient": chart.patient,
        "base_query": without_page(request.GET),
        "record_form": record_form or MilestoneRecordForm(),
        "sharing_form": SharingForm(
            initial={"named_in_group": "yes" if chart.named_in_group else "no"}
        ),
    }
    template = "milestones/_chart_section.html" if request.htmx else "milestones/chart.html"
    return render(request, template, context, status=status)


@login_required
def chart_section(request, patient_id: int):
    """Loaded into the chart by htmx; without JavaScript, a page of its own. `page` pages
    the milestones, newest first."""
    return _render_chart(request, patient_id)


@login_required
@require_POST
def record(request, patient_id: int):
    form = MilestoneRecordForm(request.POST)
    if form.is_valid():
        milestone = form_call(
            form,
            services.milestone_record,
            actor=request.user,
            patient_id=patient_id,
            **form.cleaned_data,
        )
        if milestone is not None:
            messages.success(request, f"Milestone recorded: {milestone.title}.")
            return redirect("milestones:chart", patient_id=patient_id)
    return _render_chart(request, patient_id, status=400, record_form=form)


@login_required
@require_POST
def sharing(request, patient_id: int):
    form = SharingForm(request.POST)
    if form.is_valid():
        services.milestone_sharing_set(
            actor=request.user,
            patient_id=patient_id,
            named_in_group=form.cleaned_data["named_in_group"],
        )
        messages.success(request, "The patient's answer is saved.")
        return redirect("milestones:chart", patient_id=patient_id)
    messages.error(request, "Choose yes or no.")
    return _render_chart(request, patient_id, status=400)


@login_required
@require_POST
def compute(request, patient_id: int):
    found = services.patient_milestones_compute(actor=request.user, patient_id=patient_id)
    if found:
        messages.success(request, f"New milestones: {', '.join(m.title for m in found)}.")
    else:
        messages.info(request, "No new milestones since the last check.")
    return redirect("milestones:chart", patient_id=patient_id)


@login_required
def portal_progress(request, *, form=None, status=200):
    """`page` pages the timeline, `objectives_page` the objectives met."""
    progress = selectors.portal_progress(
        user=request.user,
        page_number=request.GET.get("page"),
        objectives_page_number=request.GET.get(OBJECTIVES_PAGE),
    )
    form = form or SharingForm(
        initial={"named_in_group": "yes" if progress.named_in_group else "no"}
    )
    return render(
        request,
        "milestones/portal_progress.html",
        {
            "progress": progress,
            "patient": progress.patient,
            "sharing_form": form,
            "objectives_page": OBJECTIVES_PAGE,
            "timeline_query": _without(request.GET, "page"),
            "objectives_query": _without(request.GET, OBJECTIVES_PAGE),
        },
        status=status,
    )


@login_required
@require_POST
def own_sharing(request):
    form = SharingForm(request.POST)
    if form.is_valid():
        services.own_milestone_sharing_set(
            actor=request.user, named_in_group=form.cleaned_data["named_in_group"]
        )
        messages.success(request, "Your answer is saved. You can change it at any time.")
        return redirect("milestones:portal-progress")
    return portal_progress(request, form=form, status=400)


@login_required
def session_milestones(request, occurrence_id: int):
    """This week's milestones on a group's roster (loaded into the roster by htmx)."""
    celebrations = selectors.session_milestones(user=request.user, occurrence_id=occurrence_id)
    return render(
        request,
        "milestones/_session_milestones.html",
        {"celebrations": celebrations, "occurrence_id": occurrence_id},
    )
