"""The patient's questionnaire pages: the one-time link (no login) and the portal.

Both show the crisis line (988 call or text, 911) before and after answering. A token that
opens nothing is counted per client address, and an address with too many such tokens in
the window gets a 429 page (guessing is throttled). Every access is audited; refusals go
through core.middleware.RefusalMiddleware (an audited 403).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from stepwell.core.forms import form_call
from stepwell.core.paging import without_page
from stepwell.privacy.audit import AuditAction, AuditOutcome, audit_request

from . import selectors, services
from .forms import QuestionnaireForm
from .models import Administration, AdministrationStatus


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


def _answer(request, administration: Administration, service, *, audit: dict, **arguments):
    """The questionnaire form; a POST gives the answers to ``service``. Showing the form
    (first, or again with errors) is audited with ``audit``."""
    instrument = selectors.instrument_for(
        administration.instrument_key, administration.instrument_version
    )
    program = selectors.program_for(administration)
    form = QuestionnaireForm(request.POST or None, instrument=instrument)
    if request.method == "POST":
        form.is_valid()  # the valid answers go to the service even when an item is blank
        recorded = form_call(form, service, answers=form.answers(), **arguments)
        if recorded is not None:
            context = {
                "risk": recorded.risk,
                "incomplete": recorded.incomplete,
                "administration": recorded.administration,
            }
            return render(request, "measures/complete.html", context)
        # Refused: if the questionnaire may no longer be answered here, that was why
        # (answers holding a safety answer are kept regardless, so they never get here).
        reason = selectors.remote_refusal(administration.instrument_key, program)
        if reason:
            return _unavailable(request, administration, reason)
    audit_request(request, action=AuditAction.VIEW, patient_id=administration.patient_id, **audit)
    return render(
        request,
        "measures/questionnaire.html",
        {"instrument": instrument, "form": form, "program": program},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def questionnaire(request, token: str):
    """The public one-time-link page: no login, only this questionnaire."""
    opening = services.questionnaire_link_open(actor=request.user, token=token)
    if opening.throttled:
        response = render(request, "measures/link_throttled.html", status=429)
        response["Retry-After"] = str(opening.retry_after_seconds)
        return response
    if opening.link is None:
        return render(request, "measures/link_invalid.html", status=404)
    administration = opening.link.administration
    reason = selectors.remote_refusal(
        administration.instrument_key, selectors.program_for(administration)
    )
    if reason and request.method == "GET":
        return _unavailable(request, administration, reason)
    return _answer(
        request,
        administration,
        services.questionnaire_complete_by_link,
        audit={"object_type": "questionnaire_link", "object_id": opening.link.pk},
        actor=request.user,
        token=token,
    )


@login_required
def my_questionnaires(request):
    """The patient's due questionnaires in the portal, 50 a page; those that may not be
    answered here are listed apart with the reason."""
    own = selectors.own_due_questionnaires(user=request.user, page_number=request.GET.get("page"))
    audit_request(
        request,
        action=AuditAction.LIST,
        patient_id=own.patient.pk,
        object_type="portal_questionnaires",
        detail={"administrations": own.administration_ids},
    )
    context = {
        "patient": own.patient,
        "rows": own.to_answer,
        "in_session": own.in_session,
        "page": own.page,
        "base_query": without_page(request.GET),
    }
    return render(request, "measures/portal.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def my_questionnaire(request, administration_id: int):
    administration = selectors.own_questionnaire(
        user=request.user, administration_id=administration_id
    )
    if administration.status != AdministrationStatus.DUE:
        messages.info(request, "That questionnaire is already done.")
        return redirect("measures:mine")
    reason = selectors.remote_refusal(
        administration.instrument_key, selectors.program_for(administration)
    )
    if reason and request.method == "GET":
        return _unavailable(request, administration, reason)
    return _answer(
        request,
        administration,
        services.questionnaire_complete_own,
        audit={"object_type": "administration", "object_id": administration.pk},
        actor=request.user,
        administration_id=administration.pk,
    )
