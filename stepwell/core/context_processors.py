from django.conf import settings
from django.utils.functional import SimpleLazyObject


def _safety_banner(request) -> list:
    from stepwell.measures.banner import safety_banner

    return safety_banner(request)


def stepwell(request):
    user = getattr(request, "user", None)
    roles: set[str] = set()
    if user is not None and user.is_authenticated:
        roles = user.role_keys()
    return {
        "STEPWELL_DEMO": settings.STEPWELL_DEMO,
        "user_roles": roles,
        "session_idle_minutes": settings.SESSION_IDLE_MINUTES,
        # Read (and audited) only when a page shows it: base.html's urgent safety banner.
        "safety_banner": SimpleLazyObject(lambda: _safety_banner(request)),
    }
