"""Treatment plans over JSON: the same services and access rules as the plan pages.

Refusals (403) and rule errors (400, with field errors) are answered by stepwell.api's
handlers; every operation declares them (core.api_schemas.responses).
"""

from ninja import Router

from . import drafts, reading, signing

router = Router(tags=["treatment plans"])
router.add_router("", reading.router)  # first: "/worklist" before "/{plan_id}"
router.add_router("", drafts.router)
router.add_router("", signing.router)

__all__ = ["router"]
