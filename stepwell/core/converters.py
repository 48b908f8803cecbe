"""The path converter for record ids in page URLs.

Django's `<int:...>` accepts any number of digits, so `/care/sessions/9223372036854775808/`
reached the database and overflowed its 64-bit integer column (a server error). Every
page route uses `<id:...>` instead: one to eighteen ASCII digits, always below the
largest 64-bit id, so a longer id simply matches no route (404).
"""

from __future__ import annotations

import re

MAX_RECORD_ID = 10**18 - 1


class RecordIdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int | str) -> str:
        number = int(value)
        if not 0 <= number <= MAX_RECORD_ID:
            raise ValueError(f"{value!r} is not a record id")
        return str(number)


_RECORD_ID = re.compile(RecordIdConverter.regex)


def record_id_or_none(value: str | None) -> int | None:
    """A record id typed into an address or a form ('12'), or None for anything else.

    Only ASCII digits count: int() also reads '٣' and '３', and 40 digits overflow the
    database's integer columns.
    """
    if not isinstance(value, str) or not _RECORD_ID.fullmatch(value):
        return None
    return int(value)
