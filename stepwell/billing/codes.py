"""The codes a service of the program is billed under. No Django.

A patient's day is made of services: group psychotherapy, a multiple-family group,
psychoeducation, individual psychotherapy and medication management. Each maps to a
procedure code where one applies (docs/clinical-sources.md §2.2 and §2.4):

- **Group psychotherapy** (process and skills groups): CPT 90853, one unit per patient per
  session.
- **Multiple-family group psychotherapy**: CPT 90849. *secondary*.
- **Individual psychotherapy** is time-based: 90832 for 16-37 minutes, 90834 for 38-52,
  90837 for 53 or more; under 16 minutes it is not billed.
- **Psychoeducation** (training and education about the patient's condition in an
  intensive program): HCPCS G0177. *unverified*: it is Stepwell's default, shown as such.
- **Medication management** has no code here: its evaluation-and-management code depends
  on the prescriber's medical decision-making, not on minutes, and it is billed by the
  prescriber on a professional claim. It still counts toward a day's minutes.

Alumni groups are not treatment of the episode and are never billed.

The revenue code of an institutional claim line follows the program: psychiatric
intensive outpatient (the payer's mental-health code, 0905 by default) or chemical
dependency intensive outpatient (its substance-use code, 0906 by default). Both defaults
are *unverified* (sources conflict, §2.1), so every payer keeps its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ServiceKind(StrEnum):
    GROUP = "group"
    FAMILY = "family"
    PSYCHOEDUCATION = "psychoeducation"
    INDIVIDUAL = "individual"
    MEDICATION = "medication"


SERVICE_LABELS = {
    ServiceKind.GROUP: "Group psychotherapy",
    ServiceKind.FAMILY: "Multiple-family group",
    ServiceKind.PSYCHOEDUCATION: "Psychoeducation",
    ServiceKind.INDIVIDUAL: "Individual psychotherapy",
    ServiceKind.MEDICATION: "Medication management",
}

# The schedule's session kinds and appointment kinds as services; None: never billed.
SESSION_SERVICES: dict[str, ServiceKind | None] = {
    "process_group": ServiceKind.GROUP,
    "skills_group": ServiceKind.GROUP,
    "psychoeducation": ServiceKind.PSYCHOEDUCATION,
    "family_group": ServiceKind.FAMILY,
    "alumni_group": None,
    "individual": ServiceKind.INDIVIDUAL,
    "medication": ServiceKind.MEDICATION,
}

INDIVIDUAL_MIN_MINUTES = 16  # under this an individual session is not billed (§2.2)


@dataclass(frozen=True)
class ServiceCode:
    code: str  # "" when no code applies
    verified: bool
    why: str = ""  # when there is no code: why, in words


def individual_psychotherapy_code(minutes: int) -> str:
    """90832 for 16-37 minutes, 90834 for 38-52, 90837 for 53 or more; "" under 16
    (docs/clinical-sources.md §2.2)."""
    if minutes < INDIVIDUAL_MIN_MINUTES:
        return ""
    if minutes <= 37:
        return "90832"
    if minutes <= 52:
        return "90834"
    return "90837"


def service_code(kind: ServiceKind, minutes: int) -> ServiceCode:
    """The procedure code of one service of `minutes` attended minutes."""
    if kind == ServiceKind.GROUP:
        return ServiceCode("90853", verified=True)
    if kind == ServiceKind.FAMILY:
        return ServiceCode("90849", verified=False)
    if kind == ServiceKind.PSYCHOEDUCATION:
        return ServiceCode("G0177", verified=False)
    if kind == ServiceKind.INDIVIDUAL:
        code = individual_psychotherapy_code(minutes)
        why = "" if code else f"under {INDIVIDUAL_MIN_MINUTES} minutes: not billed"
        return ServiceCode(code, verified=True, why=why)
    return ServiceCode(
        "", verified=True, why="evaluation and management: the prescriber's own claim"
    )


SUBSTANCE_USE_DIAGNOSIS_PREFIXES = tuple(f"F{n}" for n in range(10, 20))


def is_substance_use_diagnosis(code: str) -> bool:
    """ICD-10-CM F10-F19: mental and behavioural disorders due to psychoactive substance
    use."""
    return code.upper().replace(".", "").startswith(SUBSTANCE_USE_DIAGNOSIS_PREFIXES)


def revenue_code_for(
    *, track: str, principal_diagnosis: str, mental_health_code: str, substance_use_code: str
) -> str:
    """The payer's substance-use revenue code for a substance-use program, and for a
    dual-diagnosis program when the principal diagnosis is a substance-use disorder; its
    mental-health code otherwise."""
    if track == "substance_use":
        return substance_use_code
    if track == "dual_diagnosis" and is_substance_use_diagnosis(principal_diagnosis):
        return substance_use_code
    return mental_health_code
