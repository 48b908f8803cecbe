"""The answers a page request gets when a service refuses: built here and nowhere else.

`core/denied.html` is rendered only by `denied_answer`, so every refused page looks the
same, says nothing of the record, and is audited.
"""

from __future__ import annotations

from django.shortcuts import render

from stepwell.privacy.refusals import refusal_settle

from .errors import AccessDenied, ApplicationError

NOT_AVAILABLE = "You do not have access to this page or record."


def denied_answer(request, error: AccessDenied):
    refusal_settle(
        error,
        request_user=getattr(request, "user", None),
        object_type="page",
        object_id=request.path[:64],
    )
    template = "core/_denied.html" if getattr(request, "htmx", False) else "core/denied.html"
    return render(request, template, {"message": NOT_AVAILABLE}, status=403)


def bad_request_answer(request, error: ApplicationError):
    context = {"error": error.message, "field_errors": error.field_errors}
    template = "core/_refused.html" if getattr(request, "htmx", False) else "core/refused.html"
    return render(request, template, context, status=400)
