"""Security headers on pages and API answers; no inline scripts anywhere; /healthz over
plain HTTP; production adds HSTS with subdomains and the HTTPS redirect."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stepwell.accounts.tokens import token_create
from stepwell.testing.auth import verified_login

REPO = Path(__file__).resolve().parents[3]


def assert_security_headers(response):
    assert response["Cache-Control"] == "no-store"
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_pages_with_patient_data_are_not_stored(client, clinic):
    verified_login(client, clinic.clinician_a)
    for url in ["/caseload/", f"/patients/{clinic.patient_a.pk}/", "/accounts/tokens/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_security_headers(response)


def test_api_answers_are_not_stored(client, clinic):
    token = token_create(user=clinic.clinician_a, name="lab").plaintext
    ok = client.get("/api/v1/patients", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert ok.status_code == 200
    assert "Alder" in ok.content.decode()
    assert_security_headers(ok)
    one = client.get(
        f"/api/v1/patients/{clinic.patient_a.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert_security_headers(one)
    assert_security_headers(client.get("/api/v1/patients"))  # 401 too


def test_anonymous_and_error_pages_carry_the_headers(client, db):
    assert_security_headers(client.get("/accounts/login/"))
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert_security_headers(missing)


TEMPLATE_DIRS = sorted((REPO / "stepwell").glob("**/templates"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")", re.I)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)


def test_no_template_has_inline_scripts_or_event_handlers():
    templates = [p for d in TEMPLATE_DIRS for p in d.glob("**/*.html")]
    assert len(templates) > 20
    offenders = []
    for template in templates:
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, re.compile(r"javascript:", re.I)):
            offenders += [f"{template.relative_to(REPO)}: {m}" for m in pattern.findall(text)]
        offenders += [f"{template.relative_to(REPO)}: hx-on" for _ in re.findall("hx-on", text)]
    assert offenders == []


def test_rendered_page_loads_scripts_only_from_static_files(client, clinic):
    verified_login(client, clinic.clinician_a)
    page = client.get("/caseload/").content.decode()
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts
    assert all(re.search(r'src="/static/[^"]+\.js"', tag) for tag in scripts), scripts
    assert 'src="/static/django_htmx/htmx-2.min.js"' in page


def test_healthz_answers_any_host(client, db):
    response = client.get("/healthz", HTTP_HOST="10.0.3.7")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert client.get("/caseload/", HTTP_HOST="10.0.3.7").status_code == 400


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.test import Client
c = Client()
out = {}
r = c.get("/healthz", HTTP_HOST="10.0.3.7")
out["healthz_http"] = [r.status_code, r.get("Location", "")]
r = c.get("/accounts/login/", HTTP_HOST="stepwell.example.org")
out["login_http"] = [r.status_code, r.get("Location", "")]
r = c.get("/accounts/login/", HTTP_HOST="stepwell.example.org", secure=True)
out["login_https"] = [r.status_code, dict(r.headers)]
r = c.get("/api/v1/patients", HTTP_HOST="stepwell.example.org", secure=True)
out["api_https"] = [r.status_code, dict(r.headers)]
print(json.dumps(out))
"""


def run_probe(settings_module, script, tmp_path, **env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEPWELL_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": settings_module,
            "STEPWELL_VAR_DIR": str(tmp_path),
            "STEPWELL_ALLOWED_HOSTS": "stepwell.example.org,127.0.0.1,localhost",
            **env_extra,
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_headers_hsts_and_plain_http_health_check(tmp_path):
    out = run_probe(
        "stepwell.settings.production", PRODUCTION_PROBE, tmp_path, STEPWELL_SECRET_KEY="k" * 50
    )
    assert out["healthz_http"] == [200, ""]
    assert out["login_http"] == [301, "https://stepwell.example.org/accounts/login/"]
    for key in ("login_https", "api_https"):
        status, headers = out[key]
        assert status in (200, 401), key
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert headers["Cache-Control"] == "no-store"
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "camera=()" in headers["Permissions-Policy"]


DEMO_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
c = Client(HTTP_HOST="127.0.0.1")
out = {"debug": settings.DEBUG}
for path in ["/static/stepwell/stepwell.css", "/static/stepwell/stepwell.js",
             "/static/django_htmx/htmx-2.min.js", "/static/admin/css/base.css"]:
    out[path] = c.get(path).status_code
r = c.get("/no-such-page/")
out["404"] = [r.status_code, r.content.decode()]
print(json.dumps(out))
"""


def test_demo_runs_with_debug_off_and_still_serves_static_files(tmp_path):
    out = run_probe("stepwell.settings.demo", DEMO_PROBE, tmp_path)
    assert out["debug"] is False
    for path in [
        "/static/stepwell/stepwell.css",
        "/static/stepwell/stepwell.js",
        "/static/django_htmx/htmx-2.min.js",
        "/static/admin/css/base.css",
    ]:
        assert out[path] == 200, path
    status, body = out["404"]
    assert status == 404
    assert "Page not found" in body
    assert "Demo clinic: synthetic data only" in body
    assert "URLconf" not in body  # not Django's debug page


@pytest.mark.urls("stepwell.core.tests.failing_urls")
def test_server_error_page_shows_no_traceback_or_patient_data(client, clinic):
    client.raise_request_exception = False
    verified_login(client, clinic.clinician_a)
    response = client.get("/fail/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "Alder" not in body
    assert "Traceback" not in body
    assert response["Cache-Control"] == "no-store"
