"""Reads about the clinic's structure."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Program


def programs_of_staff(*, user) -> QuerySet[Program]:
    if not user.is_authenticated or user.is_patient_user:
        return Program.objects.none()
    return Program.objects.filter(memberships__user=user).order_by("name")


def timezone_for_user(*, user) -> str | None:
    """The zone to show times in: the user's first program, or the patient's program; for
    staff of no program, the clinic's first program."""
    cached = getattr(user, "_stepwell_zone", False)
    if cached is not False:
        return cached
    if user.is_patient_user:
        # The program of the patient's latest episode (through Program's reverse relation,
        # so clinic does not import patients).
        zone = (
            Program.objects.filter(episodes__patient__user=user)
            .order_by("-episodes__created_at")
            .values_list("timezone", flat=True)
            .first()
        )
    else:
        zone = programs_of_staff(user=user).values_list("timezone", flat=True).first()
        if zone is None and user.is_active and not user.is_patient_user:
            # Staff of no program (an administrator on setup): the clinic's zone, that of
            # its first program, so setup shows times as the clinic reads them.
            zone = Program.objects.order_by("pk").values_list("timezone", flat=True).first()
    user._stepwell_zone = zone
    return zone
