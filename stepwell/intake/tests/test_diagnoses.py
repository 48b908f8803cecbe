"""ICD-10-CM codes from the CMS release in simple-icd-10-cm, and diagnoses on an assessment."""

import json

import pytest

from stepwell.core.errors import ApplicationError
from stepwell.intake import services
from stepwell.intake.diagnosis_codes import (
    DATA_FILE,
    SCOPE,
    all_codes,
    build_code_set,
    code_set,
    diagnosis_code_lookup,
    diagnosis_code_search,
    normalize_code,
)
from stepwell.intake.models import AssessmentDiagnosis
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login

from .conftest import complete_assessment, make_referral


def test_the_shipped_codes_are_exactly_the_installed_cms_release():
    """Nothing hand-typed: data/icd10cm.json is what simple-icd-10-cm holds for SCOPE."""
    built = build_code_set()

    assert json.loads(DATA_FILE.read_text(encoding="utf-8")) == built
    assert (built["code_set"], built["release"]) == ("ICD-10-CM FY2026", "April 1, 2026")
    assert built["source"].startswith("simple-icd-10-cm 1.5.")


def test_all_of_chapter_5_is_there():
    codes = {code.code for code in all_codes()}
    categories = {code for code in codes if code.startswith("F") and "." not in code}

    assert {"F01", "F10", "F32", "F50", "F99"} <= categories
    assert len([code for code in codes if code.startswith("F")]) == 1112
    assert {"F32.A", "F43.10", "F10.20", "F11.21", "F84.0", "F90.2"} <= codes


@pytest.mark.parametrize(
    ("code", "billable", "description"),
    [
        ("F50.2", False, "Bulimia nervosa"),
        ("F50.20", True, "Bulimia nervosa, unspecified"),
        ("F32", False, "Depressive episode"),
        ("F33.1", True, "Major depressive disorder, recurrent, moderate"),
        ("F99", True, "Mental disorder, not otherwise specified"),
        ("F01.51", False, "Vascular dementia, unspecified severity, with behavioral disturbance"),
        ("R45.851", True, "Suicidal ideations"),
        ("R45.85", False, "Homicidal and suicidal ideations"),
        ("Z91.5", False, "Personal history of self-harm"),
        ("Z91.51", True, "Personal history of suicidal behavior"),
        (
            "Z63",
            False,
            "Other problems related to primary support group, including family circumstances",
        ),
        ("Z63.0", True, "Problems in relationship with spouse or partner"),
        ("Z59.00", True, "Homelessness unspecified"),
        ("Z71.41", True, "Alcohol abuse counseling and surveillance of alcoholic"),
        ("R78.0", True, "Finding of alcohol in blood"),
    ],
)
def test_billable_and_header_codes(code, billable, description):
    found = diagnosis_code_lookup(code)

    assert (found.billable, found.description) == (billable, description)
    assert found.status == ("billable" if billable else "header")
    assert found.code_set == "ICD-10-CM FY2026"


@pytest.mark.parametrize(
    "code", ["Z99.9", "R51.9", "A00.0", "F", "F50.9X", "Z91.0", "Z91.01", "Chapter 5", "F01-F09"]
)
def test_codes_outside_the_scope_are_unknown(code):
    assert diagnosis_code_lookup(code) is None


def test_the_scope_is_documented_with_a_reason_each():
    assert [root for root, _ in SCOPE] == [
        "5",
        "R41",
        "R44",
        "R45",
        "R46",
        "R78",
        "Z13.3",
        "Z55-Z65",
        "Z69",
        "Z70",
        "Z71",
        "Z72",
        "Z73",
        "Z81",
        "Z86.5",
        "Z91.1",
        "Z91.4",
        "Z91.5",
    ]
    assert all(why for _, why in SCOPE)


def test_search_by_code_then_by_words():
    assert normalize_code(" f331 ") == "F33.1"
    assert normalize_code("r45851") == "R45.851"
    assert [c.code for c in diagnosis_code_search("F41")][:3] == ["F41", "F41.0", "F41.1"]
    assert [c.code for c in diagnosis_code_search("z915")] == ["Z91.5", "Z91.51", "Z91.52"]
    assert "F43.10" in [c.code for c in diagnosis_code_search("post-traumatic stress")]
    assert [c.code for c in diagnosis_code_search("suicidal ideations")] == ["R45.85", "R45.851"]
    assert diagnosis_code_search("") == []
    assert len(diagnosis_code_search("disorder", limit=5)) == 5


# --- on an assessment ---------------------------------------------------------------------


def _draft(clinic):
    referral = make_referral(clinic)
    return services.assessment_start(actor=clinic.clinician_a, episode_id=referral.episode_id)


def _add(clinic, assessment, code, **kwargs):
    return services.assessment_diagnosis_add(
        actor=clinic.clinician_a, assessment_id=assessment.pk, code=code, **kwargs
    )


def _refused(clinic, assessment, code, **kwargs):
    with pytest.raises(ApplicationError) as caught:
        _add(clinic, assessment, code, **kwargs)
    return caught.value.field_errors


