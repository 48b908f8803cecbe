from django.urls import path

from . import views

app_name = "patients"
urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("patients/new/", views.register, name="register"),
    path("patients/<int:patient_id>/", views.chart, name="chart"),
    path("patients/<int:patient_id>/care-team/", views.care_team_add, name="care_team_add"),
    path(
        "patients/<int:patient_id>/care-team/<int:member_id>/remove/",
        views.care_team_remove,
        name="care_team_remove",
    ),
    path("patients/<int:patient_id>/portal-invite/", views.portal_invite, name="portal_invite"),
    path("episodes/<int:episode_id>/transition/", views.transition, name="transition"),
]
