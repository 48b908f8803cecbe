"""The one NinjaAPI: routers per app, errors turned into responses in one place."""

from __future__ import annotations

import copy
import logging

from django.db import DataError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from stepwell.accounts.api import router as auth_router
from stepwell.accounts.api_auth import api_auth
from stepwell.core.errors import AccessDenied, ApplicationError, AuthenticationFailed
from stepwell.patients.api import router as patients_router
from stepwell.patients.duplicates import PossibleDuplicate
from stepwell.privacy.api import router as audit_router
from stepwell.privacy.refusals import refusal_settle


class StepwellAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document is built once per process (and path prefix).

    django-ninja builds the document anew on every request for /api/v1/openapi.json and
    the docs page: about 0.7 s of processor time on a small machine, for a document that
    only changes when the code does. Each caller gets its own copy (about a tenth of that).
    """

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        documents = self.__dict__.setdefault("_openapi_documents", {})
        if path_prefix not in documents:
            documents[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return copy.deepcopy(documents[path_prefix])


api = StepwellAPI(
    title="Stepwell API",
    version="1",
    description="Intensive Outpatient Program records. Authenticate with `Authorization: Bearer <token>` "
    "(create a token on the API tokens page or with POST /api/v1/auth/token).",
    auth=api_auth,
    urls_namespace="api",
)
api.add_router("/auth", auth_router)
api.add_router("/", patients_router)
api.add_router("/audit", audit_router)
api.add_router("/measures", "stepwell.measures.api.router")
api.add_router("/", "stepwell.care.api.router")
api.add_router("/intake", "stepwell.intake.api.router")
api.add_router("/plans", "stepwell.plans.api.router")
api.add_router("/", "stepwell.schedule.api.router")
api.add_router("/fhir", "stepwell.interop.api.router")
api.add_router("/billing", "stepwell.billing.api.router")
api.add_router("/reports", "stepwell.reports.api.router")
api.add_router("/", "stepwell.meds.api.router")
api.add_router("/", "stepwell.consent.api.router")
api.add_router("/", "stepwell.messaging.api.router")
api.add_router("/", "stepwell.milestones.api.router")
api.add_router("/", "stepwell.alumni.api.router")
api.add_router("/", "stepwell.followups.api.router")
api.add_router("/", "stepwell.discharge.api.router")


logger = logging.getLogger(__name__)
NOT_AVAILABLE = "Not found, or you do not have access to this record."
NOT_FOUND = "Not found: no record has that number."


def _error(request, status: int, detail: str, errors: dict | None = None):
    """Every error answer has the one body (core.api_schemas.ErrorOut): `detail`, and
    `errors` by field (empty when no field is to blame)."""
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


@api.exception_handler(AccessDenied)
def on_access_denied(request, exc: AccessDenied):
    """A refusal says nothing about whether the record exists. The service audited it;
    if its transaction rolled back since, the row is written again here."""
    refusal_settle(
        exc,
        request_user=getattr(request, "auth", None) or getattr(request, "user", None),
        object_type="api",
        object_id=f"{request.method} {request.path}"[:64],
    )
    return _error(request, 403, NOT_AVAILABLE)


@api.exception_handler(ApplicationError)
def on_application_error(request, exc: ApplicationError):
    return api.create_response(
        request, {"detail": exc.message, "errors": exc.field_errors}, status=400
    )


@api.exception_handler(PossibleDuplicate)
def on_possible_duplicate(request, exc: PossibleDuplicate):
    """A registration matching a patient the user may see: 409, resend to confirm."""
    return api.create_response(
        request, {"detail": exc.message, "errors": exc.field_errors}, status=409
    )


@api.exception_handler(OverflowError)
def on_overflow(request, exc: OverflowError):
    """A number past what the database stores (an id like 9223372036854775808): no record.

    Page URLs refuse such ids in their route (stepwell.core.converters); API paths take
    any integer, so the database driver's overflow is answered here, once, as not found.
    """
    return _error(request, 404, NOT_FOUND)


@api.exception_handler(DataError)
def on_data_error(request, exc: DataError):
    """A value the database cannot hold that no schema refused (PostgreSQL: text past its
    column's length, a number out of range): bad input, not a server error. Nothing was
    written: the statement failed. Logged so the missing bound can be declared."""
    logger.warning(
        "API input refused by the database: %s %s: %s", request.method, request.path, exc
    )
    return api.create_response(
        request, {"detail": "A value is too long or out of range.", "errors": {}}, status=400
    )


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors: dict[str, str] = {}
    for item in exc.errors:
        location = [
            str(part)
            for part in item.get("loc", ())
            if part not in ("body", "payload", "query", "path")
        ]
        errors[".".join(location) or "request"] = item.get("msg", "Invalid value.")
    return api.create_response(request, {"detail": "Invalid input.", "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request, exc):
    return _error(request, 401, "Authentication required: send a valid bearer token.")


@api.exception_handler(AuthenticationFailed)
def on_authentication_failed(request, exc: AuthenticationFailed):
    """Credentials not right (401), a missing login step (403), a locked account (429)."""
    return api.create_response(
        request, {"detail": exc.message, "errors": exc.field_errors}, status=exc.status
    )
