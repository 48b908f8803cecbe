from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:name>/", views.report, name="report"),
    path("<slug:name>/csv/", views.report_csv_download, name="csv"),
    path("<slug:name>/pdf/", views.report_pdf, name="pdf"),
]
