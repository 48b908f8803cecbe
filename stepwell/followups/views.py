"""Follow-up pages: the staff worklist, recording a phone follow-up, sending a link, the
chart section, and the public one-time-link page (no login, no name, phone-sized).

Access is decided by the selectors and services; a refusal is answered by
core.middleware.RefusalMiddleware (an audited 403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stepwell.core.forms import form_call
from stepwell.core.paging import without_page

from . import selectors, services
from .forms import FollowUpForm, PhoneForm, PolicyForm, WorklistFilter


@login_required
@require_GET
def worklist(request):
    filter_form = WorklistFilter(request.GET or None)
    status = filter_form.cleaned_data["status"] if filter_form.is_valid() else ""
    worklist_page = selectors.follow_up_worklist(
        user=request.user, status=status, page_number=request.GET.get("page")
    )
    context = {
        "rows": worklist_page.rows,
        "page": worklist_page.page,
        "base_query": without_page(request.GET),
        "filter_form": filter_form,
        "settings_programs": selectors.programs_with_settings_for(request.user),
    }
    return render(request, "followups/worklist.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def phone(request, follow_up_id: int):
    follow_up = selectors.follow_up_for_recording(user=request.user, follow_up_id=follow_up_id)
    instruments = selectors.instruments_of(follow_up)
    form = PhoneForm(request.POST or None, instruments=instruments)
    if request.method == "POST" and form.is_valid():
        recorded = form_call(
            form,
            services.follow_up_phone_record,
            actor=request.user,
            follow_up_id=follow_up.pk,
            reached=form.cleaned_data["reached"] == "yes",
            note=form.cleaned_data["note"],
            answers=form.answers(),
            short=form.short(),
        )
        if recorded is not None:
            messages.success(request, "The phone follow-up was recorded.")
            return redirect("followups:worklist")
    return render(
        request,
        "followups/phone.html",
        {
            "follow_up": follow_up,
            "form": form,
            "phone_fields": [form["reached"], form["note"]],
            "instruments": [(i, form.item_fields(i)) for i in instruments],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def send(request, follow_up_id: int):
    sent = services.follow_up_link_send(actor=request.user, follow_up_id=follow_up_id)
    return render(request, "followups/link_sent.html", {"sent": sent})


@login_required
@require_GET
def chart_section(request, patient_id: int):
    page = selectors.patient_follow_ups(user=request.user, patient_id=patient_id)
    return render(request, "followups/chart_section.html", {"page": page})


@never_cache
@require_http_methods(["GET", "POST"])
def link(request, token: str):
    """The public one-time-link page: no login, no name, only this follow-up."""
    opening = services.follow_up_link_open(actor=request.user, token=token)
    if opening.throttled:
        response = render(request, "followups/link_throttled.html", status=429)
        response["Retry-After"] = str(opening.retry_after_seconds)
        return response
    if opening.link is None:
        return render(request, "followups/link_invalid.html", status=404)
    follow_up = opening.link.follow_up
    instruments = selectors.instruments_of(follow_up)
    form = FollowUpForm(request.POST or None, instruments=instruments)
    if request.method == "POST":
        form.is_valid()  # the valid answers go to the service even when an item is blank
        short = form.short()
        if short is not None:
            done = form_call(
                form,
                services.follow_up_complete_by_link,
                actor=request.user,
                token=token,
                answers=form.answers(),
                short=short,
            )
            if done is not None:
                return render(request, "followups/link_done.html", {"follow_up": done})
    return render(
        request,
        "followups/link.html",
        {"form": form, "instruments": [(i, form.item_fields(i)) for i in instruments]},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy(request, program_id: int):
    """A program's follow-up settings (its director, or an administrator)."""
    current = selectors.follow_up_policy_for(user=request.user, program_id=program_id)
    initial = {
        "days": ", ".join(str(day) for day in current.settings.days),
        "instruments": list(current.settings.instruments),
        "max_attempts": current.settings.max_attempts,
        "wait_days": current.settings.wait_days,
    }
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form_call(
            form,
            services.follow_up_policy_set,
            actor=request.user,
            program_id=current.program.pk,
            **form.cleaned_data,
        )
        if saved is not None:
            messages.success(request, "The follow-up settings were saved.")
            return redirect("followups:policy", program_id=current.program.pk)
    return render(
        request,
        "followups/policy.html",
        {"program": current.program, "form": form},
        status=400 if request.method == "POST" else 200,
    )
