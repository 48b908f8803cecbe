import pytest

from stepwell.testing.auth import verified_login


@pytest.mark.parametrize("who", ["clinician_a", "director_a", "billing_a", "intake_a", "admin"])
def test_main_pages_render_for_each_staff_role(client, clinic, who):
    user = getattr(clinic, who)
    verified_login(client, user)
    for url in ["/caseload/", "/accounts/tokens/"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:500])
