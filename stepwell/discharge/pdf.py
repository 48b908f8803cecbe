"""PDFs made from the same HTML as the pages, with WeasyPrint.

WeasyPrint is imported when a PDF is asked for, so a machine without its system
libraries (pango) still runs everything else; there the PDF answers 503 and says what is
missing."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string

PDF_HEADERS = {
    "Cache-Control": "private, no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
}


class PdfUnavailable(RuntimeError):
    """WeasyPrint or a system library it needs is missing."""


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            "PDFs need WeasyPrint and the pango library (Debian: libpango-1.0-0, "
            f"libpangoft2-1.0-0): {error}"
        ) from error
    return HTML(string=html, base_url=base_url, url_fetcher=_fetch_nothing).write_pdf()


def _fetch_nothing(url: str, *args, **kwargs):
    """The documents carry their styles inline; WeasyPrint fetches nothing (no request
    leaves the server while a patient's record is printed)."""
    raise ValueError(f"Not fetched while printing: {url}")


def pdf_response(request, template: str, context: dict, *, filename: str) -> HttpResponse:
    """The page's document HTML rendered to a PDF, never cached outside the browser."""
    html = render_to_string(template, context, request=request)
    try:
        content = html_to_pdf(html, base_url=request.build_absolute_uri("/"))
    except PdfUnavailable as error:
        response = HttpResponse(
            render_to_string(
                "discharge/pdf_unavailable.html", {"reason": str(error)}, request=request
            ),
            status=503,
        )
        response["Cache-Control"] = PDF_HEADERS["Cache-Control"]
        return response
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    for name, value in PDF_HEADERS.items():
        response[name] = value
    return response
