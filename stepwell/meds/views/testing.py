"""Drug tests: ordering, results, confirmations and review; a program's random testing
schedule and its weekly draw."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.core.forms import form_call

from .. import selectors, services
from ..forms import (
    ConfirmationForm,
    DrawForm,
    DrugTestOrderForm,
    DrugTestResultsForm,
    ReviewForm,
    TestingScheduleForm,
)
from ..testing_rules import SUBSTANCE_LABELS, unexpected_wording
from .chart import _render_chart


@login_required
@require_POST
def drug_test_order(request, patient_id: int):
    chart = selectors.meds_chart(user=request.user, patient_id=patient_id)
    form = DrugTestOrderForm(request.POST, prefix="test", episodes=chart.test_episodes)
    if form.is_valid():
        data = form.cleaned_data
        test = form_call(
            form,
            services.drug_test_order,
            actor=request.user,
            patient_id=chart.patient.pk,
            method=data["method"],
            scheduled_on=data["scheduled_on"],
            panel=data["panel"],
            reason=data["reason"],
            program_id=data["episode"],
        )
        if test is not None:
            return redirect("meds:drug_test", test_id=test.pk)
    return _render_chart(request, chart, status=400, order_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def drug_test_page(request, test_id: int):
    test, writable = selectors.drug_test_view(user=request.user, test_id=test_id)
    action = request.POST.get("action", "")
    results_form = DrugTestResultsForm(
        request.POST if action == "results" else None, panel=test.panel, zone=test.program.timezone
    )
    confirm_form = ConfirmationForm(request.POST if action == "confirm" else None)
    review_form = ReviewForm(request.POST if action == "review" else None)
    status = 200
    if request.method == "POST":
        done = None
        if action == "results" and results_form.is_valid():
            done = form_call(
                results_form,
                services.drug_test_results_record,
                actor=request.user,
                test_id=test.pk,
                collected_at=results_form.cleaned_data["collected_at"],
                observed=results_form.cleaned_data["observed"],
                results=results_form.results(),
                confirmations=results_form.confirmations(),
            )
        elif action == "confirm" and confirm_form.is_valid():
            done = form_call(
                confirm_form,
                services.drug_test_confirm,
                actor=request.user,
                test_id=test.pk,
                **confirm_form.cleaned_data,
            )
        elif action == "review" and review_form.is_valid():
            done = form_call(
                review_form,
                services.drug_test_review,
                actor=request.user,
                test_id=test.pk,
                note=review_form.cleaned_data["note"],
            )
        if done is not None:
            messages.success(request, "Drug test updated.")
            return redirect("meds:drug_test", test_id=test.pk)
        status = 400
    results = list(test.results.all())
    unexpected = [r.substance for r in results if r.unexpected_positive]
    return render(
        request,
        "meds/drug_test.html",
        {
            "test": test,
            "patient": test.patient,
            "writable": writable,
            "results": [(r, SUBSTANCE_LABELS.get(r.substance, r.substance)) for r in results],
            "unexpected": unexpected_wording(unexpected) if unexpected else "",
            "results_form": results_form,
            "confirm_form": confirm_form,
            "review_form": review_form,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def testing_program(request, program_id: int):
    """A director's page: the random testing schedule and the weekly draws."""
    page = selectors.testing_page(user=request.user, program_id=program_id)
    action = request.POST.get("action", "")
    schedule = page.schedule
    schedule_form = TestingScheduleForm(
        request.POST if action == "schedule" else None,
        initial={
            "tests_per_week": schedule.tests_per_week,
            "weekdays": schedule.weekday_list,
            "active": schedule.active,
        }
        if schedule
        else None,
    )
    draw_form = DrawForm(request.POST if action == "draw" else None)
    status = 200
    if request.method == "POST":
        done = None
        if action == "schedule" and schedule_form.is_valid():
            done = form_call(
                schedule_form,
                services.random_testing_set,
                actor=request.user,
                program_id=page.program.pk,
                **schedule_form.cleaned_data,
            )
        elif action == "draw" and draw_form.is_valid():
            done = form_call(
                draw_form,
                services.random_draw_run,
                actor=request.user,
                program_id=page.program.pk,
                week=draw_form.cleaned_data["week"].upper(),
            )
        if done is not None:
            messages.success(request, "Saved.")
            return redirect("meds:testing", program_id=page.program.pk)
        status = 400
    return render(
        request,
        "meds/testing.html",
        {
            "page": page,
            "schedule_form": schedule_form,
            "draw_form": draw_form,
            "verified": {d.pk: services.random_draw_verify(d) for d in page.draws},
        },
        status=status,
    )
