"""gunicorn settings for the load test: the app is loaded once in the master before the
workers fork (stepwell/wsgi.py imports every view and freezes what it loaded), so no
worker spends the first minute of the run importing (the measured day starts warm, as a
server that has been up for a while)."""

preload_app = True
timeout = 60


def when_ready(server) -> None:
    from django.db import connections

    connections.close_all()  # no connection crosses the fork
