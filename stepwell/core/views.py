from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect


@login_required
def home(request):
    if request.user.is_patient_user:
        return redirect("portal:home")
    return redirect("patients:caseload")


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
