from django.conf import settings


def _safety_banner(request) -> list:
    """The urgent safety banner of base.html (stepwell.measures.banner): computed once per
    request, before the template renders. It names no patient, so it audits nothing; an
    htmx fragment does not carry the banner, so it is not computed for one."""
    if getattr(request, "htmx", False):
        return []
    rows = getattr(request, "_safety_banner_rows", None)
    if rows is None:
        from stepwell.measures.banner import safety_banner

        user = getattr(request, "user", None)
        rows = safety_banner(user) if user is not None else []
        request._safety_banner_rows = rows
    return rows


def stepwell(request):
    user = getattr(request, "user", None)
    roles: set[str] = set()
    alumnus = False
    if user is not None and user.is_authenticated:
        roles = user.role_keys()
        if user.is_patient_user:  # navigation only: the alumni pages check for themselves
            from stepwell.alumni.selectors import lands_on_alumni

            alumnus = lands_on_alumni(user)
    return {
        "STEPWELL_DEMO": settings.STEPWELL_DEMO,
        "user_roles": roles,
        "is_alumnus": alumnus,
        "session_idle_minutes": settings.SESSION_IDLE_MINUTES,
        # What is left of this session (accounts.middleware.IdleSessionMiddleware).
        "session_idle_seconds": getattr(request, "idle_seconds_left", settings.SESSION_COOKIE_AGE),
        "safety_banner": _safety_banner(request),
    }
