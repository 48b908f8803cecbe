"""Routes for the refusal-path tests: views that raise what a service would."""

from django.db import transaction
from django.urls import path

from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.privacy.refusals import refuse
from stepwell.urls import urlpatterns as site_urlpatterns


def refused_outside_transaction(request):
    raise refuse(actor=request.user, object_type="probe", object_id="outside")


def refused_inside_transaction(request):
    with transaction.atomic():
        raise refuse(actor=request.user, object_type="probe", object_id="inside")


def raised_bare(request):
    raise AccessDenied()


def rule_refused(request):
    raise ApplicationError("Not on a holiday.", field_errors={"day": "Closed: New Year."})


urlpatterns = [
    path("outside/", refused_outside_transaction),
    path("inside/", refused_inside_transaction),
    path("bare/", raised_bare),
    path("rule/", rule_refused),
    *site_urlpatterns,  # the page around the answer links to the rest of the site
]
