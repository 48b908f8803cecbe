"""Claims on 5-minute slots: the database's guarantee against double booking."""

from __future__ import annotations

import math
import zoneinfo
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction

from stepwell.core.errors import ApplicationError
from stepwell.schedule.models import CLAIM_MINUTES, BookingClaim, ResourceType

EPOCH = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday; slots count from here


def slot_starts(starts_at: datetime, ends_at: datetime) -> list[datetime]:
    """Every 5-minute slot that [starts_at, ends_at) touches."""
    step = timedelta(minutes=CLAIM_MINUTES)
    first = math.floor((starts_at - EPOCH) / step)
    last = math.ceil((ends_at - EPOCH) / step)
    return [EPOCH + step * n for n in range(first, last)]


def describe_claim(claim: BookingClaim) -> str:
    """What holds the slot, at the program's local time (times are shown in its zone)."""
    booking = claim.appointment if claim.appointment_id else claim.occurrence
    local = booking.starts_at.astimezone(zoneinfo.ZoneInfo(booking.program.timezone))
    if claim.appointment_id:
        return f"{booking.get_kind_display().lower()} at {local:%a %H:%M}"
    return f"{booking.title} at {local:%a %H:%M}"


RESOURCE_FIELD = {
    ResourceType.PATIENT: "patient",
    ResourceType.STAFF: "staff",
    ResourceType.ROOM: "room",
}


def claims_create(
    *, resources: list[tuple[str, int, str]], starts_at: datetime, ends_at: datetime, **owner
) -> None:
    """Claim the slots of each (resource_type, resource_id, label); refuse with the reason.

    Checked first for a clear message, then inserted; the unique constraint settles races.
    """
    slots = slot_starts(starts_at, ends_at)
    for resource_type, resource_id, label in resources:
        clash = (
            BookingClaim.objects.select_related("appointment__program", "occurrence__program")
            .filter(resource_type=resource_type, resource_id=resource_id, slot_start__in=slots)
            .first()
        )
        if clash is not None:
            raise ApplicationError(
                f"{label} is already booked at that time ({describe_claim(clash)}).",
                field_errors={
                    RESOURCE_FIELD[resource_type]: f"Already booked: {describe_claim(clash)}."
                },
            )
    rows = [
        BookingClaim(resource_type=resource_type, resource_id=resource_id, slot_start=slot, **owner)
        for resource_type, resource_id, _ in resources
        for slot in slots
    ]
    try:
        with transaction.atomic():
            BookingClaim.objects.bulk_create(rows)
    except IntegrityError as error:
        raise ApplicationError(
            "Someone else booked the same time a moment ago; nothing was booked. Try again.",
            field_errors={"starts_at": "Booked by someone else at the same time."},
        ) from error
