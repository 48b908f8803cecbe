"""The patient's questionnaire pages: the one-time link (no login) and the portal.

Both show the crisis line (988 call or text, 911) before and after answering. A token that
opens nothing is counted per client address, and an address with too many such tokens in
the window gets a 429 page (guessing is throttled). Every access is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.core.forms import form_add_service_errors as apply_errors
from stepwell.measures.instruments import UnknownInstrumentError
from stepwell.patients.models import Patient
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_request, client_address_of
from stepwell.privacy.refusals import page_denied as _denied

from . import access, selectors, services
from .forms import QuestionnaireForm
from .models import Administration, AdministrationStatus


def _done(request, recorded: services.Recorded):
    context = {
        "risk": recorded.risk,
        "incomplete": recorded.incomplete,
        "administration": recorded.administration,
    }
    return render(request, "measures/complete.html", context)


def _unavailable(request, administration: Administration, reason: str):
    """The questionnaire may not be answered here now (switched off, ASQ in session only)."""
    audit_request(
        request,
        action=AuditAction.VIEW,
        patient_id=administration.patient_id,
        object_type="administration",
        object_id=administration.pk,
        outcome=AuditOutcome.DENIED,
        detail={"reason": reason},
    )
    return render(request, "measures/unavailable.html", status=409)


def _answer(request, administration: Administration, complete, *, audit: dict):
    """The questionnaire form; ``complete(answers)`` records the answers. Showing the form
    (first, or again with errors) is audited with ``audit``."""
    instrument = selectors.instrument_for(
        administration.instrument_key, administration.instrument_version
    )
    form = QuestionnaireForm(request.POST or None, instrument=instrument)
    if request.method == "POST":
        form.is_valid()  # the valid answers go to the service even when an item is blank
        try:
            recorded = complete(form.answers())
        except AccessDenied:
            return None
        except ApplicationError as error:
            if "instrument" in error.field_errors:  # not to be answered here (any more)
                return _unavailable(request, administration, error.message)
            apply_errors(form, error)
        else:
            return _done(request, recorded)
    audit_request(request, action=AuditAction.VIEW, patient_id=administration.patient_id, **audit)
    program = selectors.program_for(administration)
    return render(
        request,
        "measures/questionnaire.html",
        {"instrument": instrument, "form": form, "program": program},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def questionnaire(request, token: str):
    """The public one-time-link page: no login, only this questionnaire."""
    address = client_address_of(request)
    if selectors.link_lookups_throttled(address):
        audit_request(
            request,
            action=AuditAction.VIEW,
            object_type="questionnaire_link",
            outcome=AuditOutcome.DENIED,
            detail={"reason": "too many links that opened nothing from this address"},
        )
        response = render(request, "measures/link_throttled.html", status=429)
        response["Retry-After"] = str(int(selectors.link_failure_window().total_seconds()))
        return response
    link = services.link_for_token(token)
    if link is None:
        services.link_lookup_failure_record(client_address=address)
        audit_request(
            request,
            action=AuditAction.VIEW,
            object_type="questionnaire_link",
            outcome=AuditOutcome.DENIED,
            detail={"reason": "invalid, used or expired link"},
        )
        return render(request, "measures/link_invalid.html", status=404)
    administration = link.administration
    reason = services.remote_refusal(
        administration.instrument_key, selectors.program_for(administration)
    )
    if reason and request.method == "GET":
        return _unavailable(request, administration, reason)

    def complete(answers):
        return services.questionnaire_complete_by_link(
            token=token, answers=answers, client_address=address
        )

    audit = {"object_type": "questionnaire_link", "object_id": link.pk}
    response = _answer(request, administration, complete, audit=audit)
    if response is None:
        services.link_lookup_failure_record(client_address=address)
        return render(request, "measures/link_invalid.html", status=404)
    return response


@login_required
def my_questionnaires(request):
    """The patient's due questionnaires in the portal; those that may not be answered here
    are listed apart with the reason."""
    patient = Patient.objects.filter(user=request.user).first()
    if patient is None or not access.access_questionnaire_complete_own(request.user, patient):
        return _denied(request, object_type="portal_questionnaires")
    due = list(
        Administration.objects.filter(patient=patient, status=AdministrationStatus.DUE)
        .select_related("episode__program")
        .order_by("due_on", "pk")
    )
    audit_request(
        request,
        action=AuditAction.LIST,
        patient_id=patient.pk,
        object_type="portal_questionnaires",
        detail={"administrations": [a.pk for a in due]},
    )
    rows, in_session = [], []
    for administration in due:
        try:
            instrument = selectors.instrument_for(
                administration.instrument_key, administration.instrument_version
            )
        except UnknownInstrumentError:
            continue
        program = selectors.program_for(administration)
        if services.remote_refusal(administration.instrument_key, program):
            in_session.append((administration, instrument))
        else:
            rows.append((administration, instrument))
    context = {"patient": patient, "rows": rows, "in_session": in_session}
    return render(request, "measures/portal.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def my_questionnaire(request, administration_id: int):
    administration = (
        Administration.objects.select_related("patient", "episode__program")
        .filter(pk=administration_id)
        .first()
    )
    if administration is None or not access.access_questionnaire_complete_own(
        request.user, administration.patient
    ):
        return _denied(
            request,
            object_type="administration",
            object_id=administration_id,
            patient_id=administration.patient_id if administration else None,
        )
    if administration.status != AdministrationStatus.DUE:
        messages.info(request, "That questionnaire is already done.")
        return redirect("measures:mine")
    reason = services.remote_refusal(
        administration.instrument_key, selectors.program_for(administration)
    )
    if reason and request.method == "GET":
        return _unavailable(request, administration, reason)

    def complete(answers):
        return services.questionnaire_complete_own(
            actor=request.user,
            administration_id=administration.pk,
            answers=answers,
            client_address=client_address_of(request),
        )

    audit = {"object_type": "administration", "object_id": administration.pk}
    response = _answer(request, administration, complete, audit=audit)
    if response is None:
        return render(request, "core/denied.html", status=403)
    return response
