from django.urls import path

from . import views

app_name = "milestones"
urlpatterns = [
    path("mine/", views.portal_progress, name="portal-progress"),
    path("mine/sharing/", views.own_sharing, name="own-sharing"),
    path("patients/<id:patient_id>/", views.chart_section, name="chart"),
    path("patients/<id:patient_id>/record/", views.record, name="record"),
    path("patients/<id:patient_id>/sharing/", views.sharing, name="sharing"),
    path("patients/<id:patient_id>/compute/", views.compute, name="compute"),
    path("sessions/<id:occurrence_id>/", views.session_milestones, name="session"),
]
