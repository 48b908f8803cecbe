from django.urls import path

from . import patient_views, views

app_name = "measures"
urlpatterns = [
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<id:alert_id>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("patients/<id:patient_id>/record/", views.record, name="record"),
    path("patients/<id:patient_id>/send/", views.send, name="send"),
    path(
        "patients/<id:patient_id>/administrations/",
        views.administrations,
        name="administrations",
    ),
    path("q/<str:token>/", patient_views.questionnaire, name="questionnaire"),
    path("mine/", patient_views.my_questionnaires, name="mine"),
    path("mine/<id:administration_id>/", patient_views.my_questionnaire, name="my_questionnaire"),
]
