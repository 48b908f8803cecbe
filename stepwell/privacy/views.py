"""The audit trail page: filter and sort by every field, export as CSV."""

from __future__ import annotations

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import render

from stepwell.core.paging import uncounted_page

from .audit import AuditAction, AuditOutcome, named_patient_ids
from .selectors import (
    AUDIT_COLUMN_LABELS,
    EARLIEST_DAY,
    LATEST_DAY,
    SORT_CHOICES,
    SORT_ERROR,
    SORTABLE_FIELDS,
    AuditFilter,
    audit_detail_shown,
    audit_patients_shown,
    audit_trail_as_of,
)

DAY_RANGE = f"Choose a day between {EARLIEST_DAY} and {LATEST_DAY}."

AUDIT_PAGE_SIZE = 50
AS_OF_ERROR = "The page link's event number is not one; open the audit trail again."


# The filter's choices as callables: a form copies its fields for each request, and a
# field's list of choices with them (the action and sort lists were most of building the
# form, about 0.1 ms a page); a callable is copied by reference and read when shown.
_ACTIONS = [("", "Any"), *[(a.value, a.value) for a in AuditAction]]
_OUTCOMES = [("", "Any"), *[(o.value, o.value) for o in AuditOutcome]]
_SORTS = [(c, c) for c in SORT_CHOICES]


def _actions():
    return _ACTIONS


def _outcomes():
    return _OUTCOMES


def _sorts():
    return _SORTS


class AuditFilterForm(forms.Form):
    username = forms.CharField(required=False, label="User")
    patient_id = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, label="Patient (record id)"
    )
    action = forms.ChoiceField(required=False, choices=_actions)
    outcome = forms.ChoiceField(required=False, choices=_outcomes)
    object_type = forms.CharField(required=False, label="Record type")
    role = forms.CharField(required=False)
    client_address = forms.CharField(required=False, label="From address")
    date_from = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="From"
    )
    date_to = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="To"
    )
    # The trail as it stood at the first page (an event number), kept by the page links.
    as_of = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        widget=forms.HiddenInput,
        error_messages={
            key: AS_OF_ERROR for key in ("invalid", "min_value", "max_value", "max_digits")
        },
    )
    sort = forms.ChoiceField(
        required=False,
        choices=_sorts,
        error_messages={"invalid_choice": SORT_ERROR},
    )

    def clean(self):
        cleaned = super().clean()
        for name in ("date_from", "date_to"):
            day = cleaned.get(name)
            if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
                self.add_error(name, DAY_RANGE)
        return cleaned

    def criteria(self) -> AuditFilter:
        data = {k: v for k, v in self.cleaned_data.items() if v not in (None, "") and k != "as_of"}
        return AuditFilter(**data)


class _Echo:
    def write(self, value):
        return value


@login_required
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    invalid = form.is_bound and not form.is_valid()
    criteria = form.criteria() if form.is_bound and not invalid else AuditFilter()
    export = request.GET.get("format") == "csv" and not invalid
    as_of = form.cleaned_data.get("as_of") if form.is_bound and not invalid else None
    events, as_of = audit_trail_as_of(
        user=request.user, criteria=criteria, as_of=as_of, export=export
    )
    if export:
        return _csv_response(events, audit_patients_shown(user=request.user))
    if invalid:
        events = events.none()
    # The 50 rows as dicts of the table's columns (each a sortable one): no event records
    # are built for them.
    events = events.values(*SORTABLE_FIELDS)
    # Not counted: the trail grows with every request, and counting what a director may
    # review means a pass over every event naming a patient (1.7 s at 20,000 patients).
    page = uncounted_page(events, request.GET.get("page"), size=AUDIT_PAGE_SIZE)
    query = request.GET.copy()
    query.pop("sort", None)
    query.pop("page", None)
    query["as_of"] = as_of  # the page and sort links show the trail as this page does
    context = {
        "form": form,
        "page": page,
        "columns": [(field, AUDIT_COLUMN_LABELS[field]) for field in SORTABLE_FIELDS],
        "sort": criteria.sort,
        "base_query": query.urlencode(),
    }
    template = "privacy/audit.html#audit-table" if request.htmx else "privacy/audit.html"
    return render(request, template, context, status=400 if invalid else 200)


def _csv_response(events, shown: set[int]):
    """The events as CSV. A row naming a patient whose record holds 42 CFR Part 2 records
    carries the Part 2 label and the short notice in its last column (stepwell.consent)."""
    from stepwell.consent.notices import PART2_LABEL, PART2_SHORT_NOTICE
    from stepwell.consent.selectors import part2_patient_ids

    writer = csv.writer(_Echo())
    header = [*SORTABLE_FIELDS, "user_id", "detail", "hash", "label"]
    part2 = part2_patient_ids()
    label = f"{PART2_LABEL}: {PART2_SHORT_NOTICE}"

    def named(event) -> bool:
        ids = {event.patient_id} | (named_patient_ids(event.detail) & shown)
        return bool(ids & part2)

    def rows():
        yield writer.writerow(header)
        for e in events.iterator(chunk_size=1000):
            yield writer.writerow(
                [
                    e.seq,
                    e.occurred_at.isoformat(),
                    e.username,
                    e.role,
                    e.patient_id or "",
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.outcome,
                    e.client_address,
                    e.user_id or "",
                    audit_detail_shown(e.detail, shown),
                    e.hash,
                    label if named(e) else "",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="stepwell-audit.csv"'
    return response
