"""The import contracts that keep the gate below the apps that call it (pyproject.toml,
[tool.importlinter]) name modules one by one, since a contract cannot say "all of accounts
but its models". These tests fail when a module is added and left out of a contract, so a
new service of accounts or patients cannot slip under the gate unchecked."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import stepwell

ROOT = Path(stepwell.__file__).resolve().parent
PYPROJECT = ROOT.parent / "pyproject.toml"

GATE = "The gate (privacy) imports accounts and patients through their models only"
PATIENTS_BILLING = "Patients' models, services and selectors do not depend on billing"

# What the gate may read, and what is not code that runs (the package itself).
MODELS_LAYER = {"models", "apps", "migrations"}
# Edges sit above every app's services; they may call billing's.
PATIENT_EDGES = {"api", "views", "contact_views", "forms", "urls", "tests"}


def _contract(name: str) -> dict:
    config = tomllib.loads(PYPROJECT.read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    found = [c for c in contracts if c["name"] == name]
    assert len(found) == 1, f"pyproject.toml has no single contract named {name!r}"
    return found[0]


def _children(app: str) -> set[str]:
    """The modules and subpackages right under stepwell.<app>."""
    return {info.name for info in pkgutil.iter_modules([str(ROOT / app)])}


def test_the_gate_contract_covers_every_module_of_privacy_but_its_tests():
    sources = set(_contract(GATE)["source_modules"])
    expected = {f"stepwell.privacy.{name}" for name in _children("privacy") - {"tests"}}
    assert sources == expected


def test_the_gate_contract_forbids_every_module_of_accounts_and_patients_but_their_models():
    forbidden = set(_contract(GATE)["forbidden_modules"])
    expected = {
        f"stepwell.{app}.{name}"
        for app in ("accounts", "patients")
        for name in _children(app) - MODELS_LAYER
    }
    assert forbidden == expected


def test_the_patients_contract_covers_every_module_of_patients_but_its_edges():
    contract = _contract(PATIENTS_BILLING)
    assert contract["forbidden_modules"] == ["stepwell.billing"]
    expected = {f"stepwell.patients.{name}" for name in _children("patients") - PATIENT_EDGES}
    assert set(contract["source_modules"]) == expected


def test_the_chart_update_that_spans_patients_and_billing_is_billings():
    assert "chart_update" not in _children("patients")
    assert "chart" in _children("billing/services")
