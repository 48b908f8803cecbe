"""The staff outbox and the patient's own messages and contact preferences."""

from __future__ import annotations

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from stepwell.core.forms import form_call
from stepwell.core.paging import without_page

from . import selectors, services
from .models import MessageState, Preference


class OutboxFilter(forms.Form):
    state = forms.ChoiceField(choices=[("", "All"), *MessageState.choices], required=False)


class PreferenceForm(forms.Form):
    channel = forms.ChoiceField(choices=Preference.choices, label="How to reach me")
    reminders = forms.BooleanField(required=False, label="Remind me the day before my appointments")


@login_required
def outbox(request):
    """The outbox, 50 messages a page; the state filter is kept by the page links."""
    form = OutboxFilter(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    page = selectors.outbox_page(
        actor=request.user, state=state, page_number=request.GET.get("page")
    )
    return render(
        request,
        "messaging/outbox.html",
        {"rows": page, "page": page, "base_query": without_page(request.GET), "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def mine(request):
    patient, rows, preference = selectors.own_messages(
        actor=request.user, page_number=request.GET.get("page")
    )
    initial = (
        {"channel": preference.channel, "reminders": preference.reminders} if preference else {}
    )
    form = PreferenceForm(request.POST or None, initial=initial)
    if (
        request.method == "POST"
        and form.is_valid()
        and form_call(
            form,
            services.contact_preference_set,
            actor=request.user,
            patient_id=patient.pk,
            channel=form.cleaned_data["channel"],
            reminders=form.cleaned_data["reminders"],
        )
    ):
        flash.success(request, "Saved.")
        return redirect("messaging:mine")
    return render(
        request,
        "messaging/mine.html",
        {"rows": rows, "page": rows, "base_query": without_page(request.GET), "form": form},
        status=400 if form.errors else 200,
    )
