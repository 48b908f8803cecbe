from django.contrib import admin
from django.urls import include, path

from stepwell.api import api
from stepwell.core.views import healthz

urlpatterns = [
    path("", include("stepwell.core.urls")),
    path("", include("stepwell.patients.urls")),
    path("accounts/", include("stepwell.accounts.urls")),
    path("privacy/", include("stepwell.privacy.urls")),
    path("portal/", include("stepwell.portal.urls")),
    path("intake/", include("stepwell.intake.urls")),
    path("plans/", include("stepwell.plans.urls")),
    path("measures/", include("stepwell.measures.urls")),
    path("care/", include("stepwell.care.urls")),
    path("", include("stepwell.schedule.urls")),
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("setup/", admin.site.urls),
]
