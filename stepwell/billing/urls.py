from django.urls import path

from . import coverage_views, views

app_name = "billing"
urlpatterns = [
    path("", views.home, name="home"),
    path("programs/<id:program_id>/", views.weeks, name="weeks"),
    path("programs/<id:program_id>/claims/", views.claims_new, name="claims_new"),
    path("claims/<id:batch_id>/", views.batch, name="batch"),
    path("claims/<id:batch_id>/download/", views.download, name="download"),
    path(
        "patients/<id:patient_id>/coverages/",
        coverage_views.patient_coverages,
        name="patient_coverages",
    ),
    path(
        "patients/<id:patient_id>/coverages/new/",
        coverage_views.coverage_add,
        name="coverage_add",
    ),
    path("coverages/<id:coverage_id>/", coverage_views.coverage_edit, name="coverage_edit"),
    path("coverages/<id:coverage_id>/end/", coverage_views.coverage_end, name="coverage_end"),
]
