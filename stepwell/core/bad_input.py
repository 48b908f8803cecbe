"""The page a request with a bad address parameter gets: 400, naming the field."""

from __future__ import annotations

from django.shortcuts import render

from .errors import ApplicationError


def bad_request_page(request, error: ApplicationError):
    """A parameter in the URL itself (a week in the path, say) cannot be fixed on a form."""
    context = {"error": error.message, "field_errors": error.field_errors}
    return render(request, "core/bad_request.html", context, status=400)
