"""Whether an instrument may be used now: known to Stepwell, and not switched off."""

from __future__ import annotations

from stepwell.core.errors import ApplicationError
from stepwell.measures.instruments import Instrument, UnknownInstrumentError

from .. import selectors


def known_instrument(key: str, version: str = "", *, field: str = "instrument") -> Instrument:
    """The instrument for ``key`` (that version when given); ApplicationError naming
    ``field`` when there is none."""
    try:
        return selectors.instrument_for(key, version or None)
    except UnknownInstrumentError:
        raise ApplicationError(
            f"Unknown instrument {key!r}.", field_errors={field: "Unknown instrument."}
        ) from None


def usable_instrument(key: str, *, field: str = "instrument") -> Instrument:
    """A known instrument the clinic has not switched off."""
    instrument = known_instrument(key, field=field)
    reason = selectors.instrument_unavailable_reason(instrument.key)
    if reason:
        raise ApplicationError(reason, field_errors={field: reason})
    return instrument
