"""Which query parameters a request's handling reads, so the extremes tests send only the
query strings that can change what a view does.

A view (with its middleware and template) that never reads a parameter runs exactly as it
would without it: each read answers as it did without the parameter, so the next read is
the same too. Sending ``?week=9999-W52`` to a page that reads no ``week`` only repeats the
request without it. Within :func:`recording_reads`, a request run with the query string
empty records every parameter asked for by name; any access that could depend on
parameters not named (iterating, copying or encoding ``request.GET``, reading the raw
query string or the full path) counts as reading them all.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

import django.test.client
from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.utils.functional import cached_property

ALL = "*"  # a read of every parameter


class Reads(set):
    def covers(self, names) -> bool:
        """Whether sending these parameters can change what the request does."""
        return ALL in self or any(name in self for name in names)


class _Recorded(QueryDict):
    """request.GET, recording reads once its ``reads`` is set (not while it is built)."""

    def _named(self, key):
        if (reads := self.__dict__.get("reads")) is not None:
            reads.add(key)

    def _everything(self):
        self._named(ALL)

    def __getitem__(self, key):
        self._named(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._named(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self._named(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._named(key)
        return super().getlist(key, default)


def _reads_everything(name: str) -> Callable:
    inherited = getattr(QueryDict, name)

    def method(self, *args, **kwargs):
        self._everything()
        return inherited(self, *args, **kwargs)

    return method


for _name in (
    "__iter__",
    "__len__",
    "__bool__",
    "__eq__",
    "__copy__",
    "__deepcopy__",
    "__reduce__",
    "keys",
    "items",
    "lists",
    "values",
    "dict",
    "copy",
    "urlencode",
):
    if hasattr(QueryDict, _name):
        setattr(_Recorded, _name, _reads_everything(_name))


class _Environ(dict):
    """request.META: reading the raw query string (as get_full_path does) reads every
    parameter. Going through all of META is not counted: request.headers does so on every
    request, for the HTTP_ names only."""

    reads: Reads

    def __getitem__(self, key):
        if key == "QUERY_STRING":
            self.reads.add(ALL)
        return super().__getitem__(key)

    def get(self, key, default=None):
        if key == "QUERY_STRING":
            self.reads.add(ALL)
        return super().get(key, default)


def _recording_request(reads: Reads) -> type[WSGIRequest]:
    class Recording(WSGIRequest):
        def __init__(self, environ):
            super().__init__(environ)
            meta = _Environ(self.META)
            meta.reads = reads
            self.META = self.environ = meta

        @cached_property
        def GET(self):
            query_string = dict.get(self.META, "QUERY_STRING", "")
            recorded = _Recorded(query_string, encoding=self._encoding)
            recorded.reads = reads
            return recorded

    return Recording


@contextmanager
def recording_reads():
    """Within it, the test client's requests record the parameters they read."""
    reads = Reads()
    original = django.test.client.WSGIRequest
    django.test.client.WSGIRequest = _recording_request(reads)
    try:
        yield reads
    finally:
        django.test.client.WSGIRequest = original
