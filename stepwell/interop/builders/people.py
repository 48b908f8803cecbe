"""Patient, Practitioner and Organization (US Core profiles)."""

from __future__ import annotations

from stepwell.interop import codes

from .base import coding, concept, day, meta, narrative, reference


def patient_resource(patient, *, part2: bool) -> dict:
    """US Core Patient. Sex assigned at birth goes to the US Core birth-sex extension
    where it has a code, and to administrative gender, which US Core requires."""
    names = [
        {
            "use": "official",
            "family": patient.legal_last_name,
            "given": [patient.legal_first_name],
        }
    ]
    if patient.preferred_name:
        names.append(
            {"use": "usual", "family": patient.legal_last_name, "given": [patient.preferred_name]}
        )
    extensions = []
    birth_sex = codes.BIRTH_SEX.get(patient.sex_assigned_at_birth)
    if birth_sex:
        extensions.append({"url": codes.BIRTH_SEX_EXTENSION, "valueCode": birth_sex})
    if patient.gender_identity:
        extensions.append(
            {
                "url": codes.GENDER_IDENTITY_EXTENSION,
                "valueCodeableConcept": {"text": patient.gender_identity},
            }
        )
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone, "use": "home"})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    contact = []
    if patient.emergency_contact_name:
        contact.append(
            {
                "relationship": [
                    concept(
                        patient.emergency_contact_relationship,
                        coding(codes.ROLE_CODE_V2, "C", "Emergency Contact"),
                    )
                ],
                "name": {"text": patient.emergency_contact_name},
                "telecom": [{"system": "phone", "value": patient.emergency_contact_phone}]
                if patient.emergency_contact_phone
                else [],
            }
        )
    return {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "meta": meta("Patient", part2=part2),
        "extension": extensions,
        "identifier": [
            {
                "use": "usual",
                "type": concept("", coding(codes.IDENTIFIER_TYPE, "MR", "Medical record number")),
                "system": codes.MRN_SYSTEM,
                "value": patient.mrn,
            }
        ],
        "active": True,
        "name": names,
        "telecom": telecom,
        "gender": codes.ADMINISTRATIVE_GENDER.get(patient.sex_assigned_at_birth, "unknown"),
        "birthDate": day(patient.date_of_birth),
        "address": [{"text": patient.address}] if patient.address else [],
        "contact": contact,
    }


def staff_display(user) -> str:
    """Name and credentials; a staff member without a name is "Staff member N", never
    their login name."""
    name = user.get_full_name().strip() or f"Staff member {user.pk}"
    return f"{name}, {user.credentials}" if user.credentials else name


def practitioner_resource(user) -> dict:
    """US Core Practitioner. The identifier is Stepwell's staff number, never the login."""
    name = {
        "text": staff_display(user),
        "family": user.last_name or f"Staff member {user.pk}",
        "given": [user.first_name] if user.first_name else [],
    }
    return {
        "resourceType": "Practitioner",
        "id": str(user.pk),
        "meta": meta("Practitioner", part2=False),
        "identifier": [{"system": codes.STAFF_SYSTEM, "value": str(user.pk)}],
        "active": user.is_active,
        "name": [name],
        "qualification": [{"code": {"text": user.credentials}}] if user.credentials else [],
    }


def organization_id(organization) -> str:
    return f"org-{organization.pk}"


def program_organization_id(program) -> str:
    return f"program-{program.pk}"


def organization_resource(organization) -> dict:
    return {
        "resourceType": "Organization",
        "id": organization_id(organization),
        "meta": meta("Organization", part2=False),
        "identifier": [{"system": codes.ORGANIZATION_SYSTEM, "value": str(organization.pk)}],
        "active": True,
        "name": organization.name,
    }


def program_organization_resource(program) -> dict:
    """A program as an Organization, part of the clinic's organization. Whether it is a
    Part 2 program is said in its text: the program itself is not a patient record."""
    site = program.site
    text = f"{program.name} ({program.get_level_of_care_display()}) at {site.name}"
    if program.part2_program:
        text += "; a 42 CFR Part 2 program"
    return {
        "resourceType": "Organization",
        "id": program_organization_id(program),
        "meta": meta("Organization", part2=False),
        "text": narrative(text),
        "identifier": [{"system": codes.PROGRAM_SYSTEM, "value": str(program.pk)}],
        "active": True,
        "type": [{"text": "Behavioral health program"}],
        "name": f"{program.name}, {site.name}",
        "address": [{"text": site.address}] if site.address else [],
        "partOf": reference(
            "Organization", organization_id(site.organization), site.organization.name
        ),
    }
