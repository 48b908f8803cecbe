"""Middleware: the health check, security headers, the audit context and refusals."""

from __future__ import annotations

from django.conf import settings

from .views import healthz


class HealthCheckMiddleware:
    """Answer /healthz before anything else: a load balancer checks it over plain HTTP
    and by address, so neither the HTTPS redirect nor the host check may stand in the way.
    It says only whether the database answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers on every page and API answer (static files are served before this runs).

    - Cache-Control: no-store, so no browser or proxy keeps a copy of a page or API answer
      with patient data. The rule is every response, which is simpler to keep right than
      deciding which ones show a patient.
    - Content-Security-Policy: scripts only from our own static files (htmx included), no
      inline scripts or event handlers, no framing.
    - Permissions-Policy: no camera, microphone, location or payment features.
    HSTS (with subdomains) comes from Django's SecurityMiddleware in production settings.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        response.setdefault("Content-Security-Policy", settings.STEPWELL_CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", settings.STEPWELL_PERMISSIONS_POLICY)
        return response


class AuditContextMiddleware:
    """Let the audit trail know the client address of the request being served, so
    services need not carry it (privacy.audit.current_client_address)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from stepwell.privacy.audit import (
            client_address_of,
            current_client_address,
            denials_in_request,
        )

        address = current_client_address.set(client_address_of(request))
        denials = denials_in_request.set(0)
        try:
            return self.get_response(request)
        finally:
            current_client_address.reset(address)
            denials_in_request.reset(denials)


class RefusalMiddleware:
    """The one place a page turns a service's refusal into an answer.

    - AccessDenied: make sure the denial is audited (after the failed transaction rolled
      back) and answer 403 with nothing of the record.
    - ApplicationError that no form showed: 400 with the message and the field errors.
    For an htmx request only the fragment is sent, so it can be swapped into the page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from .errors import AccessDenied, ApplicationError
        from .refusal_pages import bad_request_answer, denied_answer

        if isinstance(exception, AccessDenied):
            return denied_answer(request, exception)
        if isinstance(exception, ApplicationError):
            return bad_request_answer(request, exception)
        return None
