from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("episodes/<int:episode_id>/", views.plan_start, name="start"),
    path("<int:plan_id>/", views.plan_detail, name="plan"),
    path("<int:plan_id>/problems/", views.problem_add, name="problem_add"),
    path("problems/<int:problem_id>/goals/", views.goal_add, name="goal_add"),
    path("goals/<int:goal_id>/objectives/", views.objective_add, name="objective_add"),
    path("goals/<int:goal_id>/interventions/", views.intervention_add, name="intervention_add"),
    path("items/<str:kind>/<int:item_id>/remove/", views.item_remove, name="item_remove"),
    path("<int:plan_id>/sign/<str:role>/", views.plan_sign, name="sign"),
    path("<int:plan_id>/recertify/", views.recertify, name="recertify"),
    path("<int:plan_id>/revise/", views.revise, name="revise"),
    path("<int:plan_id>/reviews/", views.review, name="review"),
    path("objectives/<int:objective_id>/status/", views.objective_status, name="objective_status"),
]
