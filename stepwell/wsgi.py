import os

from django.core.wsgi import get_wsgi_application

from stepwell.core.frames import in_roomy_frame

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stepwell.settings.production")
django_application = get_wsgi_application()


def application(environ, start_response):
    """Django's WSGI application, each request in a roomy frame: its calls do not map and
    unmap frame chunks all the time (stepwell/core/frames.py)."""
    return in_roomy_frame(django_application, environ, start_response)
