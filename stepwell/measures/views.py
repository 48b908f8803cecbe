"""Staff measures pages: record in session, send a one-time link, and the alert worklist.
Every access is audited. The patient's pages (one-time link, portal) are in
``patient_views``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.core.forms import form_add_service_errors as apply_errors
from stepwell.measures.instruments import UnknownInstrumentError
from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction, audit_request, client_address_of
from stepwell.privacy.refusals import page_denied as _denied

from . import access, selectors, services
from .forms import AlertAcknowledgeForm, QuestionnaireForm
from .models import Alert, AlertStatus


@login_required
@require_http_methods(["GET", "POST"])
def record(request, patient_id: int):
    """A clinician records the answers given in session."""
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None or not access.access_administration_record(request.user, patient):
        return _denied(
            request,
            object_type="administration",
            object_id="new",
            patient_id=patient.pk if patient else None,
            action=AuditAction.CREATE if request.method == "POST" else AuditAction.VIEW,
        )
    key = (request.POST.get("instrument") or request.GET.get("instrument") or "").lower()
    due_id = request.POST.get("administration") or request.GET.get("administration") or None
    try:
        instrument = selectors.instrument_for(key)
    except UnknownInstrumentError:
        messages.error(request, "Choose an instrument to record.")
        return redirect("patients:chart", patient_id=patient.pk)
    switched_off = selectors.instrument_unavailable_reason(instrument.key)
    if switched_off and request.method == "GET":
        messages.error(request, switched_off)
        return redirect("patients:chart", patient_id=patient.pk)
    form = QuestionnaireForm(request.POST or None, instrument=instrument)
    if request.method == "POST":
        form.is_valid()  # the valid answers go to the service even when an item is blank
        try:
            recorded = services.administration_record(
                actor=request.user,
                patient_id=patient.pk,
                instrument_key=instrument.key,
                answers=form.answers(),
                administration_id=int(due_id) if due_id and due_id.isdigit() else None,
                client_address=client_address_of(request),
            )
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
        except ApplicationError as error:
            apply_errors(form, error)
        else:
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


@login_required
@require_POST
def send(request, patient_id: int):
    """Make a questionnaire due and show its one-time link (once) to send to the patient."""
    due_id = request.POST.get("administration") or ""
    try:
        sent = services.questionnaire_send(
            actor=request.user,
            patient_id=patient_id,
            instrument_key=request.POST.get("instrument", ""),
            administration_id=int(due_id) if due_id.isdigit() else None,
            client_address=client_address_of(request),
        )
    except AccessDenied:
        return render(request, "core/denied.html", status=403)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("patients:chart", patient_id=patient_id)
    url = request.build_absolute_uri(reverse("measures:questionnaire", args=[sent.token]))
    instrument = selectors.instrument_for(
        sent.administration.instrument_key, sent.administration.instrument_version
    )
    response = render(
        request,
        "measures/link_sent.html",
        {
            "patient": sent.administration.patient,
            "instrument": instrument,
            "url": url,
            "expires_at": sent.expires_at,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def alerts(request):
    """The worklist: open alerts of the patients the user may act on, care team first."""
    user = request.user
    if not user.has_role(*access.ALERT_ROLES):
        return _denied(request, object_type="alert_worklist", action=AuditAction.LIST)
    status = request.GET.get("status", AlertStatus.OPEN)
    if status not in AlertStatus.values and status != "all":
        status = AlertStatus.OPEN
    rows = list(
        selectors.alerts_for_user(user=user, status=None if status == "all" else status)[:200]
    )
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
    context = {"alerts": rows, "status": status, "form": AlertAcknowledgeForm()}
    template = "measures/alerts.html#alert-table" if request.htmx else "measures/alerts.html"
    return render(request, template, context)


@login_required
@require_POST
def alert_acknowledge(request, alert_id: int):
    alert = selectors.alert_for_user(user=request.user, alert_id=alert_id)
    if alert is None:
        return _denied(
            request,
            object_type="alert",
            object_id=alert_id,
            patient_id=Alert.objects.filter(pk=alert_id)
            .values_list("patient_id", flat=True)
            .first(),
            action="acknowledge",
        )
    form = AlertAcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            alert = services.alert_acknowledge(
                actor=request.user,
                alert_id=alert_id,
                note=form.cleaned_data["note"],
                client_address=client_address_of(request),
            )
        except AccessDenied:
            return render(request, "core/denied.html", status=403)
        except ApplicationError as error:
            apply_errors(form, error)
        else:
            if request.htmx:
                return render(request, "measures/alerts.html#alert-row", {"alert": alert})
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
