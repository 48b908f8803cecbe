"""Consent pages: the chart's consents and accounting of disclosures, disclosing, emergency
access and its review, amendment decisions; and the patient's own page on the portal.
Each view parses a form and calls one service or selector; access is the services'."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stepwell.core.forms import form_call
from stepwell.core.paging import without_page

from . import selectors, services
from .forms import (
    AmendmentForm,
    BreakGlassForm,
    ConsentForm,
    DecideForm,
    DisclosureForm,
    EmergencyForm,
    ReasonForm,
    RevokeForm,
    SignForm,
)

# The consent pages show four lists, each paged on its own: a parameter each, so paging
# the accounting of disclosures leaves the consents on the page they were.
PAGE_PARAMETERS = {
    "consents": "consents_page",
    "disclosures": "disclosures_page",
    "amendments": "amendments_page",
    "grants": "grants_page",
}


def _pages_asked(request) -> selectors.PrivacyPages:
    return selectors.PrivacyPages(
        **{name: request.GET.get(parameter) for name, parameter in PAGE_PARAMETERS.items()}
    )


def _page_queries(request) -> dict[str, str]:
    """Each list's page links: the page's query string without that list's parameter."""
    queries = {}
    for name, parameter in PAGE_PARAMETERS.items():
        query = request.GET.copy()
        query.pop(parameter, None)
        queries[name] = query.urlencode()
    return queries


def _privacy_page(request, patient_id, *, consent_form=None, status=200):
    privacy = selectors.patient_privacy(
        actor=request.user, patient_id=patient_id, pages=_pages_asked(request)
    )
    return render(
        request,
        "consent/patient.html",
        {
            "privacy": privacy,
            "patient": privacy.patient,
            "page_parameters": PAGE_PARAMETERS,
            "page_queries": _page_queries(request),
            "consent_form": consent_form or ConsentForm(programs=privacy.programs),
            "revoke_form": RevokeForm(),
            "decide_form": DecideForm(),
        },
        status=status,
    )


@login_required
def patient_consents(request, patient_id: int):
    return _privacy_page(request, patient_id)


@login_required
@require_POST
def consent_new(request, patient_id: int):
    privacy = selectors.patient_privacy(actor=request.user, patient_id=patient_id)
    form = ConsentForm(request.POST, request.FILES, programs=privacy.programs)
    if form.is_valid():
        data = dict(form.cleaned_data)
        scan = data.pop("scan")
        consent = form_call(
            form,
            services.consent_record,
            actor=request.user,
            patient_id=patient_id,
            scan=scan.read() if scan else None,
            scan_name=scan.name if scan else "",
            scan_content_type=scan.content_type if scan else "",
            **data,
        )
        if consent is not None:
            messages.success(request, f"{consent} recorded.")
            return redirect("consent:patient", patient_id)
    return _privacy_page(request, patient_id, consent_form=form, status=400)


@login_required
@require_POST
def consent_revoke(request, consent_id: int):
    form = RevokeForm(request.POST)
    form.is_valid()
    consent = form_call(
        form,
        services.consent_revoke,
        actor=request.user,
        consent_id=consent_id,
        note=form.cleaned_data.get("note", ""),
    )
    if consent is None:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        consent = selectors.consent_document(actor=request.user, consent_id=consent_id)
    else:
        messages.success(request, "The consent is revoked: nothing more is disclosed under it.")
    if request.user.is_patient_user:
        return redirect("consent:mine")
    return redirect("consent:patient", consent.patient_id)


@login_required
def consent_document(request, consent_id: int):
    from .documents import SignedTextChanged, consent_print_body

    consent = selectors.consent_document(actor=request.user, consent_id=consent_id)
    body, problem = "", ""
    if consent.signed_html:
        try:
            body = consent_print_body(consent)
        except SignedTextChanged as error:
            problem = str(error)
    return render(
        request, "consent/consent.html", {"consent": consent, "body": body, "problem": problem}
    )


@login_required
@require_GET
def consent_pdf(request, consent_id: int):
    """The PDF of what was signed: never kept by the browser or a proxy (no-store)."""
    from .documents import PdfUnavailable

    try:
        consent, pdf = selectors.consent_pdf(actor=request.user, consent_id=consent_id)
    except PdfUnavailable as error:
        return HttpResponse(str(error), status=503, content_type="text/plain")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="consent-{consent.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def disclosure_new(request, patient_id: int):
    patient, consents = selectors.disclosure_form(actor=request.user, patient_id=patient_id)
    form = DisclosureForm(request.POST or None, consents=consents)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            disclosure = form_call(
                form,
                services.disclosure_make,
                actor=request.user,
                patient_id=patient_id,
                basis=data["basis"],
                consent_id=data["consent_id"],
                data=services.DisclosureInput(
                    recipient=data["recipient"],
                    recipient_affiliation=data["recipient_affiliation"],
                    purpose=data["purpose"],
                    purpose_detail=data["purpose_detail"],
                    sections=tuple(data["sections"]),
                    date_from=data["date_from"],
                    date_to=data["date_to"],
                    document_format=data["document_format"],
                ),
            )
            if disclosure is not None:
                messages.success(request, f"Disclosed to {disclosure.recipient}.")
                return redirect("consent:disclosure", disclosure.pk)
    return render(
        request,
        "consent/disclose.html",
        {"form": form, "patient": patient, "patient_id": patient_id, "consents": consents},
        status=status,
    )


