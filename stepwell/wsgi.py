import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from stepwell.core.collection import freeze_loaded
from stepwell.core.frames import in_roomy_frame

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stepwell.settings.production")
django_application = get_wsgi_application()
# Every view module imported now, not on a worker's first requests; then what is loaded
# is frozen (stepwell/core/collection.py). Left alone, a worker's full collection walked
# its 210,000 objects in 120 to 180 ms, one request in 150 or so on the caseload, and
# every request queued behind it waited as long.
get_resolver().url_patterns  # noqa: B018
freeze_loaded()


def application(environ, start_response):
    """Django's WSGI application, each request in a roomy frame: its calls do not map and
    unmap frame chunks all the time (stepwell/core/frames.py)."""
    return in_roomy_frame(django_application, environ, start_response)
