from django.urls import path

from . import views

app_name = "meds"
urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("mine/", views.portal_adherence, name="mine"),
    path("patients/<id:patient_id>/", views.chart_section, name="chart"),
    path("patients/<id:patient_id>/medications/", views.medication_add, name="medication_add"),
    path("medications/<id:medication_id>/", views.medication_edit, name="medication"),
    path("patients/<id:patient_id>/allergies/", views.allergy_add, name="allergy_add"),
    path("patients/<id:patient_id>/addiction/", views.addiction_record, name="addiction"),
    path("patients/<id:patient_id>/visits/", views.visit_start, name="visit_start"),
    path("visits/<id:note_id>/", views.visit_page, name="visit"),
    path(
        "episodes/<id:episode_id>/reconciliations/",
        views.reconciliation_start,
        name="reconciliation_start",
    ),
    path(
        "reconciliations/<id:reconciliation_id>/",
        views.reconciliation_page,
        name="reconciliation",
    ),
    path("patients/<id:patient_id>/drug-tests/", views.drug_test_order, name="drug_test_order"),
    path("drug-tests/<id:test_id>/", views.drug_test_page, name="drug_test"),
    path("programs/<id:program_id>/testing/", views.testing_program, name="testing"),
]