@login_required
def disclosure_document(request, disclosure_id: int):
    disclosure = selectors.disclosure_document(actor=request.user, disclosure_id=disclosure_id)
    if request.GET.get("download") == "1":
        kind = "application/fhir+json" if disclosure.document_format == "fhir" else "text/html"
        response = HttpResponse(disclosure.document, content_type=kind)
        extension = "json" if disclosure.document_format == "fhir" else "html"
        response["Content-Disposition"] = (
            f'attachment; filename="disclosure-{disclosure.pk}.{extension}"'
        )
        return response
    return render(request, "consent/disclosure.html", {"disclosure": disclosure})


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request):
    selectors.break_glass_form(actor=request.user)
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        grant = form_call(
            form,
            services.break_glass_open,
            actor=request.user,
            record_number=form.cleaned_data["record_number"],
            reason=form.cleaned_data["reason"],
        )
        if grant is not None:
            messages.warning(
                request,
                f"Emergency access until {grant.expires_at:%H:%M} UTC. "
                "It is recorded and a director reviews it.",
            )
            return redirect("patients:chart", grant.patient_id)
    return render(
        request, "consent/break_glass.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def break_glass_reviews(request):
    grants = selectors.break_glass_reviews(actor=request.user, page_number=request.GET.get("page"))
    return render(
        request,
        "consent/break_glass_review.html",
        {
            "grants": grants,
            "page": grants,
            "base_query": without_page(request.GET),
            "form": ReasonForm(),
        },
    )


@login_required
@require_POST
def break_glass_review(request, grant_id: int):
    form = ReasonForm(request.POST)
    form.is_valid()
    if form_call(
        form,
        services.break_glass_review,
        actor=request.user,
        grant_id=grant_id,
        note=form.cleaned_data.get("note", ""),
    ):
        messages.success(request, "Review recorded.")
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("consent:break_glass_reviews")


@login_required
@require_POST
def amendment_decide(request, amendment_id: int):
    form = DecideForm(request.POST)
    form.is_valid()
    amendment = form_call(
        form,
        services.amendment_decide,
        actor=request.user,
        amendment_id=amendment_id,
        accept=form.cleaned_data.get("accept", False),
        reason=form.cleaned_data.get("reason", ""),
    )
    if amendment is None:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("core:home")
    messages.success(request, f"Amendment request {amendment.get_status_display().lower()}.")
    return redirect("consent:patient", amendment.patient_id)


@login_required
@require_http_methods(["GET", "POST"])
def mine(request):
    form = AmendmentForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and form_call(
            form,
            services.amendment_request,
            actor=request.user,
            section=form.cleaned_data["section"],
            request=form.cleaned_data["request"],
        )
    ):
        messages.success(request, "Your request was sent. Staff will answer with a reason.")
        return redirect("consent:mine")
    privacy = selectors.own_privacy(actor=request.user, pages=_pages_asked(request))
    return render(
        request,
        "consent/mine.html",
        {
            "privacy": privacy,
            "form": form,
            "page_parameters": PAGE_PARAMETERS,
            "page_queries": _page_queries(request),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def consent_sign(request, consent_id: int):
    consent = selectors.consent_document(actor=request.user, consent_id=consent_id)
    form = SignForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and form_call(
            form,
            services.consent_sign,
            actor=request.user,
            consent_id=consent_id,
            signer_name=form.cleaned_data["signer_name"],
            agree=form.cleaned_data["agree"],
        )
    ):
        messages.success(request, "Signed. You can revoke it at any time on this page.")
        return redirect("consent:mine")
    preview = services.consent_preview_html(consent) if not consent.signed_html else ""
    return render(
        request,
        "consent/sign.html",
        {"consent": consent, "form": form, "preview": preview},
        status=400 if form.errors else 200,
    )


@login_required
def own_record(request):
    """The patient's own record: the page, or its PDF (`?format=pdf`)."""
    from .documents import PdfUnavailable, pdf_from_html

    body, patient = services.own_record_html(actor=request.user)
    if request.GET.get("format") == "pdf":
        try:
            pdf = pdf_from_html(body, title="My record")
        except PdfUnavailable as error:
            return HttpResponse(str(error), status=503, content_type="text/plain")
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'attachment; filename="my-record.pdf"'
        return response
    return render(request, "consent/own_record.html", {"body": body, "patient": patient})


@login_required
@require_http_methods(["GET", "POST"])
def emergency_new(request, patient_id: int):
    """A disclosure in a medical emergency (42 CFR 2.51), without consent."""
    form = EmergencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        disclosure = form_call(
            form,
            services.emergency_disclosure_make,
            actor=request.user,
            patient_id=patient_id,
            emergency=data["emergency"],
            data=services.DisclosureInput(
                recipient=data["recipient"],
                recipient_affiliation=data["recipient_affiliation"],
                purpose="treatment",
                sections=tuple(data["sections"]),
                date_from=None,
                date_to=None,
                document_format=data["document_format"],
            ),
        )
        if disclosure is not None:
            messages.warning(request, "Recorded. A director reviews it; the patient is told.")
            return redirect("consent:disclosure", disclosure.pk)
    patient = selectors.emergency_form(actor=request.user, patient_id=patient_id)
    return render(
        request,
        "consent/emergency.html",
        {"form": form, "patient": patient, "patient_id": patient_id},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def emergency_review(request, disclosure_id: int):
    form = ReasonForm(request.POST)
    form.is_valid()
    if form_call(
        form,
        services.emergency_disclosure_review,
        actor=request.user,
        disclosure_id=disclosure_id,
        note=form.cleaned_data.get("note", ""),
    ):
        messages.success(request, "Review recorded.")
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("consent:disclosure", disclosure_id)
