from django.conf import settings


def stepwell(request):
    user = getattr(request, "user", None)
    roles: set[str] = set()
    if user is not None and user.is_authenticated:
        roles = user.role_keys()
    return {
        "STEPWELL_DEMO": settings.STEPWELL_DEMO,
        "user_roles": roles,
        "session_idle_minutes": settings.SESSION_IDLE_MINUTES,
    }
