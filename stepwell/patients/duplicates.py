"""The duplicate check at registration: same legal name and date of birth.

It is no existence oracle (docs/clinical-sources.md §5, Part 2): a user learns only of
matches they may see. Every check is audited.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from stepwell.clinic.models import Program
from stepwell.core.errors import ApplicationError
from stepwell.privacy import access
from stepwell.privacy.audit import AuditAction, audit_record

from .models import Patient

DUPLICATE_FIELDS = ("legal_first_name", "legal_last_name", "date_of_birth")


class PossibleDuplicate(ApplicationError):
    """Same legal name and date of birth as a patient the user may see; confirm to go on.

    It lists only patients the user may see: a match in a program the user cannot see is
    never mentioned, not even counted (a substance-use program must not confirm that
    someone is its patient). See patient_duplicates_check.
    """

    def __init__(self, matches_visible: list[Patient]):
        parts = [f"{p.legal_name} ({p.mrn})" for p in matches_visible]
        super().__init__(
            "A patient with the same legal name and date of birth is already registered: "
            + "; ".join(parts)
            + ". Check that this is a different person, then confirm to register anyway.",
            field_errors={"confirm_not_duplicate": "Confirm this is a different person."},
        )
        self.matches_visible = matches_visible


def patient_possible_duplicates(
    *, legal_first_name: str, legal_last_name: str, date_of_birth: date
):
    return Patient.objects.filter(
        legal_first_name__iexact=legal_first_name.strip(),
        legal_last_name__iexact=legal_last_name.strip(),
        date_of_birth=date_of_birth,
    )


def patient_duplicates_check(
    *,
    actor,
    program: Program,
    data: dict,
    confirm_not_duplicate: bool = False,
) -> list[Patient]:
    """Look for a registered patient with the same legal name and date of birth.

    Says only what the user may see: matches the user may see are returned (and raise
    PossibleDuplicate until the user confirms); a match the user may not see is never
    mentioned and registration goes on as if there were none, so nobody learns that a
    person is another program's patient. Every check is audited: one event naming the
    matches shown, and for each match not shown an event about that patient, which the
    directors of its programs review; records are never linked across programs here.
    Returns the shown matches; does nothing when the name or birth date is missing.
    Called by the registering services once they checked that the actor registers
    patients in the program.
    """
    first, last = data.get("legal_first_name"), data.get("legal_last_name")
    try:
        born = Patient._meta.get_field("date_of_birth").to_python(data.get("date_of_birth"))
    except ValidationError:
        return []
    if not (isinstance(first, str) and isinstance(last, str) and isinstance(born, date)):
        return []
    matches = list(
        patient_possible_duplicates(
            legal_first_name=first, legal_last_name=last, date_of_birth=born
        ).order_by("pk")
    )
    visible = set(
        access.patients_visible_to(actor)
        .filter(pk__in=[m.pk for m in matches])
        .values_list("pk", flat=True)
    )
    shown = [m for m in matches if m.pk in visible]
    audit_record(
        user=actor,
        action=AuditAction.DUPLICATE_CHECK,
        object_type="patient",
        object_id="new",
        detail={
            "program_id": program.pk,
            "patients": [m.pk for m in shown],
            "confirmed": confirm_not_duplicate,
        },
    )
    for match in matches:
        if match.pk not in visible:
            audit_record(
                user=actor,
                action=AuditAction.DUPLICATE_CHECK,
                patient_id=match.pk,
                object_type="patient",
                object_id=match.pk,
                detail={"program_id": program.pk, "shown": False},
            )
    if shown and not confirm_not_duplicate:
        raise PossibleDuplicate(shown)
    return shown
