"""A report as CSV and as PDF, from the same cells as the page.

The CSV holds every table of the report (or the one asked for), each under a line with
its title, after lines naming the report, its filters and the small-cell threshold. The
PDF is WeasyPrint's rendering of the page's own HTML; WeasyPrint is imported only here,
when a PDF is asked for, so a machine without its system libraries (pango) runs
everything else and answers the PDF with a clear 503.
"""

from __future__ import annotations

import csv
import io

from .selectors import ReportResult
from .tables import csv_rows, suppressed_mark


class PdfUnavailable(RuntimeError):
    """WeasyPrint or a system library it needs is missing."""


def report_csv(result: ReportResult, table_key: str = "") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    scope = result.scope
    writer.writerow(["Report", result.spec.title])
    writer.writerow(["Period", scope.date_from.isoformat(), scope.date_to.isoformat()])
    writer.writerow(["Programs", "; ".join(program.name for program in scope.programs)])
    if scope.site is not None:
        writer.writerow(["Site", scope.site.name])
    if scope.track:
        writer.writerow(["Track", scope.track])
    if scope.payer is not None:
        writer.writerow(["Payer", scope.payer.name])
    if result.report.suppressed_below:
        mark = suppressed_mark(result.report.suppressed_below)
        writer.writerow(
            ["Small cells", f"counts from 1 to {result.report.suppressed_below - 1} read {mark}"]
        )
    for table in result.report.tables:
        if table_key and table.key != table_key:
            continue
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerows(csv_rows(table))
    return buffer.getvalue()


def html_to_pdf(html: str, base_url: str) -> bytes:
    """The PDF of an HTML page. Raises PdfUnavailable when WeasyPrint cannot run here."""
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:
        raise PdfUnavailable(
            "PDF output needs WeasyPrint and the Pango text library (Debian: libpango-1.0-0, "
            f"libpangoft2-1.0-0), which are not installed on this server: {error}"
        ) from error
    return HTML(string=html, base_url=base_url).write_pdf()
