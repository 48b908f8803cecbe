"""The project's routes plus one view that fails with a patient's name in the error."""

from django.urls import path

from stepwell.urls import urlpatterns as project_urlpatterns


def fail(request):
    raise RuntimeError("could not load the chart of Avery Alder")


urlpatterns = [path("fail/", fail), *project_urlpatterns]
