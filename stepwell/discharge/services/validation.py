"""Checks the discharge services share: phone numbers and required text."""

from __future__ import annotations

import re

PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ().\-]+$")


def phone_error(value: str, *, required: bool = True) -> str | None:
    """Why a phone number is not one (None when it is): digits with spaces, dashes,
    dots or brackets, an optional leading +, 3 digits (988, 911) up to 15 (E.164)."""
    value = (value or "").strip()
    if not value:
        return "Give a phone number." if required else None
    if not PHONE_CHARACTERS.match(value):
        return "Use digits, spaces, dashes or brackets only (for example 555-0100)."
    digits = sum(ch.isdigit() for ch in value)
    if digits < 3 or digits > 15:
        return "A phone number has 3 to 15 digits."
    return None


def required_text(values: dict, names: dict[str, str]) -> dict[str, str]:
    """Field errors for each named field left blank, with its label."""
    return {
        name: f"Write the {label}."
        for name, label in names.items()
        if not str(values.get(name) or "").strip()
    }
