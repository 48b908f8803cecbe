from django.urls import path

from . import views

app_name = "followups"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("<id:follow_up_id>/phone/", views.phone, name="phone"),
    path("<id:follow_up_id>/send/", views.send, name="send"),
    path("patients/<id:patient_id>/chart/", views.chart_section, name="chart"),
    path("programs/<id:program_id>/settings/", views.policy, name="policy"),
    path("f/<str:token>/", views.link, name="link"),
]
