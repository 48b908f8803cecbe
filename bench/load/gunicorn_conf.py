"""gunicorn settings for the load test: the app, its URLs and views are imported once in
the master before the workers fork, so no worker spends the first minute of the run
importing (the measured day starts warm, as a server that has been up for a while)."""

preload_app = True
timeout = 60


def when_ready(server) -> None:
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    connections.close_all()  # no connection crosses the fork
