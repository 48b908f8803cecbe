"""Who may certify as physician, and what the certification says. No Django import.

Medicare's certification and recertification of the need for intensive outpatient care
are made by a physician (42 CFR 424.24), that is a doctor of medicine (MD) or of
osteopathy (DO); a nurse practitioner, physician assistant or other prescriber cannot
sign in the physician's place (docs/clinical-sources.md §2.1). The physician states
that the patient needs at least 9 hours of services a week; the statement is versioned
so a stored certification keeps the exact words that were attested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PHYSICIAN_DEGREES = frozenset({"MD", "DO"})
_PARENTHESES = re.compile(r"\([^)]*\)")
_SEPARATORS = re.compile(r"[\s,;/|+&-]+")


def credential_parts(credentials: str) -> tuple[str, ...]:
    """The separate credentials in a free-text field: "M.D., Ph.D." -> ("MD", "PHD").

    Text in parentheses is left out ("NP (supervised by an MD)" is an NP's credential).
    """
    text = _PARENTHESES.sub(" ", credentials or "").replace(".", "").upper()
    return tuple(part for part in _SEPARATORS.split(text) if part)


def is_physician(credentials: str) -> bool:
    """True when one of the credentials is MD or DO."""
    return any(part in PHYSICIAN_DEGREES for part in credential_parts(credentials))


def physician_refusal(credentials: str) -> str:
    """Why someone without an MD or DO credential cannot sign as physician."""
    held = (credentials or "").strip()
    which = (
        f"Your credential ({held}) is" if held else "No credential is recorded for you, so you are"
    )
    return (
        f"{which} not a physician's. Medicare certification needs a physician (MD or DO); "
        "a nurse practitioner or physician assistant cannot sign as physician."
    )


@dataclass(frozen=True)
class CertificationStatement:
    version: str
    certification: str
    recertification: str

    def text_for(self, kind: str) -> str:
        return self.recertification if kind == "recertification" else self.certification


NINE_HOURS_STATEMENT = CertificationStatement(
    version="stepwell-iop-certification-2027.1",
    certification=(
        "I certify that this patient needs intensive outpatient services for at least "
        "9 hours a week, that the services are furnished under this individualized written "
        "plan of treatment, which I have reviewed, and that the patient is under a "
        "physician's care."
    ),
    recertification=(
        "I recertify that this patient still needs intensive outpatient services for at "
        "least 9 hours a week, that the services are furnished under this individualized "
        "written plan of treatment, which I have reviewed, and that the patient is under a "
        "physician's care."
    ),
)
