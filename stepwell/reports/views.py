"""The report pages: the list, a report with its filters, chart and tables, its CSV and
its PDF. Each parses the filters with ReportFilterForm and calls one selector."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from stepwell.core.forms import form_call
from stepwell.privacy.audit import AuditAction

from . import selectors
from .exports import PdfUnavailable, html_to_pdf, report_csv
from .forms import ReportFilterForm
from .tables import page_text


def _run(request, name: str, *, action: str = AuditAction.VIEW, output: str = "page"):
    """The report with the filters asked for; with bad filters, the report with none and
    the form carrying the errors."""
    form = ReportFilterForm(request.GET)
    result = None
    common = {"user": request.user, "name": name, "action": action, "output": output}
    if form.is_valid():
        result = form_call(
            form, selectors.report_run, now=timezone.now(), **common, **form.filters()
        )
    if result is None:
        result = selectors.report_run(now=timezone.now(), **common)
    return result, form


def _tables(result) -> list[dict]:
    return [
        {
            "table": table,
            "rows": [
                [page_text(column, value) for column, value in zip(table.columns, row, strict=True)]
                for row in table.rows
            ],
        }
        for table in result.report.tables
    ]


def _context(request, result, form) -> dict:
    errors = {name: errs[0] for name, errs in form.errors.items()} if form.is_bound else {}
    query = request.GET.copy()
    query.pop("table", None)
    return {
        "result": result,
        "spec": result.spec,
        "scope": result.scope,
        "tables": _tables(result),
        "form": form,
        "field_errors": errors,
        "error": "The report is shown without the filters: " + " ".join(errors.values())
        if errors
        else "",
        "query": query.urlencode(),
    }


@login_required
@require_GET
def index(request):
    catalogue = selectors.report_catalogue(user=request.user)
    groups: dict[str, list] = {}
    for spec in catalogue:
        groups.setdefault(spec.group, []).append(spec)
    return render(request, "reports/index.html", {"groups": groups})


@login_required
@require_GET
def report(request, name: str):
    result, form = _run(request, name)
    context = _context(request, result, form)
    return render(request, "reports/report.html", context, status=400 if context["error"] else 200)


@login_required
@require_GET
def report_csv_download(request, name: str):
    result, form = _run(request, name, action=AuditAction.EXPORT, output="csv")
    if form.errors:
        context = _context(request, result, form)
        return render(request, "reports/report.html", context, status=400)
    table = form.cleaned_data.get("table") or ""
    response = HttpResponse(report_csv(result, table), content_type="text/csv; charset=utf-8")
    stem = f"{result.spec.name}-{table}" if table else result.spec.name
    filename = f"{stem}-{result.scope.date_from.isoformat()}-{result.scope.date_to.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def report_pdf(request, name: str):
    result, form = _run(request, name, action=AuditAction.EXPORT, output="pdf")
    context = _context(request, result, form)
    if form.errors:
        return render(request, "reports/report.html", context, status=400)
    html = render_to_string("reports/report_print.html", context, request=request)
    try:
        pdf = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    except PdfUnavailable as error:
        return render(
            request,
            "reports/pdf_unavailable.html",
            {"spec": result.spec, "reason": str(error)},
            status=503,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{result.spec.name}-{result.scope.date_to.isoformat()}.pdf"'
    )
    return response