def test_a_billable_code_is_stored_with_its_code_set(clinic):
    assessment = _draft(clinic)

    diagnosis = _add(clinic, assessment, "f5020")

    assert (diagnosis.code, diagnosis.description, diagnosis.code_set, diagnosis.primary) == (
        "F50.20",
        "Bulimia nervosa, unspecified",
        "ICD-10-CM FY2026",
        True,
    )
    assert AuditEvent.objects.filter(
        object_type="intake_assessment", detail__added_diagnosis="F50.20"
    ).exists()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        pytest.param(
            "F50.2",
            "F50.2 (Bulimia nervosa) is a header, not a billable code; choose a code under it, "
            "such as F50.20, F50.21, F50.22, F50.23, F50.24, F50.25.",
            id="F50.2 header",
        ),
        pytest.param(
            "Z91.5",
            "Z91.5 (Personal history of self-harm) is a header, not a billable code; choose a "
            "code under it, such as Z91.51, Z91.52.",
            id="Z91.5 header",
        ),
        pytest.param(
            "Z99.9",
            "Z99.9 is not an ICD-10-CM code Stepwell offers: chapter 5 (F01-F99) and the Z and "
            "R codes an IOP uses.",
            id="outside the scope",
        ),
        pytest.param(
            " ",
            "This is not an ICD-10-CM code Stepwell offers: chapter 5 (F01-F99) and the Z and "
            "R codes an IOP uses.",
            id="blank",
        ),
    ],
)
def test_headers_and_unknown_codes_are_refused_with_a_field_error(clinic, code, message):
    assessment = _draft(clinic)

    assert _refused(clinic, assessment, code) == {"code": message}
    assert AssessmentDiagnosis.objects.count() == 0


def test_z_and_r_codes_are_further_diagnoses_never_primary(clinic):
    assessment = _draft(clinic)

    suicidal = _add(clinic, assessment, "R45.851")
    family = _add(clinic, assessment, "Z63.0")
    depression = _add(clinic, assessment, "F33.1")

    assert (suicidal.primary, family.primary, depression.primary) == (False, False, True)
    assert _refused(clinic, assessment, "Z59.00", primary=True) == {
        "primary": (
            "Z59.00 is a factor influencing health status code; the primary diagnosis is a "
            "mental or behavioural disorder (F01-F99). Add it as a further diagnosis."
        )
    }
    assert _refused(clinic, assessment, "R45.851", primary=True) == {
        "primary": (
            "R45.851 is a symptom or sign code; the primary diagnosis is a mental or "
            "behavioural disorder (F01-F99). Add it as a further diagnosis."
        )
    }


def test_a_new_primary_replaces_the_old_and_removal_promotes_the_next_f_code(clinic):
    assessment = _draft(clinic)
    anxiety = _add(clinic, assessment, "F41.1")
    _add(clinic, assessment, "Z63.0")
    alcohol = _add(clinic, assessment, "F10.20", primary=True)
    anxiety.refresh_from_db()
    assert (anxiety.primary, alcohol.primary) == (False, True)

    services.assessment_diagnosis_remove(
        actor=clinic.clinician_a, assessment_id=assessment.pk, diagnosis_id=alcohol.pk
    )

    assert list(assessment.diagnoses.filter(primary=True).values_list("code", flat=True)) == [
        "F41.1"
    ]


def test_signing_needs_a_primary_mental_or_behavioural_diagnosis(clinic):
    referral = make_referral(clinic)
    assessment = complete_assessment(clinic, referral, sign=False)
    depression = assessment.diagnoses.get()
    _add(clinic, assessment, "Z59.00")
    services.assessment_diagnosis_remove(
        actor=clinic.clinician_a, assessment_id=assessment.pk, diagnosis_id=depression.pk
    )

    with pytest.raises(ApplicationError) as caught:
        services.assessment_sign(actor=clinic.clinician_a, assessment_id=assessment.pk)

    assert caught.value.field_errors == {
        "diagnoses": (
            "Add a mental or behavioural diagnosis (F01-F99) as the primary diagnosis before "
            "signing."
        )
    }


def test_a_diagnosis_stored_from_the_old_list_keeps_working(client, clinic):
    """Stored before the CMS release: no code set, a code that is now a header."""
    referral = make_referral(clinic)
    assessment = complete_assessment(clinic, referral, sign=False)
    legacy = AssessmentDiagnosis.objects.create(
        assessment=assessment, code="F50.2", description="Bulimia nervosa"
    )
    services.assessment_sign(actor=clinic.clinician_a, assessment_id=assessment.pk)
    verified_login(client, clinic.clinician_a)

    page = client.get(f"/intake/assessments/{assessment.pk}/").content.decode()
    api = client.get(f"/api/v1/intake/assessments/{assessment.pk}").json()

    assert "<strong>F50.2</strong> Bulimia nervosa" in page
    assert "code set not recorded" in page
    assert ("A header in ICD-10-CM FY2026: choose a billable code under it before billing.") in page
    assert '<span class="muted" data-testid="code-set">ICD-10-CM FY2026</span>' in page
    assert {
        "id": legacy.pk,
        "code": "F50.2",
        "description": "Bulimia nervosa",
        "code_set": "",
        "primary": False,
    } in api["diagnoses"]


def test_the_code_search_api_gives_status_and_code_set(client, clinic):
    verified_login(client, clinic.clinician_a)

    found = client.get("/api/v1/intake/diagnosis-codes?q=F50.2").json()

    assert found[:2] == [
        {
            "code": "F50.2",
            "description": "Bulimia nervosa",
            "billable": False,
            "status": "header",
            "code_set": "ICD-10-CM FY2026",
        },
        {
            "code": "F50.20",
            "description": "Bulimia nervosa, unspecified",
            "billable": True,
            "status": "billable",
            "code_set": "ICD-10-CM FY2026",
        },
    ]


def test_the_code_set_names_its_release():
    assert (code_set().name, code_set().release) == ("ICD-10-CM FY2026", "April 1, 2026")
