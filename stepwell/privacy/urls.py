from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [path("audit/", views.audit_list, name="audit")]
