"""Group-note addenda follow the signing rule on naming participants; the director's
read-only group note and the roster's walk-in list name in the audit trail every patient
they show."""

from __future__ import annotations

import pytest

from stepwell.care.models import NoteAddendum
from stepwell.care.notes import addenda
from stepwell.care.tests.conftest import AFTER, admitted_patient
from stepwell.care.tests.helpers import signed_group
from stepwell.core.errors import ApplicationError
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login


@pytest.fixture
def signed(clinic, group):
    return signed_group(clinic, group, now=AFTER)


@pytest.mark.parametrize(
    "text",
    ["Dana later said she felt unsafe.", "Spoke with DOGWOOD after group.", "dana's ride"],
)
def test_an_addendum_to_one_section_may_not_name_another_participant(clinic, group, signed, text):
    _, sections = signed
    with pytest.raises(ApplicationError) as refused:
        addenda.note_addendum_add(
            actor=clinic.clinician_a, note_id=sections[clinic.patient_a.pk].pk, text=text
        )
    assert "names another participant" in refused.value.field_errors["text"]
    assert NoteAddendum.objects.count() == 0


def test_an_addendum_to_one_section_may_name_its_own_patient(clinic, group, signed):
    _, sections = signed
    addendum = addenda.note_addendum_add(
        actor=clinic.clinician_a,
        note_id=sections[group.dana.pk].pk,
        text="Dana reported better sleep; a peer offered support.",
    )
    assert addendum.note_id == sections[group.dana.pk].pk
    assert addendum.group_note_id is None
    # It shows only in Dana's chart.
    assert list(sections[clinic.patient_a.pk].addenda.all()) == []


@pytest.mark.parametrize("name", ["Avery", "Dana", "Elmwood", "Alder"])
def test_an_addendum_to_the_shared_section_names_no_participant(clinic, group, signed, name):
    note, _ = signed
    with pytest.raises(ApplicationError) as refused:
        addenda.note_addendum_add(
            actor=clinic.clinician_a, group_note_id=note.pk, text=f"Correction: {name} left early."
        )
    assert "name no participant" in refused.value.field_errors["text"]
    assert NoteAddendum.objects.count() == 0


def test_a_shared_addendum_is_audited_for_every_participant(clinic, group, signed):
    note, _ = signed
    addendum = addenda.note_addendum_add(
        actor=clinic.clinician_a,
        group_note_id=note.pk,
        text="Correction: the group ended at 11:50, not 12:00.",
    )
    event = AuditEvent.objects.filter(action="addendum").latest("seq")
    assert event.detail == {
        "addendum": addendum.pk,
        "patients": sorted([clinic.patient_a.pk, group.dana.pk, group.emery.pk]),
    }


def test_a_participant_absent_from_the_group_is_also_protected(clinic, group, signed):
    """The roster, not only who attended: an absent participant is not named either."""
    from stepwell.care.models import Attendance

    Attendance.objects.filter(patient=group.emery).update(status="absent_unexcused")
    _, sections = signed
    with pytest.raises(ApplicationError):
        addenda.note_addendum_add(
            actor=clinic.clinician_a,
            note_id=sections[group.dana.pk].pk,
            text="Emery was missed in group.",
        )


def test_group_note_page_adds_an_addendum_to_one_section(client, clinic, group, signed):
    note, sections = signed
    verified_login(client, clinic.clinician_a)
    page = client.get(f"/care/sessions/{group.occurrence.pk}/note/").content.decode()
    assert 'data-testid="addendum-form"' in page
    assert f'<option value="{sections[group.dana.pk].pk}">' in page
    url = f"/care/sessions/{group.occurrence.pk}/note/addendum/"
    refused = client.post(
        url, {"section": sections[group.dana.pk].pk, "text": "Avery was upset."}, follow=True
    )
    assert "names another participant" in refused.content.decode()
    assert NoteAddendum.objects.count() == 0
    client.post(url, {"section": sections[group.dana.pk].pk, "text": "Dana phoned later."})
    client.post(url, {"section": "", "text": "The room changed at 10:00."})
    assert list(NoteAddendum.objects.values_list("note_id", "group_note_id")) == [
        (sections[group.dana.pk].pk, None),
        (None, note.pk),
    ]
    # A section that is not this group note's is refused, whatever the text.
    for unknown in ("999999999999999999999", "abc", str(sections[group.dana.pk].pk + 999)):
        response = client.post(url, {"section": unknown, "text": "Fine text."}, follow=True)
        assert "That section is not part of this group note." in response.content.decode()
    assert NoteAddendum.objects.count() == 2


def test_director_read_only_group_note_names_every_participant(client, clinic, group, signed):
    note, _ = signed
    verified_login(client, clinic.director_a)
    response = client.get(f"/care/sessions/{group.occurrence.pk}/note/")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(
        user_id=clinic.director_a.pk, object_type="group_note"
    ).latest("seq")
    assert (event.action, event.object_id) == ("view", str(note.pk))
    assert event.detail["patients"] == sorted([clinic.patient_a.pk, group.dana.pk, group.emery.pk])


def test_walk_in_list_names_every_patient_it_shows(client, clinic, group):
    joiner = admitted_patient(clinic.program_a, "Morgan", "Maple")
    verified_login(client, clinic.clinician_a)
    html = client.get(f"/care/sessions/{group.occurrence.pk}/attendance/").content.decode()
    assert "Morgan Maple" in html
    event = AuditEvent.objects.filter(object_type="walk_in_choices").latest("seq")
    assert joiner.pk in event.detail["patients"]
    shown = {int(value) for value in _walk_in_options(html)}
    assert set(event.detail["patients"]) == shown


def _walk_in_options(html: str) -> list[str]:
    import re

    block = html.split('id="id_walk_in"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="(\d+)"', block)
