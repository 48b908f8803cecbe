"""FHIR over the API: $everything, bulk export, and referrals received as Bundles.

Refusals are AccessDenied (403, audited, stepwell/api.py); a bad FHIR request gets an
OperationOutcome naming the element (400 not valid FHIR, 422 not a referral, 409 a
possible duplicate), converted in one place here (`fhir_errors`).
"""

from __future__ import annotations

import functools
import json

from django.http import FileResponse, HttpResponse, JsonResponse
from ninja import Router

from stepwell.core.api_schemas import Out, responses

from . import bulk, export, referrals
from .models import BulkExportStatus
from .outcomes import FhirInputError, Issue, operation_outcome

router = Router(tags=["fhir"])
FHIR_JSON = "application/fhir+json"
NDJSON = "application/fhir+ndjson"


class ReferralImportOut(Out):
    referral_id: int
    patient_id: int
    episode_id: int
    program_id: int
    state: str
    matched_existing_patient: bool
    board_url: str


def fhir_response(payload: dict, *, status: int = 200, **headers) -> HttpResponse:
    response = HttpResponse(json.dumps(payload), content_type=FHIR_JSON, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def fhir_errors(view):
    """FhirInputError -> OperationOutcome with its status."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except FhirInputError as error:
            return fhir_response(operation_outcome(error.issues), status=error.status)

    return wrapper


def _fhir_base(request) -> str:
    return request.build_absolute_uri(request.path.split("/fhir/")[0] + "/fhir/")


OUTCOME = dict  # a FHIR OperationOutcome


def fhir_bodies(*statuses: int, media_type: str = FHIR_JSON) -> dict:
    """OpenAPI extra: these statuses answer FHIR JSON (a resource or an OperationOutcome)."""
    return {
        "responses": {
            status: {"content": {media_type: {"schema": {"type": "object"}}}} for status in statuses
        }
    }


@router.get(
    "/Patient/{patient_id}/$everything",
    response=responses({200: dict}),
    url_name="fhir_everything",
    openapi_extra=fhir_bodies(200),
)
def patient_everything(
    request,
    patient_id: int,
    episode: int | None = None,
    consent: int | None = None,
    recipient: str = "",
):
    """The patient's record as a FHIR R4 Bundle (collection): care-team staff and the
    directors of the patient's programs. `episode` limits it to one episode. A record
    holding 42 CFR Part 2 records carries the 42 CFR 2.32 notice. With `consent` (and
    `recipient`, when the consent names several) the export is a disclosure under that
    consent, listed in the patient's accounting: 400, naming what is missing, when the
    consent does not cover it."""
    bundle = export.patient_everything(
        actor=request.user,
        patient_id=patient_id,
        episode_id=episode,
        base_url=_fhir_base(request),
        consent_id=consent,
        recipient=recipient[:300],
    )
    return fhir_response(bundle)


@router.get(
    "/$export",
    response=responses({202: OUTCOME}),
    url_name="fhir_bulk_export",
    openapi_extra=fhir_bodies(202),
)
def bulk_export_start(request, program: int):
    """Start a bulk export of a program (its directors only). 202 with Content-Location:
    poll that URL until it answers 200 with the list of NDJSON files."""
    job = bulk.bulk_export_start(actor=request.user, program_id=program)
    status_url = _fhir_base(request) + f"bulk-status/{job.pk}"
    outcome = operation_outcome(
        [Issue("", f"Export {job.pk} started.", code="informational", severity="information")]
    )
    return fhir_response(outcome, status=202, Content_Location=status_url)


@router.get(
    "/bulk-status/{job_id}",
    response=responses({200: dict, 202: dict, 410: OUTCOME, 500: OUTCOME}),
    url_name="fhir_bulk_status",
    openapi_extra=fhir_bodies(410, 500),
)
@fhir_errors
def bulk_export_status(request, job_id: int):
    """202 with X-Progress while the export runs; 200 with the manifest when it is done."""
    job = bulk.bulk_export_for(actor=request.user, job_id=job_id)
    if job.status in (BulkExportStatus.QUEUED, BulkExportStatus.RUNNING):
        response = JsonResponse(
            {"status": job.status, "progress": job.progress, "message": job.message}, status=202
        )
        response["X-Progress"] = f"{job.progress}%: {job.message}"
        response["Retry-After"] = "5"
        return response
    if job.status == BulkExportStatus.FAILED:
        return fhir_response(
            operation_outcome([Issue("", job.message, code="exception")]), status=500
        )
    if job.status == BulkExportStatus.EXPIRED:
        raise FhirInputError([Issue("", "This export has expired; start a new one.")], status=410)
    base = _fhir_base(request)
    return JsonResponse(
        {
            "transactionTime": job.created_at.isoformat(),
            "request": base + f"$export?program={job.program_id}",
            "requiresAccessToken": True,
            "expires": job.expires_at.isoformat() if job.expires_at else None,
            "output": [
                {
                    "type": o["type"],
                    "url": base + f"bulk-files/{job.pk}/{o['file']}",
                    "count": o["count"],
                }
                for o in job.output
            ],
            "error": [],
        }
    )


@router.get(
    "/bulk-files/{job_id}/{file_name}",
    response=responses({200: str, 404: OUTCOME, 410: OUTCOME}),
    url_name="fhir_bulk_file",
    openapi_extra={
        "responses": {
            **fhir_bodies(404, 410)["responses"],
            200: {"content": {NDJSON: {"schema": {"type": "string"}}}},
        }
    },
)
@fhir_errors
def bulk_export_file(request, job_id: int, file_name: str):
    """One NDJSON file, to the director who asked for the export; audited per patient."""
    path = bulk.bulk_export_file(actor=request.user, job_id=job_id, file_name=file_name)
    return FileResponse(path.open("rb"), content_type=NDJSON, filename=path.name)


@router.post(
    "/referrals",
    response=responses({201: ReferralImportOut, 400: OUTCOME, 409: OUTCOME, 422: OUTCOME}),
    url_name="fhir_referral_import",
    openapi_extra={
        **fhir_bodies(400, 409, 422),
        "requestBody": {
            "required": True,
            "content": {
                FHIR_JSON: {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
            },
        },
    },
)
@fhir_errors
def referral_import(
    request,
    program: int,
    source: str = referrals.DEFAULT_SOURCE,
    confirm_not_duplicate: bool = False,
):
    """A FHIR Bundle (Patient, ServiceRequest; optional Condition, Coverage,
    QuestionnaireResponse) becomes a referral on the board, in one transaction."""
    try:
        data = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError) as error:
        raise FhirInputError([Issue("Bundle", "The body is not JSON.")], status=400) from error
    imported = referrals.referral_import(
        actor=request.user,
        program_id=program,
        bundle_data=data,
        source=source,
        confirm_not_duplicate=confirm_not_duplicate,
    )
    referral = imported.referral
    response = JsonResponse(
        {
            "referral_id": referral.pk,
            "patient_id": referral.patient_id,
            "episode_id": referral.episode_id,
            "program_id": referral.episode.program_id,
            "state": referral.state,
            "matched_existing_patient": imported.matched_existing_patient,
            "board_url": f"/intake/referrals/{referral.pk}/",
        },
        status=201,
    )
    response["Location"] = f"/api/v1/intake/referrals/{referral.pk}"
    return response
