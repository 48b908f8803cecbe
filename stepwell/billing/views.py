"""The billing pages: the worklist of billable weeks with its authorizations, the claims
form, a claims file's review and its download. Each calls one selector or service; the
access rules are in privacy/access/billing.py."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from stepwell.core.forms import form_call
from stepwell.core.paging import without_page
from stepwell.schedule.calendar.weeks import utc_to_local

from . import services
from .forms import ClaimsForm, RemitForm, WeeksForm
from .models import STANDING
from .selectors import work
from .selectors.remittances import remittances_of_program
from .services.claims import last_month


@login_required
@require_GET
def home(request):
    programs = work.billing_programs(user=request.user)
    if len(programs) == 1:
        return redirect("billing:weeks", program_id=programs[0].pk)
    return render(request, "billing/home.html", {"programs": programs})


def _today(program):
    return utc_to_local(program.timezone, timezone.now()).date()


def _weeks_page(request, program_id: int, claims_form: ClaimsForm | None, status: int = 200):
    form = WeeksForm(request.GET)
    read = {"user": request.user, "program_id": program_id}
    number = request.GET.get("page")
    page = None
    if form.is_valid() and form.cleaned_data["date_from"]:
        date_from = form.cleaned_data["date_from"]
        date_to = form.cleaned_data["date_to"] or date_from + timedelta(days=6)
        page = form_call(
            form,
            work.billing_weeks_page,
            date_from=date_from,
            date_to=date_to,
            page_number=number,
            **read,
        )
    if page is None:
        program = work.billing_programs_program(user=request.user, program_id=program_id)
        today = _today(program)
        page = work.billing_weeks_page(
            date_from=today - timedelta(days=14),
            date_to=today - timedelta(days=1),
            page_number=number,
            **read,
        )
    today = _today(page.program)
    if claims_form is None:
        first, last = last_month(today)
        claims_form = ClaimsForm(
            initial={"date_from": first, "date_to": last, "file_format": "837i"}
        )
    context = {
        "program": page.program,
        "page": page,
        "form": form,
        "claims_form": claims_form,
        "authorizations": work.authorizations_in_use(today=today, page_number=number, **read),
        "batches": work.claim_batches(page_number=number, **read),
        "remittances": remittances_of_program(page_number=number, **read),
        "base_query": without_page(request.GET),
        # Re-shown after a refused form, this page's address takes only POST.
        "pager_path": reverse("billing:weeks", args=[program_id]),
        "remit_form": RemitForm(),
        "previous": page.date_from - timedelta(days=7),
        "next": page.date_from + timedelta(days=7),
    }
    if form.errors or claims_form.errors:
        status = 400
    return render(request, "billing/weeks.html", context, status=status)


@login_required
@require_GET
def weeks(request, program_id: int):
    return _weeks_page(request, program_id, None)


@login_required
@require_POST
def claims_new(request, program_id: int):
    form = ClaimsForm(request.POST)
    if form.is_valid():
        batch = form_call(
            form,
            services.claims_generate,
            actor=request.user,
            program_id=program_id,
            **form.cleaned_data,
        )
        if batch is not None:
            return redirect("billing:batch", batch_id=batch.pk)
    return _weeks_page(request, program_id, form)


@login_required
@require_GET
def batch(request, batch_id: int):
    batch, claims = work.claim_batch_page(
        user=request.user, batch_id=batch_id, page_number=request.GET.get("page")
    )
    context = {
        "batch": batch,
        "claims": claims,
        "standing": STANDING,
        "base_query": without_page(request.GET),
    }
    return render(request, "billing/batch.html", context)


@login_required
@require_GET
def download(request, batch_id: int):
    out = work.claim_batch_file(user=request.user, batch_id=batch_id)
    response = HttpResponse(out.content, content_type=out.content_type)
    response["Content-Disposition"] = f'attachment; filename="{out.filename}"'
    return response
