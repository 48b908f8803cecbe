"""Which notes need a supervisor's co-signature: the author's licence decides.

An allow-list (docs/clinical-sources.md §4): a note needs a co-signature unless its author
holds a licence that practises independently, listed in the clinic's
`STEPWELL_INDEPENDENT_CREDENTIALS`. An unlisted or blank credential needs a co-signer,
and only someone who holds a listed licence co-signs (privacy.access.notes).
"""

from __future__ import annotations

from django.conf import settings


def credentials_held(user) -> set[str]:
    """The user's credentials as written ("LCSW, LCADC", "MD/PhD"), case-folded."""
    text = (user.credentials or "").replace(";", ",").replace("/", ",").replace(" ", ",")
    return {part.strip().casefold() for part in text.split(",") if part.strip()}


def credential_requires_cosign(user) -> bool:
    """True unless one of the user's credentials is on STEPWELL_INDEPENDENT_CREDENTIALS."""
    independent = {c.strip().casefold() for c in settings.STEPWELL_INDEPENDENT_CREDENTIALS}
    return not (independent & credentials_held(user))
