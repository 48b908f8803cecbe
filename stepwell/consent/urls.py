from django.urls import path

from . import views

app_name = "consent"
urlpatterns = [
    path("patients/<id:patient_id>/", views.patient_consents, name="patient"),
    path("patients/<id:patient_id>/consents/new/", views.consent_new, name="consent_new"),
    path("patients/<id:patient_id>/disclosures/new/", views.disclosure_new, name="disclose"),
    path("patients/<id:patient_id>/emergency/new/", views.emergency_new, name="emergency"),
    path("disclosures/<id:disclosure_id>/review/", views.emergency_review, name="emergency_review"),
    path("consents/<id:consent_id>/", views.consent_document, name="consent"),
    path("consents/<id:consent_id>/pdf/", views.consent_pdf, name="consent_pdf"),
    path("consents/<id:consent_id>/revoke/", views.consent_revoke, name="revoke"),
    path("consents/<id:consent_id>/sign/", views.consent_sign, name="sign"),
    path("disclosures/<id:disclosure_id>/", views.disclosure_document, name="disclosure"),
    path("amendments/<id:amendment_id>/decide/", views.amendment_decide, name="amendment_decide"),
    path("break-glass/", views.break_glass, name="break_glass"),
    path("break-glass/review/", views.break_glass_reviews, name="break_glass_reviews"),
    path("break-glass/<id:grant_id>/review/", views.break_glass_review, name="break_glass_review"),
    path("mine/", views.mine, name="mine"),
    path("mine/record/", views.own_record, name="own_record"),
]
