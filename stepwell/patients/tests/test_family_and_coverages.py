"""Issue 12, the chart kept up to date: family contacts (with the patient's consent to
their involvement) and insurance coverages (several, with subscriber and member id) are
edited on the chart and through `PATCH /api/v1/patients/{id}`, with field-level history
and audit; a refusal or a bad item changes nothing."""

from __future__ import annotations

import pytest

from stepwell.billing.models import Coverage
from stepwell.core.errors import AccessDenied, ApplicationError
from stepwell.patients.contacts import (
    family_contact_add,
    family_contact_remove,
    family_contact_update,
)
from stepwell.patients.models import FamilyContact, PatientDetailChange
from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login
from stepwell.testing.factories import PayerFactory

pytestmark = pytest.mark.django_db


def _contact(clinic, **data):
    return family_contact_add(
        actor=clinic.intake_a,
        patient_id=clinic.patient_a.pk,
        data={"name": "Robin Alder", "relationship": "sister", "phone": "555-0101", **data},
    )


def test_a_family_contact_is_added_changed_and_removed_with_history_and_audit(clinic):
    contact = _contact(clinic)
    assert (contact.name, contact.consented_to_involvement) == ("Robin Alder", False)
    changed = family_contact_update(
        actor=clinic.clinician_a,
        contact_id=contact.pk,
        data={"consented_to_involvement": True, "phone": "555-0101"},
    )
    assert changed == ["consented_to_involvement"]
    assert FamilyContact.objects.get(pk=contact.pk).consented_to_involvement is True
    history = PatientDetailChange.objects.get(
        patient=clinic.patient_a, field="family contact Robin Alder: consent to involvement"
    )
    assert (history.old_value, history.new_value, history.changed_by) == (
        "no",
        "yes",
        clinic.clinician_a,
    )
    family_contact_remove(actor=clinic.director_a, contact_id=contact.pk)
    assert not FamilyContact.objects.exists()
    removed = PatientDetailChange.objects.get(field="family contact Robin Alder")
    assert removed.new_value == "removed"
    events = AuditEvent.objects.filter(object_type="family_contact", outcome="allowed")
    assert [(e.action, e.patient_id) for e in events.order_by("seq")] == [
        ("create", clinic.patient_a.pk),
        ("update", clinic.patient_a.pk),
        ("update", clinic.patient_a.pk),
    ]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"relationship": "  "}, "relationship"),
        ({"email": "not-an-email"}, "email"),
        ({"consented_to_involvement": "maybe"}, "consented_to_involvement"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_a_bad_contact_names_the_field_and_changes_nothing(clinic, data, field):
    contact = _contact(clinic)
    history = PatientDetailChange.objects.count()
    with pytest.raises(ApplicationError) as error:
        family_contact_update(actor=clinic.intake_a, contact_id=contact.pk, data=data)
    assert field in error.value.field_errors
    assert FamilyContact.objects.filter(pk=contact.pk).values().get() == (
        FamilyContact.objects.filter(pk=contact.pk).values().get()
    )
    stored = FamilyContact.objects.get(pk=contact.pk)
    assert (stored.name, stored.relationship, stored.email) == ("Robin Alder", "sister", "")
    assert PatientDetailChange.objects.count() == history


@pytest.mark.parametrize("who", ["billing_a", "clinician_b", "admin", "patient_user_a", "nurse_a"])
def test_others_are_refused_a_contact_and_audited(clinic, who):
    contact = _contact(clinic)
    actor = getattr(clinic, who)
    before = AuditEvent.objects.filter(outcome="denied").count()
    with pytest.raises(AccessDenied):
        family_contact_update(actor=actor, contact_id=contact.pk, data={"phone": "1"})
    with pytest.raises(AccessDenied):
        family_contact_add(
            actor=actor, patient_id=clinic.patient_a.pk, data={"name": "X", "relationship": "y"}
        )
    with pytest.raises(AccessDenied):
        family_contact_remove(actor=actor, contact_id=contact.pk)
    assert AuditEvent.objects.filter(outcome="denied").count() == before + 3
    assert list(FamilyContact.objects.values_list("name", "phone")) == [("Robin Alder", "555-0101")]


def test_the_chart_shows_contacts_and_the_details_page_edits_them(client, clinic):
    verified_login(client, clinic.clinician_a)
    added = client.post(
        f"/patients/{clinic.patient_a.pk}/contacts/new/",
        {"name": "Jo Alder", "relationship": "father", "phone": "555-0102"},
    )
    assert added.status_code == 302
    contact = FamilyContact.objects.get()
    chart = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    assert "Jo Alder (father)" in chart
    assert "no consent to their involvement recorded" in chart
    bad = client.post(
        f"/contacts/{contact.pk}/",
        {"name": "Jo Alder", "relationship": "", "consented_to_involvement": "on"},
    )
    assert bad.status_code == 400
    assert 'data-testid="error-relationship"' in bad.content.decode()
    assert FamilyContact.objects.get().consented_to_involvement is False
    saved = client.post(
        f"/contacts/{contact.pk}/",
        {"name": "Jo Alder", "relationship": "father", "consented_to_involvement": "on"},
    )
    assert saved.status_code == 302
    details = client.get(f"/patients/{clinic.patient_a.pk}/details/").content.decode()
    assert "family contact Jo Alder: consent to involvement" in details
    assert "consented to their involvement" in details
    assert client.post(f"/contacts/{contact.pk}/remove/").status_code == 302
    assert not FamilyContact.objects.exists()


def test_a_nurse_sees_the_contacts_but_no_edit_link(client, clinic):
    _contact(clinic, consented_to_involvement=True)
    verified_login(client, clinic.nurse_a)
    chart = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    assert "Robin Alder (sister)" in chart
    assert "Edit family contacts" not in chart
    assert client.get(f"/patients/{clinic.patient_a.pk}/contacts/new/").status_code == 403


def _coverage_form(payer, **data):
    return {
        "payer": payer.pk,
        "priority": "primary",
        "member_id": "M-100",
        "subscriber_relationship": "self",
        "effective_from": "2026-01-01",
        **data,
    }


def test_coverages_are_listed_added_changed_and_ended_from_the_chart(client, clinic):
    primary, secondary = PayerFactory(name="Synthetic Blue"), PayerFactory(name="Synthetic Aid")
    verified_login(client, clinic.intake_a)
    chart = client.get(f"/patients/{clinic.patient_a.pk}/").content.decode()
    assert 'data-testid="chart-coverages-loader"' in chart
    url = f"/billing/patients/{clinic.patient_a.pk}/coverages/"
    assert client.post(f"{url}new/", _coverage_form(primary)).status_code == 302
    second = _coverage_form(
        secondary,
        priority="secondary",
        member_id="S-7",
        subscriber_relationship="spouse",
        subscriber_name="",
    )
    missing_name = client.post(f"{url}new/", second)
    assert missing_name.status_code == 400
    assert 'data-testid="error-subscriber_name"' in missing_name.content.decode()
    second["subscriber_name"] = "Lee Alder"
    assert client.post(f"{url}new/", second).status_code == 302
    section = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "Synthetic Blue" in section
    assert "Lee Alder (spouse or partner)" in section
    assert "<html" not in section
    coverage = Coverage.objects.get(payer=primary)
    edited = client.post(
        f"/billing/coverages/{coverage.pk}/", _coverage_form(primary, member_id="M-200")
    )
    assert edited.status_code == 302
    history = PatientDetailChange.objects.filter(field="coverage Synthetic Blue: member id")
    assert [(h.old_value, h.new_value) for h in history] == [("M-100", "M-200"), ("", "M-100")]
    ended = client.post(
        f"/billing/coverages/{coverage.pk}/end/", {"ends_on": "2026-06-30", "reason": "Job change"}
    )
    assert ended.status_code == 302
    assert Coverage.objects.get(pk=coverage.pk).effective_to.isoformat() == "2026-06-30"
    viewed = AuditEvent.objects.filter(object_type="coverage", action="view")
    assert viewed.filter(patient_id=clinic.patient_a.pk).exists()


def test_a_clinician_reads_coverages_but_does_not_change_them(client, clinic):
    payer = PayerFactory(name="Synthetic Blue")
    verified_login(client, clinic.clinician_a)
    url = f"/billing/patients/{clinic.patient_a.pk}/coverages/"
    page = client.get(url).content.decode()
    assert "Add a coverage" not in page
    assert client.post(f"{url}new/", _coverage_form(payer)).status_code == 403
    assert not Coverage.objects.exists()
    verified_login(client, clinic.clinician_b)
    assert client.get(url).status_code == 403


def test_patch_changes_details_contacts_and_coverages_together(client, clinic):
    payer = PayerFactory(name="Synthetic Blue")
    contact = _contact(clinic)
    verified_login(client, clinic.director_a)
    response = client.patch(
        f"/api/v1/patients/{clinic.patient_a.pk}",
        {
            "phone": "555-0177",
            "family_contacts": [
                {"id": contact.pk, "consented_to_involvement": True},
                {"name": "Jo Alder", "relationship": "father"},
            ],
            "coverages": [
                {"payer_id": payer.pk, "member_id": "M-1", "subscriber_relationship": "self"}
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["phone"] == "555-0177"
    assert [(c["name"], c["consented_to_involvement"]) for c in body["family_contacts"]] == [
        ("Jo Alder", False),
        ("Robin Alder", True),
    ]
    assert [(c["payer"], c["member_id"]) for c in body["coverages"]] == [("Synthetic Blue", "M-1")]
    coverage_id = body["coverages"][0]["id"]
    removed = client.patch(
        f"/api/v1/patients/{clinic.patient_a.pk}",
        {
            "family_contacts": [{"id": contact.pk, "remove": True}],
            "coverages": [{"id": coverage_id, "member_id": "M-2"}],
        },
        content_type="application/json",
    )
    assert removed.status_code == 200
    assert [c["name"] for c in removed.json()["family_contacts"]] == ["Jo Alder"]
    assert removed.json()["coverages"][0]["member_id"] == "M-2"


def test_patch_with_a_bad_item_names_it_and_keeps_everything(client, clinic):
    payer = PayerFactory(name="Synthetic Blue")
    verified_login(client, clinic.director_a)
    phone = clinic.patient_a.phone
    response = client.patch(
        f"/api/v1/patients/{clinic.patient_a.pk}",
        {
            "phone": "555-0177",
            "family_contacts": [{"name": "Jo Alder", "relationship": "father"}],
            "coverages": [
                {"payer_id": payer.pk, "subscriber_relationship": "child"},
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "coverages.0.subscriber_name" in response.json()["errors"]
    clinic.patient_a.refresh_from_db()
    assert clinic.patient_a.phone == phone
    assert not FamilyContact.objects.exists()
    assert not Coverage.objects.exists()
    assert not PatientDetailChange.objects.exists()


def test_patch_by_a_clinician_may_not_add_a_coverage_and_keeps_the_details(client, clinic):
    payer = PayerFactory(name="Synthetic Blue")
    verified_login(client, clinic.clinician_a)
    phone = clinic.patient_a.phone
    response = client.patch(
        f"/api/v1/patients/{clinic.patient_a.pk}",
        {"phone": "555-0177", "coverages": [{"payer_id": payer.pk}]},
        content_type="application/json",
    )
    assert response.status_code == 403
    clinic.patient_a.refresh_from_db()
    assert clinic.patient_a.phone == phone
    assert not Coverage.objects.exists()
    assert AuditEvent.objects.filter(object_type="coverage", outcome="denied").count() == 1


def test_a_contact_of_another_patient_is_not_reached_through_this_one(client, clinic):
    other = family_contact_add(
        actor=clinic.director_a,
        patient_id=clinic.patient_a.pk,
        data={"name": "Robin Alder", "relationship": "sister"},
    )
    verified_login(client, clinic.director_a)
    response = client.patch(
        f"/api/v1/patients/{clinic.team_patient_b.pk}",
        {"family_contacts": [{"id": other.pk, "remove": True}]},
        content_type="application/json",
    )
    assert response.status_code in (400, 403)
    assert FamilyContact.objects.filter(pk=other.pk).exists()
