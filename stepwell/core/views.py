from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone


@login_required
def home(request):
    """Each role's home: the portal for a patient, setup for an administrator without a
    program role, otherwise the staff member's day (care.home)."""
    from stepwell.care.home import home_page, lands_on_setup

    if request.user.is_patient_user:
        return redirect("portal:home")
    if lands_on_setup(request.user):
        return redirect("admin:index")
    page = home_page(user=request.user, now=timezone.now())
    if page is None:
        return redirect("patients:caseload")
    return render(request, "core/home.html", {"page": page, "work": page.worklist})


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return JsonResponse(
            {"status": "error", "database": str(error.__class__.__name__)}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})
