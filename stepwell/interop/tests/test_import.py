"""POST /api/v1/fhir/referrals: the example bundle makes a board entry; a possible duplicate
is flagged as the referral form does; bad bundles get an OperationOutcome naming the
element and write nothing."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from fhir.resources.R4B.operationoutcome import OperationOutcome

from stepwell.intake.models import Referral
from stepwell.patients.models import Episode, Patient
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import EpisodeFactory, PatientFactory

EXAMPLE = Path(settings.BASE_DIR) / "examples" / "fhir" / "referral-bundle.json"
NOT_AVAILABLE = {"detail": "Not found, or you do not have access to this record.", "errors": {}}


@pytest.fixture
def bundle() -> dict:
    return json.loads(EXAMPLE.read_text())


def post(client, program, body, **query) -> object:
    params = "&".join(f"{k}={v}" for k, v in {"program": program.pk, **query}.items())
    payload = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        f"/api/v1/fhir/referrals?{params}", payload, content_type="application/fhir+json"
    )


def snapshot() -> tuple[int, int, int, int]:
    return (
        Patient.objects.count(),
        Episode.objects.count(),
        Referral.objects.count(),
        AuditEvent.objects.filter(action="create", outcome="allowed").count(),
    )


def test_the_example_bundle_creates_a_board_entry(client, clinic, bundle):
    verified_login(client, clinic.intake_a)
    response = post(client, clinic.program_a, bundle)
    assert response.status_code == 201, response.content
    body = response.json()
    referral = Referral.objects.select_related("patient", "episode").get(pk=body["referral_id"])
    assert body["matched_existing_patient"] is False
    assert response["Location"] == f"/api/v1/intake/referrals/{referral.pk}"
    assert (referral.state, referral.source, referral.urgency) == (
        "new",
        "hospital_step_down",
        "priority",
    )
    assert referral.received_on == date(2026, 11, 20)
    assert referral.source_detail == "Riverside General Hospital (synthetic), inpatient psychiatry"
    assert (
        referral.insurance == "Payer: Synthetic Health Plan; member ID SYN-884120; group GRP-1040"
    )
    assert referral.reason.startswith("Step-down after a 9-day inpatient stay")
    assert "Works mornings; prefers afternoon sessions." in referral.reason
    assert "Referring diagnoses: F33.2 Major depressive disorder" in referral.reason
    assert "http://loinc.org/q/44249-1, answered 2026-11-19; PHQ-9 total 17" in referral.reason
    patient = referral.patient
    assert (patient.legal_first_name, patient.legal_last_name, patient.preferred_name) == (
        "Marisol",
        "Quillfeather",
        "Mari",
    )
    assert (patient.date_of_birth, patient.sex_assigned_at_birth) == (date(1988, 3, 14), "female")
    assert (patient.phone, patient.email) == ("555-0142", "mari.quillfeather@example.org")
    assert patient.address == "12 Lantern Way, Springfield, IL, 62701"
    assert (patient.emergency_contact_name, patient.emergency_contact_relationship) == (
        "Rosa Quillfeather",
        "Sister",
    )
    assert (
        patient.insurance_payer,
        patient.insurance_member_id,
        patient.insurance_group_number,
    ) == (
        "Synthetic Health Plan",
        "SYN-884120",
        "GRP-1040",
    )
    assert referral.episode.program_id == clinic.program_a.pk
    board = client.get(f"/api/v1/intake/referrals?program={clinic.program_a.pk}").json()
    assert [r["id"] for r in board] == [referral.pk]
    event = AuditEvent.objects.get(object_type="fhir_referral_import")
    assert event.patient_id == patient.pk
    assert event.detail["resources"]["ServiceRequest"] == 1


def test_a_possible_duplicate_is_flagged_then_confirmed(client, clinic, bundle):
    known = PatientFactory(
        legal_first_name="Marisol", legal_last_name="Quillfeather", date_of_birth=date(1988, 3, 14)
    )
    EpisodeFactory(
        patient=known, program=clinic.program_a, state="discharged", discharged_on=date(2026, 6, 1)
    )
    verified_login(client, clinic.intake_a)
    before = snapshot()
    flagged = post(client, clinic.program_a, bundle)
    assert flagged.status_code == 409
    (issue,) = flagged.json()["issue"]
    assert issue["code"] == "duplicate"
    assert issue["expression"] == ["Bundle.entry[0].resource"]
    assert "same legal name and date of birth" in issue["diagnostics"]
    assert known.mrn in issue["diagnostics"]
    assert snapshot() == before
    confirmed = post(client, clinic.program_a, bundle, confirm_not_duplicate="true")
    assert confirmed.status_code == 201
    assert Patient.objects.filter(legal_last_name="Quillfeather").count() == 2


def test_a_record_number_attaches_the_referral_to_that_patient(client, clinic, bundle):
    known = PatientFactory(
        legal_first_name="Marisol", legal_last_name="Quillfeather", date_of_birth=date(1988, 3, 14)
    )
    EpisodeFactory(
        patient=known, program=clinic.program_a, state="discharged", discharged_on=date(2026, 6, 1)
    )
    bundle["entry"][0]["resource"]["identifier"].append(
        {"system": "urn:stepwell:mrn", "value": known.mrn}
    )
    verified_login(client, clinic.intake_a)
    response = post(client, clinic.program_a, bundle)
    assert response.status_code == 201, response.content
    assert response.json()["matched_existing_patient"] is True
    assert response.json()["patient_id"] == known.pk
    assert Patient.objects.filter(legal_last_name="Quillfeather").count() == 1
    assert known.episodes.filter(state="referred", program=clinic.program_a).count() == 1


def test_a_record_number_the_user_may_not_see_is_answered_like_an_unknown_one(
    client, clinic, bundle
):
    hidden = PatientFactory(
        legal_first_name="Marisol", legal_last_name="Quillfeather", date_of_birth=date(1988, 3, 14)
    )
    EpisodeFactory(patient=hidden, program=clinic.program_b)
    verified_login(client, clinic.intake_a)
    before = snapshot()
    answers = []
    for mrn in (hidden.mrn, "SW00000000"):
        bundle["entry"][0]["resource"]["identifier"] = [
            {"system": "urn:stepwell:mrn", "value": mrn}
        ]
        response = post(client, clinic.program_a, bundle)
        answers.append((response.status_code, response.json()["issue"]))
    assert answers[0] == answers[1]
    assert answers[0][0] == 422
    assert answers[0][1][0]["diagnostics"] == "No patient you may see has this record number."
    assert snapshot() == before
    denied = AuditEvent.objects.get(object_type="fhir_referral_import", outcome="denied")
    assert denied.patient_id == hidden.pk


def test_a_record_number_with_other_details_is_refused(client, clinic, bundle):
    known = PatientFactory(legal_first_name="Other", legal_last_name="Person")
    EpisodeFactory(patient=known, program=clinic.program_a)
    bundle["entry"][0]["resource"]["identifier"] = [
        {"system": "urn:stepwell:mrn", "value": known.mrn}
    ]
    verified_login(client, clinic.intake_a)
    before = snapshot()
    response = post(client, clinic.program_a, bundle)
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["Bundle.entry[0].resource.identifier"]
    assert snapshot() == before


def _set(path: list, value):
    def change(bundle):
        target = bundle
        for key in path[:-1]:
            target = target[key]
        if value is ...:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return change


FUTURE = (datetime.now(tz=UTC).date() + timedelta(days=30)).isoformat()
PATIENT = ["entry", 0, "resource"]
REQUEST = ["entry", 2, "resource"]
BAD_BUNDLES = {
    "impossible birth date": (
        _set([*PATIENT, "birthDate"], "1988-02-30"),
        400,
        "Bundle.entry[0].resource.birthDate",
    ),
    "no birth date": (
        _set([*PATIENT, "birthDate"], ...),
        422,
        "Bundle.entry[0].resource.birthDate",
    ),
    "birth date in the future": (
        _set([*PATIENT, "birthDate"], FUTURE),
        422,
        "Bundle.entry[0].resource.birthDate",
    ),
    "no family name": (
        _set([*PATIENT, "name"], [{"given": ["Mari"]}]),
        422,
        "Bundle.entry[0].resource.name",
    ),
    "bad email": (
        _set([*PATIENT, "telecom", 1, "value"], "not-an-email"),
        422,
        "Bundle.entry[0].resource.telecom[1]",
    ),
    "unknown element": (_set([*PATIENT, "shoeSize"], 41), 400, "Bundle.entry[0].resource.shoeSize"),
    "unknown resource type": (
        _set(["entry", 1, "resource", "resourceType"], "Hospital"),
        400,
        "Bundle.entry[1].resource.resourceType",
    ),
    "no referral": (
        _set(["entry", 2], {"resource": {"resourceType": "Basic", "code": {"text": "x"}}}),
        422,
        "Bundle.entry",
    ),
    "referral about someone else": (
        _set([*REQUEST, "subject"], {"reference": "Patient/elsewhere"}),
        422,
        "Bundle.entry[2].resource.subject",
    ),
    "referral without a reason": (
        lambda b: [b["entry"][2]["resource"].pop(k) for k in ("reasonCode", "note")],
        422,
        "Bundle.entry[2].resource.reasonCode",
    ),
    "revoked referral": (
        _set([*REQUEST, "status"], "revoked"),
        422,
        "Bundle.entry[2].resource.status",
    ),
    "referral dated in the future": (
        _set([*REQUEST, "authoredOn"], FUTURE),
        422,
        "Bundle.entry[2].resource.authoredOn",
    ),
    "not an ICD-10-CM code": (
        _set(["entry", 3, "resource", "code", "coding", 0, "code"], "depression"),
        422,
        "Bundle.entry[3].resource.code.coding[0].code",
    ),
    "not a Bundle": (lambda b: b.update(resourceType="Patient"), 400, "Bundle.resourceType"),
}


@pytest.mark.parametrize("case", list(BAD_BUNDLES))
def test_bad_bundles_get_an_operation_outcome_and_write_nothing(client, clinic, bundle, case):
    change, status, expression = BAD_BUNDLES[case]
    broken = copy.deepcopy(bundle)
    change(broken)
    verified_login(client, clinic.intake_a)
    before = snapshot()
    response = post(client, clinic.program_a, broken)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/fhir+json"
    outcome = OperationOutcome.model_validate(response.json())
    assert expression in [e for issue in outcome.issue for e in issue.expression or []]
    assert all(issue.severity == "error" for issue in outcome.issue)
    assert snapshot() == before


def test_a_body_that_is_not_json_is_400(client, clinic):
    verified_login(client, clinic.intake_a)
    response = post(client, clinic.program_a, "{not json")
    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["Bundle"]


def test_an_unknown_source_is_400(client, clinic, bundle):
    verified_login(client, clinic.intake_a)
    response = post(client, clinic.program_a, bundle, source="internet")
    assert response.status_code == 400
    assert "source: choose one of" in response.json()["issue"][0]["diagnostics"]
    assert Referral.objects.count() == 0


@pytest.mark.parametrize("who", ["intake_a", "clinician_a", "director_a"])
def test_who_takes_referrals_can_import_them(client, clinic, bundle, who):
    verified_login(client, getattr(clinic, who))
    assert post(client, clinic.program_a, bundle).status_code == 201


@pytest.mark.parametrize("who", ["billing_a", "clinician_b", "nurse_a", "admin", "patient_user_a"])
def test_everyone_else_is_refused_audited_and_nothing_is_written(client, clinic, bundle, who):
    user = getattr(clinic, who)
    verified_login(client, user)
    before = Patient.objects.count(), Referral.objects.count()
    response = post(client, clinic.program_a, bundle)
    assert (response.status_code, response.json()) == (403, NOT_AVAILABLE)
    assert (Patient.objects.count(), Referral.objects.count()) == before
    denied = AuditEvent.objects.get(object_type="fhir_referral_import")
    assert (denied.outcome, denied.user_id) == ("denied", user.pk)


def test_an_unknown_program_is_refused(client, clinic, bundle):
    verified_login(client, clinic.intake_a)
    response = client.post(
        "/api/v1/fhir/referrals?program=999999", json.dumps(bundle), content_type="application/json"
    )
    assert response.status_code == 403
