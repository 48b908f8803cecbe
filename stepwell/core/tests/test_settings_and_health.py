import os
import subprocess
import sys

import pytest
from ninja import NinjaAPI

from stepwell.api import api
from stepwell.core.cli import main as stepwell_main

PROD = "stepwell.settings.production"


def run_with(env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEPWELL_")}
    env.update({"DJANGO_SETTINGS_MODULE": PROD, **env_extra})
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_default_secret_key(tmp_path):
    result = run_with({"STEPWELL_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "STEPWELL_SECRET_KEY is missing" in result.stderr


def test_production_refuses_debug(tmp_path):
    result = run_with(
        {"STEPWELL_VAR_DIR": str(tmp_path), "STEPWELL_SECRET_KEY": "x" * 50, "STEPWELL_DEBUG": "1"}
    )
    assert result.returncode != 0
    assert "refuse to start with DEBUG enabled" in result.stderr


def test_production_starts_with_real_secret(tmp_path):
    result = run_with({"STEPWELL_VAR_DIR": str(tmp_path), "STEPWELL_SECRET_KEY": "k" * 50})
    assert result.returncode == 0, result.stderr


def test_sqlite_runs_in_wal_mode(tmp_path):
    from stepwell.settings.base import database_from_url

    config = database_from_url(f"sqlite:///{tmp_path}/x.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    postgres = database_from_url("postgres://u:p@db.example:5432/stepwell")
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert postgres["NAME"] == "stepwell"
    assert postgres["OPTIONS"]["options"] == "-c jit=off"


def test_healthz_answers_when_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_openapi_and_docs_are_served_without_cdn(client, db):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in [
        "/api/v1/auth/token",
        "/api/v1/patients",
        "/api/v1/patients/{patient_id}",
        "/api/v1/episodes/{episode_id}",
        "/api/v1/episodes/{episode_id}/transitions",
        "/api/v1/audit",
    ]:
        assert path in paths
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower()
    assert "/static/ninja/" in docs


def test_the_openapi_document_is_built_once_and_each_caller_gets_a_copy(client, db, monkeypatch):
    first = client.get("/api/v1/openapi.json").json()
    built = []
    original = NinjaAPI.get_openapi_schema

    def counting(self, **kwargs):
        built.append(kwargs)
        return original(self, **kwargs)

    monkeypatch.setattr(NinjaAPI, "get_openapi_schema", counting)
    mine = api.get_openapi_schema()
    mine["paths"].clear()  # a caller that changes its copy changes it for nobody else
    again = client.get("/api/v1/openapi.json").json()
    assert built == []  # served from the document built for the first request
    assert again == first
    assert "/api/v1/patients" in again["paths"]


def test_cli_maps_hyphenated_verbs(db, capsys, monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "stepwell.settings.test")
    # A trail with an event and its head: a flush by an earlier transactional test in this
    # worker empties the head row the migration wrote, and a missing head is (rightly)
    # reported as tampering.
    from stepwell.privacy.audit import AuditAction, audit_record

    audit_record(action=AuditAction.VIEW, object_type="cli-test")
    stepwell_main(["stepwell", "audit", "verify"])
    assert "Audit trail intact" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        stepwell_main(["stepwell", "seed-demo", "--help"])
    assert "synthetic demo clinic" in capsys.readouterr().out
