from django.urls import path

from . import views

app_name = "discharge"
urlpatterns = [
    path("episodes/<id:episode_id>/discharge/", views.episode, name="episode"),
    path("patients/<id:patient_id>/discharge/", views.patient, name="patient"),
    path(
        "episodes/<id:episode_id>/discharge/summary/draft",
        views.summary_draft,
        name="summary_draft",
    ),
    path("episodes/<id:episode_id>/discharge/summary", views.summary_save, name="summary_save"),
    path(
        "episodes/<id:episode_id>/discharge/summary/sign", views.summary_sign, name="summary_sign"
    ),
    path(
        "episodes/<id:episode_id>/discharge/summary/addenda",
        views.summary_addendum,
        name="summary_addendum",
    ),
    path("episodes/<id:episode_id>/aftercare/start", views.plan_start, name="plan_start"),
    path("episodes/<id:episode_id>/aftercare", views.plan_save, name="plan_save"),
    path("episodes/<id:episode_id>/aftercare/contacts", views.contact_add, name="contact_add"),
    path(
        "episodes/<id:episode_id>/aftercare/contacts/<id:contact_id>/remove",
        views.contact_remove,
        name="contact_remove",
    ),
    path(
        "episodes/<id:episode_id>/aftercare/appointments",
        views.appointment_add,
        name="appointment_add",
    ),
    path(
        "episodes/<id:episode_id>/aftercare/appointments/<id:appointment_id>/remove",
        views.appointment_remove,
        name="appointment_remove",
    ),
    path(
        "episodes/<id:episode_id>/aftercare/sign-on-paper",
        views.plan_sign_on_paper,
        name="plan_sign_on_paper",
    ),
    path("episodes/<id:episode_id>/discharge-summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("episodes/<id:episode_id>/aftercare-plan.pdf", views.aftercare_pdf, name="aftercare_pdf"),
    path("portal/aftercare/", views.portal_aftercare, name="portal-aftercare"),
    path("portal/aftercare/sign", views.portal_aftercare_sign, name="portal-aftercare-sign"),
    path("discharge/programs/", views.programs, name="programs"),
    path("discharge/programs/<id:program_id>/", views.directory, name="directory"),
    path(
        "discharge/programs/<id:program_id>/support-groups",
        views.support_group_add,
        name="support_group_add",
    ),
    path(
        "discharge/programs/<id:program_id>/support-groups/<id:group_id>/deactivate",
        views.support_group_deactivate,
        name="support_group_deactivate",
    ),
    path("discharge/programs/<id:program_id>/policy", views.policy_save, name="policy_save"),
]
