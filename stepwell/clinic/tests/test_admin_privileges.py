"""Clinic setup: administrators change roles, programs and account flags, all audited."""

from stepwell.privacy.models import AuditEvent
from stepwell.testing.auth import verified_login


def admin_form(user, **overrides):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": "",
        "credentials": user.credentials,
        "kind": user.kind,
        "is_active": "on",
        "roles": [
            "administrator" if program is None else f"{program}:{role}"
            for role, program in user.role_assignments.values_list("role", "program_id")
        ],
        "programs": list(user.program_memberships.values_list("program_id", flat=True)),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_changes_roles_and_deactivation_are_audited(client, clinic):
    verified_login(client, clinic.admin)
    nurse = clinic.nurse_a
    response = client.post(
        f"/setup/accounts/user/{nurse.pk}/change/",
        admin_form(
            nurse,
            roles=[f"{clinic.program_a.pk}:nurse", f"{clinic.program_a.pk}:clinician"],
            is_active=None,
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    nurse.refresh_from_db()
    assert nurse.is_active is False
    assert set(nurse.role_assignments.values_list("role", flat=True)) == {"nurse", "clinician"}
    events = AuditEvent.objects.filter(
        action="privilege_change", object_id=str(nurse.pk), username="admin"
    )
    details = [e.detail for e in events]
    assert {"created": False, "changed": {"is_active": False}} in details
    assert any(
        d.get("roles_added") == [f"clinician@program:{clinic.program_a.pk}"] for d in details
    )


def test_admin_site_offers_no_patient_records(client, clinic):
    verified_login(client, clinic.admin)
    index = client.get("/setup/").content.decode()
    assert "Patients" not in index
    assert client.get("/setup/patients/patient/").status_code == 404


def test_non_administrators_cannot_open_clinic_setup(client, clinic):
    verified_login(client, clinic.director_a)
    response = client.get("/setup/")
    assert response.status_code == 403
    client.logout()
    response = client.get("/setup/")  # nobody logged in: the one audited login
    assert response.status_code == 302
    assert "/setup/login/" in response["Location"]


def test_admin_creates_a_staff_account_audited(client, clinic):
    from stepwell.accounts.models import User

    verified_login(client, clinic.admin)
    assert client.get("/setup/accounts/user/add/").status_code == 200
    response = client.post(
        "/setup/accounts/user/add/",
        {
            "username": "newclin",
            "email": "newclin@clinic.example",
            "credentials": "LPC",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = User.objects.get(username="newclin")
    assert (created.kind, created.credentials) == ("staff", "LPC")
    event = AuditEvent.objects.filter(
        action="privilege_change", object_id=str(created.pk), detail__created=True
    ).get()
    assert event.username == "admin"
