"""The audit trail's rows written by the audit_rows tag are the rows the template loop
it replaced wrote, through Django's own template engine (its `date` filter and `url`
tag), for any events in any time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.template import Context, Engine, engines
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from stepwell.core.converters import MAX_RECORD_ID

# The loop the page had, rendered by a plain Django engine (Django's builtins).
REPLACED = """{% load l10n %}{% localize off %}{% for e in page %}
  <tr><td>{{ e.seq }}</td><td>{{ e.occurred_at|date:"Y-m-d H:i:s T" }}</td><td>{{ e.username|default:"—" }}</td><td>{{ e.role }}</td><td>{% if e.patient_id %}<a href="{% url 'patients:chart' e.patient_id %}">{{ e.patient_id }}</a>{% endif %}</td><td>{{ e.action }}</td><td>{{ e.object_type }}</td><td>{{ e.object_id }}</td><td>{{ e.outcome }}</td><td>{{ e.client_address }}</td></tr>
  {% endfor %}{% endlocalize %}"""
DJANGO = Engine(libraries={"l10n": "django.templatetags.l10n"})

ZONES = ["America/Chicago", "Europe/London", "Asia/Kathmandu", "Australia/Lord_Howe", "UTC"]
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
# Marks the escaping must handle, often.
marked = st.one_of(texts, st.sampled_from(["", "<b>", "a&b", '"q"', "it's", "—", "{{ x }}"]))
ids = st.integers(min_value=1, max_value=2**63 - 1)
patient_ids = st.integers(min_value=1, max_value=MAX_RECORD_ID)  # what a chart's address takes
events = st.fixed_dictionaries(
    {
        "seq": ids,
        "occurred_at": st.datetimes(
            min_value=dt.datetime(1900, 1, 2),
            max_value=dt.datetime(9998, 12, 30),
            timezones=st.just(dt.UTC),
        ),
        "username": marked,
        "role": marked,
        "patient_id": st.one_of(st.none(), patient_ids),
        "action": marked,
        "object_type": marked,
        "object_id": marked,
        "outcome": marked,
        "client_address": marked,
    }
)


def _request():
    return RequestFactory().get("/privacy/audit/")


@settings(max_examples=150, deadline=None)
@given(page=st.lists(events, max_size=4), zone=st.sampled_from(ZONES), grouped=st.booleans())
def test_rows_are_the_template_loops_rows(page, zone, grouped):
    from django.conf import settings as django_settings

    request = _request()
    mine = engines["django"].from_string("{% load audit_rows %}{% audit_rows page %}")
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        old = django_settings.USE_THOUSAND_SEPARATOR
        django_settings.USE_THOUSAND_SEPARATOR = grouped  # numbers stay as stored either way
        try:
            expected = DJANGO.from_string(REPLACED).render(Context({"page": page}))
            written = mine.render({"page": page}, request)
        finally:
            django_settings.USE_THOUSAND_SEPARATOR = old
    assert written == expected


def test_an_autumn_hour_shown_twice_is_written_as_django_writes_it():
    """The hour Chicago's clock shows twice (Django's filter then writes no zone name)."""
    page = [
        {
            "seq": 7,
            "occurred_at": dt.datetime(2026, 11, 1, hour, 30, tzinfo=dt.UTC),
            "username": None,
            "role": "clinician",
            "patient_id": 12,
            "action": "view",
            "object_type": "patient",
            "object_id": "12",
            "outcome": "allowed",
            "client_address": "10.0.0.1",
        }
        for hour in (6, 7)  # 01:30 CDT, then 01:30 CST
    ]
    mine = engines["django"].from_string("{% load audit_rows %}{% audit_rows page %}")
    with timezone.override(zoneinfo.ZoneInfo("America/Chicago")):
        expected = DJANGO.from_string(REPLACED).render(Context({"page": page}))
        written = mine.render({"page": page}, _request())
    assert written == expected
    assert "<td>—</td>" in written and '<a href="/patients/12/">12</a>' in written
