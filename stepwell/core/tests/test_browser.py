"""Pages built from other people's scripts still work under our Content-Security-Policy:
the API docs (Swagger UI from bundled files), clinic setup, and the program switch on the
week page, which used an inline handler before. Real Chromium, real server."""

import pytest

from stepwell.accounts.models import Role, RoleAssignment
from stepwell.clinic.models import ProgramStaff
from stepwell.testing.auth import verified_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logged_in(page, client, user):
    verified_login(client, user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": page.base_url}]
    )


def csp_violations(console):
    return [text for text in console if "Content Security Policy" in text]


def test_api_docs_and_clinic_setup_work_under_the_policy(browser_page, clinic, client):
    page = browser_page
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{page.base_url}/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    page.get_by_text("/api/v1/auth/token").first.wait_for()
    logged_in(page, client, clinic.admin)
    page.goto(f"{page.base_url}/setup/clinic/program/{clinic.program_a.pk}/change/")
    assert page.locator("#id_name").input_value() == "Adult MH"
    assert csp_violations(console) == []


def test_program_switch_navigates_without_an_inline_handler(browser_page, clinic, client):
    page = browser_page
    console = []
    page.on("console", lambda message: console.append(message.text))
    director = clinic.director_a
    ProgramStaff.objects.create(user=director, program=clinic.program_b)
    RoleAssignment.objects.create(
        user=director, role=Role.PROGRAM_DIRECTOR, program=clinic.program_b
    )  # roles are per program: the switch lists the programs one directs
    logged_in(page, client, director)
    page.goto(f"{page.base_url}/schedule/{clinic.program_a.pk}/")
    page.select_option("#program-switch", label="Substance Use")
    page.wait_for_url(f"**/schedule/{clinic.program_b.pk}/**")
    assert csp_violations(console) == []
