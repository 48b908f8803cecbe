"""Who may see and do what: every access rule of Stepwell lives in this package.

- `predicates`: the shared conditions (active staff, roles per program, system actors).
- `conditions`: the ways into a patient scope (a program's episodes, the care team,
  emergency access, the own record), each answering as a database filter for lists and
  from one patient's facts for a page's rules about that patient.
- one module per area, each a set of `access_*` functions that fetch a record scoped from
  the acting user and check it in one call, raising an audited AccessDenied
  (privacy.refusals.refuse) when the user may not. Services call them first; edges never
  decide access themselves.

Deny by default: a rule grants, nothing else does. Each condition is on its own line so
every branch has its own test.
"""

from .audit import (
    access_audit_maintenance,
    access_audit_trail,
    audit_reviewable_patients,
    audit_scope_as_set,
    audit_scope_reviews,
    audit_scope_ways,
    audit_set_of,
    audit_ways_of,
)
from .patients import *  # noqa: F403
from .patients import __all__ as _patients_all

__all__ = [
    *_patients_all,
    "access_audit_maintenance",
    "access_audit_trail",
    "audit_scope_as_set",
    "audit_scope_reviews",
    "audit_scope_ways",
    "audit_set_of",
    "audit_ways_of",
    "audit_reviewable_patients",
]
