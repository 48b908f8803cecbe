from django.urls import path

from . import contact_views, views

app_name = "patients"
urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("patients/new/", views.register, name="register"),
    path("patients/<id:patient_id>/", views.chart, name="chart"),
    path("patients/<id:patient_id>/care-team/", views.care_team_add, name="care_team_add"),
    path(
        "patients/<id:patient_id>/care-team/<id:member_id>/remove/",
        views.care_team_remove,
        name="care_team_remove",
    ),
    path("patients/<id:patient_id>/portal-invite/", views.portal_invite, name="portal_invite"),
    path("episodes/<id:episode_id>/transition/", views.transition, name="transition"),
    path("patients/<id:patient_id>/details/", views.details_edit, name="details_edit"),
    path("patients/<id:patient_id>/contacts/new/", contact_views.contact_add, name="contact_add"),
    path("contacts/<id:contact_id>/", contact_views.contact_edit, name="contact_edit"),
    path("contacts/<id:contact_id>/remove/", contact_views.contact_remove, name="contact_remove"),
]
