from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from stepwell.accounts.views import admin_login_redirect, logout_view
from stepwell.api import api
from stepwell.core.views import healthz

# Clinic setup (/setup/) has no login, logout or password page of its own: those go
# through the one audited flow (password, TOTP, lockout) at /accounts/.
setup_account_routes = [
    path("setup/login/", admin_login_redirect, name="setup_login"),
    path("setup/logout/", logout_view, name="setup_logout"),
    path(
        "setup/password_change/",
        RedirectView.as_view(pattern_name="accounts:password_change"),
        name="setup_password_change",
    ),
    path(
        "setup/password_change/done/",
        RedirectView.as_view(pattern_name="core:home"),
        name="setup_password_change_done",
    ),
]

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
    path("billing/", include("stepwell.billing.urls")),
    path("reports/", include("stepwell.reports.urls")),
    path("meds/", include("stepwell.meds.urls")),
    path("consent/", include("stepwell.consent.urls")),
    path("messages/", include("stepwell.messaging.urls")),
    path("milestones/", include("stepwell.milestones.urls")),
    path("alumni/", include("stepwell.alumni.urls")),
    path("follow-ups/", include("stepwell.followups.urls")),
    path("", include("stepwell.schedule.urls")),
    path("", include("stepwell.discharge.urls")),
    path("api/v1/", api.urls),
    path("healthz", healthz, name="healthz"),
    *setup_account_routes,
    path("setup/", admin.site.urls),
]
