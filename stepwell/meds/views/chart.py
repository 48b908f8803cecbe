"""The medication section of the chart and its forms: the list, allergies, addiction
medicine records, reconciliations and prescriber visits. Access is decided by the
selectors and services; a refusal is answered by core.middleware.RefusalMiddleware."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from stepwell.core.forms import form_call
from stepwell.core.paging import without_page

from .. import selectors, services
from ..forms import (
    AllergyForm,
    DecisionForm,
    DrugTestOrderForm,
    MedicationChangeForm,
    MedicationForm,
    NaloxoneForm,
    PdmpForm,
    ReconciliationStartForm,
    SideEffectsForm,
    VisitChangeForm,
    VisitStartForm,
)
from ..services import DecisionIn, MedicationData
from ..testing_rules import unexpected_wording

RECONCILIATIONS_PAGE = "reconciliations_page"  # the section's second list, paged on its own


def _without(params, name: str) -> str:
    """The query string without one list's page parameter, for that list's page links."""
    query = params.copy()
    query.pop(name, None)
    return query.urlencode()


def _zone(patient) -> str:
    episode = patient.episodes.select_related("program").order_by("-referred_on").first()
    return episode.program.timezone if episode else "UTC"


def _medication_form(patient, data=None, prefix="med"):
    return MedicationForm(
        data,
        prefix=prefix,
        prescribers=selectors.prescribers_for(patient),
        diagnoses=selectors.diagnoses_of(patient),
    )


def _render_chart(request, chart, status=200, **forms):
    patient = chart.patient
    context = {
        "chart": chart,
        "patient": patient,
        "base_query": without_page(request.GET),
        "reconciliations_page": RECONCILIATIONS_PAGE,
        "reconciliations_query": _without(request.GET, RECONCILIATIONS_PAGE),
        "unexpected": [(t, unexpected_wording(s)) for t, s in chart.unexpected],
        "medication_form": forms.get("medication_form") or _medication_form(patient),
        "allergy_form": forms.get("allergy_form") or AllergyForm(prefix="allergy"),
        "naloxone_form": forms.get("naloxone_form") or NaloxoneForm(prefix="nx"),
        "pdmp_form": forms.get("pdmp_form") or PdmpForm(prefix="pdmp"),
        "visit_form": forms.get("visit_form")
        or VisitStartForm(prefix="visit", zone=_zone(patient)),
        "reconcile_form": ReconciliationStartForm(),
        "order_form": forms.get("order_form")
        or DrugTestOrderForm(prefix="test", episodes=chart.test_episodes),
    }
    template = "meds/_chart_section.html" if request.htmx else "meds/chart.html"
    return render(request, template, context, status=status)


@login_required
def chart_section(request, patient_id: int):
    """Loaded into the chart by htmx; without JavaScript, a page of its own. `page` pages
    the medication list, `reconciliations_page` the reconciliations."""
    chart = selectors.meds_chart(
        user=request.user,
        patient_id=patient_id,
        page_number=request.GET.get("page"),
        reconciliations_page_number=request.GET.get(RECONCILIATIONS_PAGE),
    )
    return _render_chart(request, chart)


def _back(patient_id: int):
    return redirect("meds:chart", patient_id=patient_id)


@login_required
@require_POST
def medication_add(request, patient_id: int):
    chart = selectors.meds_chart(user=request.user, patient_id=patient_id)
    form = _medication_form(chart.patient, request.POST)
    if form.is_valid():
        medication = form_call(
            form,
            services.medication_create,
            actor=request.user,
            patient_id=chart.patient.pk,
            data=MedicationData(**form.data_kwargs()),
        )
        if medication is not None:
            messages.success(request, f"{medication.name} added to the medication list.")
            return _back(patient_id)
    return _render_chart(request, chart, status=400, medication_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def medication_edit(request, medication_id: int):
    medication = selectors.medication_view(user=request.user, medication_id=medication_id)
    form = MedicationChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        changed = form_call(
            form,
            services.medication_update,
            actor=request.user,
            medication_id=medication.pk,
            **form.cleaned_data,
        )
        if changed is not None:
            messages.success(request, f"{changed.name} updated.")
            return _back(changed.patient_id)
    return render(
        request,
        "meds/medication.html",
        {
            "medication": medication,
            "form": form,
            "patient": medication.patient,
            "can_write": selectors.can_write_meds(user=request.user, patient=medication.patient),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def allergy_add(request, patient_id: int):
    chart = selectors.meds_chart(user=request.user, patient_id=patient_id)
    form = AllergyForm(request.POST, prefix="allergy")
    if form.is_valid() and form_call(
        form,
        services.allergy_record,
        actor=request.user,
        patient_id=chart.patient.pk,
        **form.cleaned_data,
    ):
        messages.success(request, "Allergy record updated.")
        return _back(patient_id)
    return _render_chart(request, chart, status=400, allergy_form=form)


@login_required
@require_POST
def addiction_record(request, patient_id: int):
    """A naloxone kit offered or provided, or a PDMP check attested (`what`)."""
    chart = selectors.meds_chart(user=request.user, patient_id=patient_id)
    if request.POST.get("what") == "pdmp":
        form = PdmpForm(request.POST, prefix="pdmp")
        done = form.is_valid() and form_call(
            form,
            services.pdmp_attest,
            actor=request.user,
            patient_id=chart.patient.pk,
            **form.cleaned_data,
        )
        bound = {"pdmp_form": form}
    else:
        form = NaloxoneForm(request.POST, prefix="nx")
        done = form.is_valid() and form_call(
            form,
            services.naloxone_record,
            actor=request.user,
            patient_id=chart.patient.pk,
            action=form.cleaned_data["naloxone"],
            on=form.cleaned_data["on"],
        )
        bound = {"naloxone_form": form}
    if done:
        messages.success(request, "Recorded.")
        return _back(patient_id)
    return _render_chart(request, chart, status=400, **bound)


@login_required
@require_POST
def reconciliation_start(request, episode_id: int):
    form = ReconciliationStartForm(request.POST)
    episode = selectors.episode_for_reconciliation(user=request.user, episode_id=episode_id)
    if form.is_valid():
        reconciliation = form_call(
            form,
            services.reconciliation_start,
            actor=request.user,
            episode_id=episode.pk,
            occasion=form.cleaned_data["occasion"],
        )
        if reconciliation is not None:
            return redirect("meds:reconciliation", reconciliation_id=reconciliation.pk)
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return _back(episode.patient_id)


@login_required
@require_http_methods(["GET", "POST"])
def reconciliation_page(request, reconciliation_id: int):
    reconciliation = selectors.reconciliation_view(
        user=request.user, reconciliation_id=reconciliation_id
    )
    patient = reconciliation.episode.patient
    action = request.POST.get("action", "")
    new_form = _medication_form(patient, request.POST if action == "new" else None, prefix="new")
    decision_form = DecisionForm(request.POST if action == "decide" else None)
    sign_error = ""
    status = 200
    if request.method == "POST":
        done = None
        if action == "decide" and decision_form.is_valid():
            done = form_call(
                decision_form,
                services.reconciliation_decide,
                actor=request.user,
                reconciliation_id=reconciliation.pk,
                decision=DecisionIn(**decision_form.cleaned_data),
            )
        elif action == "new" and new_form.is_valid():
            done = form_call(
                new_form,
                services.reconciliation_new_medication,
                actor=request.user,
                reconciliation_id=reconciliation.pk,
                data=MedicationData(**new_form.data_kwargs()),
            )
        elif action == "sign":
            sign_form = forms.Form({})
            sign_form.is_valid()
            done = form_call(
                sign_form,
                services.reconciliation_sign,
                actor=request.user,
                reconciliation_id=reconciliation.pk,
            )
            sign_error = "; ".join(sign_form.non_field_errors())
            if done is not None:
                messages.success(request, "Reconciliation signed.")
                return _back(patient.pk)
        if done is not None:
            return redirect("meds:reconciliation", reconciliation_id=reconciliation.pk)
        status = 400
    return render(
        request,
        "meds/reconciliation.html",
        {
            "reconciliation": reconciliation,
            "patient": patient,
            "items": selectors.reconciliation_items(reconciliation),
            "can_write": selectors.can_write_meds(user=request.user, patient=patient),
            "new_form": new_form,
            "decision_form": decision_form,
            "sign_error": sign_error,
        },
        status=status,
    )


@login_required
@require_POST
def visit_start(request, patient_id: int):
    chart = selectors.meds_chart(user=request.user, patient_id=patient_id)
    form = VisitStartForm(request.POST, prefix="visit", zone=_zone(chart.patient))
    if form.is_valid():
        visit = form_call(
            form,
            services.visit_start,
            actor=request.user,
            patient_id=chart.patient.pk,
            **form.cleaned_data,
        )
        if visit is not None:
            return redirect("meds:visit", note_id=visit.note_id)
    return _render_chart(request, chart, status=400, visit_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def visit_page(request, note_id: int):
    """The visit's side-effect checklist and the changes made in it."""
    page = selectors.visit_view(user=request.user, note_id=note_id)
    action = request.POST.get("action", "")
    initial = page.visit.side_effects if page.visit else {}
    effects_form = SideEffectsForm(
        request.POST if action == "side_effects" else None,
        initial={**initial, "notes": page.visit.side_effect_notes if page.visit else ""},
    )
    change_form = VisitChangeForm(
        request.POST if action == "change" else None, medications=page.medications
    )
    new_form = _medication_form(page.note.patient, request.POST if action == "new" else None, "new")
    status = 200
    if request.method == "POST":
        done = None
        if action == "side_effects" and effects_form.is_valid():
            done = form_call(
                effects_form,
                services.visit_side_effects_record,
                actor=request.user,
                note_id=page.note.pk,
                side_effects=effects_form.side_effects(),
                notes=effects_form.cleaned_data["notes"],
            )
        elif action == "change" and change_form.is_valid():
            done = form_call(
                change_form,
                services.visit_medication_change,
                actor=request.user,
                note_id=page.note.pk,
                **change_form.cleaned_data,
            )
        elif action == "new" and new_form.is_valid():
            done = form_call(
                new_form,
                services.visit_medication_change,
                actor=request.user,
                note_id=page.note.pk,
                new=MedicationData(**new_form.data_kwargs()),
            )
        if done is not None:
            messages.success(request, "Saved to the visit.")
            return redirect("meds:visit", note_id=page.note.pk)
        status = 400
    return render(
        request,
        "meds/visit.html",
        {
            "page": page,
            "patient": page.note.patient,
            "effects_form": effects_form,
            "change_form": change_form,
            "new_form": new_form,
            "now": timezone.now(),
        },
        status=status,
    )
