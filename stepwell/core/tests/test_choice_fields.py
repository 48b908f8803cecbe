"""A form's choice of records reads its choices in one query (core.forms.ModelChoiceField),
and every form of the project uses that field."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.models import ModelChoiceIterator

from stepwell.accounts.models import User
from stepwell.clinic.models import Program
from stepwell.core.forms import ListedChoiceIterator, ModelChoiceField, ModelMultipleChoiceField
from stepwell.testing.factories import ProgramFactory, UserFactory
from stepwell.testing.forms import project_forms

pytestmark = pytest.mark.django_db


class StaffForm(forms.Form):
    user = ModelChoiceField(queryset=User.objects.none(), label="Staff member")
    programs = ModelMultipleChoiceField(queryset=Program.objects.none(), required=False)


def _form() -> StaffForm:
    form = StaffForm()
    form.fields["user"].queryset = User.objects.order_by("username")
    form.fields["programs"].queryset = Program.objects.order_by("name")
    return form


def test_a_select_is_read_in_one_query_however_often_it_is_shown(django_assert_num_queries):
    people = [UserFactory(username=f"staff{n}") for n in range(3)]
    ProgramFactory(name="Evening IOP")
    form = _form()
    with django_assert_num_queries(2):  # one for each select, not a cursor's three
        first = str(form["user"]) + str(form["programs"])
        again = str(form["user"]) + str(form["programs"])
        counted = len(form.fields["user"].choices), len(form.fields["programs"].choices)
        assert form.fields["user"].choices and form.fields["programs"].choices
    assert first == again
    assert counted == (User.objects.count() + 1, Program.objects.count())
    for person in people:
        assert f'<option value="{person.pk}">{person}</option>' in first
    assert "Evening IOP" in first
    assert '<option value="" selected>---------</option>' in first


def test_a_select_shows_what_is_there_when_the_form_is_made():
    form = _form()
    late = UserFactory()
    # read when shown, not when the field was declared
    assert f'value="{late.pk}"' in str(form["user"])
    later = UserFactory()
    assert f'value="{later.pk}"' in str(_form()["user"])  # each form reads its own


def test_a_posted_choice_is_checked_against_the_queryset():
    person = UserFactory()
    form = StaffForm(data={"user": person.pk})
    form.fields["user"].queryset = User.objects.exclude(pk=person.pk)
    assert not form.is_valid()
    assert "user" in form.errors
    form = StaffForm(data={"user": person.pk})
    form.fields["user"].queryset = User.objects.all()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["user"] == person


def test_records_offered_read_already_are_shown_as_the_querysets_and_read_nothing(
    django_assert_num_queries,
):
    """A select given its queryset's records read already (offer: the chart's care-team
    candidates, kept compiled) shows what the queryset would, reading nothing; a choice
    sent is still checked against the queryset; a queryset set again is read again."""
    people = [UserFactory(username=f"staff{n}") for n in range(3)]
    staff = User.objects.filter(pk__in=[p.pk for p in people]).order_by("username")
    shown = str(_form_of(staff)["user"])
    offered, read = StaffForm(), list(staff)
    with django_assert_num_queries(0):
        offered.fields["user"].offer(staff, read)
        assert str(offered["user"]) == shown
        assert len(offered.fields["user"].choices) == len(people) + 1
    posted = StaffForm(data={"user": people[0].pk})
    posted.fields["user"].offer(staff.exclude(pk=people[0].pk), list(staff))
    assert not posted.is_valid() and "user" in posted.errors
    posted = StaffForm(data={"user": people[1].pk})
    posted.fields["user"].offer(staff, list(staff))
    assert posted.is_valid() and posted.cleaned_data["user"] == people[1]
    offered.fields["user"].queryset = staff.filter(pk=people[2].pk)  # offered no longer
    assert offered.fields["user"].listed is None
    assert str(offered["user"]).count("<option") == 2
    assert StaffForm().fields["user"].listed is None  # each form its own


def _form_of(staff) -> StaffForm:
    form = StaffForm()
    form.fields["user"].queryset = staff
    return form


def test_every_form_of_the_project_reads_its_choices_in_one_query():
    checked = []
    for form in project_forms():
        for name, field in form.base_fields.items():
            if isinstance(field, forms.ModelChoiceField):
                assert field.iterator is not ModelChoiceIterator, (
                    f"{form.__module__}.{form.__name__}.{name}: use "
                    "stepwell.core.forms.ModelChoiceField (its choices in one query)"
                )
                assert issubclass(field.iterator, ListedChoiceIterator)
                checked.append(f"{form.__name__}.{name}")
    assert "CareTeamForm.user" in checked
    assert len(checked) >= 10
