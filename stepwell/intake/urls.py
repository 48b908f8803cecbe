from django.urls import path

from .views import assessments, availability, placement, referrals

app_name = "intake"
urlpatterns = [
    path("referrals/", referrals.board, name="board"),
    path("patients/<id:patient_id>/availability/", availability.availability, name="availability"),
    path(
        "patients/<id:patient_id>/availability/<id:window_id>/remove/",
        availability.availability_remove,
        name="availability_remove",
    ),
    path("referrals/new/", referrals.referral_new, name="referral_new"),
    path("referrals/<id:referral_id>/", referrals.referral_detail, name="referral"),
    path(
        "referrals/<id:referral_id>/contact/", referrals.referral_contact, name="referral_contact"
    ),
    path("referrals/<id:referral_id>/move/", referrals.referral_move, name="referral_move"),
    path(
        "episodes/<id:episode_id>/assessment/",
        assessments.assessment_start,
        name="assessment_start",
    ),
    path("assessments/<id:assessment_id>/", assessments.assessment_detail, name="assessment"),
    path(
        "assessments/<id:assessment_id>/sign/", assessments.assessment_sign, name="assessment_sign"
    ),
    path("assessments/<id:assessment_id>/addenda/", assessments.addendum_add, name="addendum_add"),
    path(
        "assessments/<id:assessment_id>/diagnoses/",
        assessments.diagnosis_add,
        name="diagnosis_add",
    ),
    path(
        "assessments/<id:assessment_id>/diagnoses/<id:diagnosis_id>/remove/",
        assessments.diagnosis_remove,
        name="diagnosis_remove",
    ),
    path(
        "assessments/<id:assessment_id>/previous-treatment/",
        assessments.previous_treatment_add,
        name="previous_treatment_add",
    ),
    path(
        "assessments/<id:assessment_id>/previous-treatment/<id:treatment_id>/remove/",
        assessments.previous_treatment_remove,
        name="previous_treatment_remove",
    ),
    path("assessments/<id:assessment_id>/availability/", assessments.window_add, name="window_add"),
    path(
        "assessments/<id:assessment_id>/availability/<id:window_id>/remove/",
        assessments.window_remove,
        name="window_remove",
    ),
    path("assessments/<id:assessment_id>/placement/", placement.placement, name="placement"),
    path("placement-decisions/<id:decision_id>/", placement.decision, name="decision"),
    path("diagnosis-codes/", assessments.diagnosis_codes, name="diagnosis_codes"),
]
