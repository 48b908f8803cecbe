from django.urls import path

from . import views

app_name = "billing"
urlpatterns = [
    path("", views.home, name="home"),
    path("programs/<id:program_id>/", views.weeks, name="weeks"),
    path("programs/<id:program_id>/claims/", views.claims_new, name="claims_new"),
    path("claims/<id:batch_id>/", views.batch, name="batch"),
    path("claims/<id:batch_id>/download/", views.download, name="download"),
]
