from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("patients/<id:patient_id>/", views.chart_section, name="chart_section"),
    path("episodes/<id:episode_id>/", views.plan_start, name="start"),
    path("<id:plan_id>/", views.plan_detail, name="plan"),
    path("<id:plan_id>/problems/", views.problem_add, name="problem_add"),
    path("problems/<id:problem_id>/goals/", views.goal_add, name="goal_add"),
    path("goals/<id:goal_id>/objectives/", views.objective_add, name="objective_add"),
    path("goals/<id:goal_id>/interventions/", views.intervention_add, name="intervention_add"),
    path("items/<str:kind>/<id:item_id>/remove/", views.item_remove, name="item_remove"),
    path("items/<str:kind>/<id:item_id>/edit/", views.item_edit, name="item_edit"),
    path("<id:plan_id>/sign/<str:role>/", views.plan_sign, name="sign"),
    path("<id:plan_id>/recertify/", views.recertify, name="recertify"),
    path("<id:plan_id>/revise/", views.revise, name="revise"),
    path("<id:plan_id>/reviews/", views.review, name="review"),
    path("objectives/<id:objective_id>/status/", views.objective_status, name="objective_status"),
]
