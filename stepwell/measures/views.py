"""Staff measures pages: record in session, send a one-time link, and the alert worklist.

Each view reads its input with a form, calls the selectors and services (which decide
access and refuse with an audited 403 through core.middleware.RefusalMiddleware), and
renders. Every page that shows a patient's record is audited. The patient's pages
(one-time link, portal) are in ``patient_views``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.core.forms import form_call
from stepwell.core.paging import without_page
from stepwell.privacy.audit import AuditAction, audit_request

from . import panels, selectors, services
from .forms import (
    AlertAcknowledgeForm,
    AlertFilterForm,
    QuestionnaireChoiceForm,
    QuestionnaireForm,
    RecordChoiceForm,
)


def _first_error(form) -> str:
    """Every error of the form, as one message (the rule's message first, then what it
    names), for a button whose page shows messages rather than the form."""
    found = [str(message) for errors in form.errors.values() for message in errors]
    return " ".join(found) or "Check the form."


@login_required
@require_http_methods(["GET", "POST"])
def record(request, patient_id: int):
    """A clinician records the answers given in session."""
    posting = request.method == "POST"
    patient = selectors.patient_for_recording(
        user=request.user,
        patient_id=patient_id,
        action=AuditAction.CREATE if posting else AuditAction.VIEW,
    )
    choice = RecordChoiceForm(request.POST if posting else request.GET)
    if not choice.is_valid():
        messages.error(request, _first_error(choice))
        return redirect("patients:chart", patient_id=patient.pk)
    instrument = choice.cleaned_data["instrument"]
    due_id = choice.cleaned_data["administration"]
    switched_off = selectors.instrument_unavailable_reason(instrument.key)
    if switched_off and not posting:
        messages.error(request, switched_off)
        return redirect("patients:chart", patient_id=patient.pk)
    form = QuestionnaireForm(request.POST if posting else None, instrument=instrument)
    if posting:
        form.is_valid()  # the valid answers go to the service even when an item is blank
        recorded = form_call(
            form,
            services.administration_record,
            actor=request.user,
            patient_id=patient.pk,
            instrument_key=instrument.key,
            answers=form.answers(),
            administration_id=due_id,
        )
        if recorded is not None:
            _recorded_message(request, instrument, recorded)
            return redirect("patients:chart", patient_id=patient.pk)
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=patient.pk,
        object_type="administration_form",
        object_id=instrument.key,
    )
    return render(
        request,
        "measures/record.html",
        {"patient": patient, "instrument": instrument, "form": form, "due_id": due_id or ""},
    )


def _recorded_message(request, instrument, recorded: services.Recorded) -> None:
    administration = recorded.administration
    if recorded.incomplete:
        text = (
            f"{instrument.abbreviation} saved as incomplete because it holds a safety answer "
            f"(no total scored): {'; '.join(administration.problems)}."
        )
    else:
        result = (
            f"total {administration.total}"
            if administration.total is not None
            else administration.band.replace("_", " ")
        )
        text = f"{instrument.abbreviation} recorded: {result}."
    if recorded.alerts:
        text += " Safety alert raised: " + " ".join(a.reason for a in recorded.alerts)
    if recorded.alerts or recorded.incomplete:
        messages.warning(request, text)
    else:
        messages.success(request, text)


class QuestionnaireSendForm(QuestionnaireChoiceForm):
    """The chart's send buttons: show the link to copy, or send it (`deliver`) by the
    patient's chosen channel through the outbox."""

    deliver = forms.BooleanField(required=False)


@login_required
@require_POST
def send(request, patient_id: int):
    """Make a questionnaire due and show its one-time link (once); with `deliver`, also
    send it to the patient by email or text, as they chose."""
    from stepwell.messaging.services import questionnaire_link_send

    form = QuestionnaireSendForm(request.POST)
    sent = message = None
    if form.is_valid():
        if form.cleaned_data["deliver"]:
            delivered = form_call(
                form,
                questionnaire_link_send,
                actor=request.user,
                patient_id=patient_id,
                site_url=request.build_absolute_uri("/"),
                instrument_key=form.cleaned_data["instrument"],
                administration_id=form.cleaned_data["administration"],
            )
            if delivered is not None:
                sent, message = delivered.sent, delivered.message
        else:
            sent = form_call(
                form,
                services.questionnaire_send,
                actor=request.user,
                patient_id=patient_id,
                instrument_key=form.cleaned_data["instrument"],
                administration_id=form.cleaned_data["administration"],
            )
    if sent is None:
        messages.error(request, _first_error(form))
        return redirect("patients:chart", patient_id=patient_id)
    url = request.build_absolute_uri(reverse("measures:questionnaire", args=[sent.token]))
    instrument = selectors.instrument_for(
        sent.administration.instrument_key, sent.administration.instrument_version
    )
    context = {
        "patient": sent.administration.patient,
        "instrument": instrument,
        "url": url,
        "expires_at": sent.expires_at,
        "message": message,
    }
    return render(request, "measures/link_sent.html", context)


@login_required
def alerts(request):
    """The worklist: open alerts of the patients the user may act on, care team first, 50
    a page; the audit names the page's alerts and patients."""
    status = AlertFilterForm(request.GET).status_filter()
    page = selectors.alert_worklist(
        user=request.user,
        status=None if status == "all" else status,
        page_number=request.GET.get("page"),
    )
    rows = list(page.object_list)
    audit_request(
        request,
        action=AuditAction.LIST,
        object_type="alert_worklist",
        detail={
            "status": status,
            "alerts": [a.pk for a in rows],
            "patients": sorted({a.patient_id for a in rows}),
        },
    )
    context = {
        "alerts": rows,
        "status": status,
        "form": AlertAcknowledgeForm(),
        "page": page,
        "base_query": without_page(request.GET),
    }
    template = "measures/alerts.html#alert-table" if request.htmx else "measures/alerts.html"
    return render(request, template, context)


@login_required
@require_POST
def alert_acknowledge(request, alert_id: int):
    alert = selectors.alert_to_acknowledge(user=request.user, alert_id=alert_id)
    form = AlertAcknowledgeForm(request.POST)
    acknowledged = None
    if form.is_valid():
        acknowledged = form_call(
            form,
            services.alert_acknowledge,
            actor=request.user,
            alert_id=alert.pk,
            note=form.cleaned_data["note"],
        )
    if acknowledged is not None:
        if request.htmx:
            return render(request, "measures/alerts.html#alert-row", {"alert": acknowledged})
        messages.success(request, "Alert acknowledged.")
        return redirect(_next_url(request))
    if request.htmx:
        return render(
            request, "measures/alerts.html#alert-row", {"alert": alert, "form": form}, status=400
        )
    messages.error(request, "Write what was done about the alert to acknowledge it.")
    return redirect(_next_url(request))


def _next_url(request) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return target
    return reverse("measures:alerts")


@login_required
def administrations(request, patient_id: int):
    """The patient's completed questionnaires, a page at a time (the chart shows the newest
    and links here): a page of its own, whose pager loads the next page into its section
    by htmx. Refused (audited) unless the user may read the patient's scores; the listing
    is audited."""
    listed = panels.completed_administrations(
        user=request.user, patient_id=patient_id, page_number=request.GET.get("page")
    )
    context = {"patient": listed.patient, "completed": listed.rows, "completed_page": listed.page}
    template = "measures/_administrations.html" if request.htmx else "measures/administrations.html"
    return render(request, template, context)
