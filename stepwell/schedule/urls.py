from django.urls import path

from stepwell.schedule import views

app_name = "schedule"
urlpatterns = [
    path("schedule/", views.home, name="home"),
    path("schedule/<id:program_id>/", views.program_week_current, name="program_week_current"),
    path("schedule/<id:program_id>/<str:week>/", views.program_week, name="program_week"),
    path("schedule/<id:program_id>/<str:week>/book/", views.book, name="book"),
    path("schedule/<id:program_id>/<str:week>/optimize/", views.run_start, name="run_start"),
    path(
        "schedule/sessions/<id:occurrence_id>/cancel/",
        views.occurrence_cancel,
        name="occurrence_cancel",
    ),
    path("schedule/runs/<id:run_id>/", views.run_detail, name="run"),
    path("schedule/runs/<id:run_id>/accept/", views.run_accept, name="run_accept"),
    path(
        "schedule/patients/<id:patient_id>/",
        views.patient_week,
        name="patient_week_current",
    ),
    path("schedule/patients/<id:patient_id>/feed/", views.patient_feed, name="patient_feed"),
    path("schedule/patients/<id:patient_id>/<str:week>/", views.patient_week, name="patient_week"),
    path("schedule/staff/<id:user_id>/", views.staff_week, name="staff_week_current"),
    path("schedule/staff/<id:user_id>/feed/", views.staff_feed, name="staff_feed"),
    path("schedule/staff/<id:user_id>/<str:week>/", views.staff_week, name="staff_week"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
