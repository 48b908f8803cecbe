from django.urls import path

from . import authorization_views as auth
from . import coverage_views, remit_views, views

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
    path(
        "coverages/<id:coverage_id>/eligibility/",
        auth.eligibility_record,
        name="eligibility_record",
    ),
    path("programs/<id:program_id>/reviews/", auth.review_worklist, name="reviews"),
    path(
        "patients/<id:patient_id>/authorizations/",
        auth.patient_authorizations,
        name="patient_authorizations",
    ),
    path(
        "patients/<id:patient_id>/authorizations/new/",
        auth.authorization_new,
        name="authorization_new",
    ),
    path("authorizations/<id:authorization_id>/", auth.authorization_edit, name="authorization"),
    path(
        "authorizations/<id:authorization_id>/reviews/",
        auth.review_schedule,
        name="review_schedule",
    ),
    path("reviews/<id:review_id>/", auth.review_outcome, name="review"),
    path("reviews/<id:review_id>/summary/", auth.review_summary, name="review_summary"),
    path("reviews/<id:review_id>/summary.pdf", auth.review_summary_pdf, name="review_summary_pdf"),
    path(
        "programs/<id:program_id>/remittances/",
        remit_views.remittance_upload,
        name="remittance_upload",
    ),
    path("remittances/<id:remittance_id>/", remit_views.remittance, name="remittance"),
    path("claim/<id:claim_id>/void/", remit_views.claim_void, name="claim_void"),
    path("claim/<id:claim_id>/correct/", remit_views.claim_correct, name="claim_correct"),
    path("claim/<id:claim_id>/secondary/", remit_views.claim_secondary, name="claim_secondary"),
]
