"""The engines' verbs run on a fresh install: no settings module, no secret key, no database.

Each runs the console entry (stepwell.cli:main, what the `stepwell` script calls) in a
subprocess with an empty environment and an empty working folder (no .env to find)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
# The console script, plus a report of whether any part of Django's settings or ORM loaded.
ENTRY = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from stepwell.cli import main
try:
    main(["stepwell", *sys.argv[1:]])
    code = 0
except SystemExit as stop:
    code = stop.code or 0
loaded = sorted(m for m in sys.modules if m == "django.conf" or m.startswith("django.db"))
sys.stderr.write(f"django modules loaded: {{loaded}}\\n")
sys.exit(code)
"""


def stepwell(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", ENTRY, *args],
        cwd=cwd,
        env={},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["score", "phq9", "--answers", "1,1,1,1,1,1,1,1,1"], {"total": 9, "band": "mild"}),
        (["score", "auditc", "--answers", "2,1,0", "--sex", "female"], {"total": 3}),
        (
            ["change", "phq9", "--baseline", "18", "--current", "8"],
            {"change": -10, "classification": "reliable_improvement"},
        ),
        (
            ["placement", "recommend", str(EXAMPLES / "placement" / "iop-candidate.json")],
            {"level": "intensive_outpatient"},
        ),
    ],
)
def test_engine_verb_runs_with_an_empty_environment(args, expected, tmp_path):
    done = stepwell(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {key: result[key] for key in expected} == expected
    assert "django modules loaded: []" in done.stderr


def test_schedule_solve_runs_with_an_empty_environment(tmp_path):
    plan = tmp_path / "plan.json"
    done = stepwell(
        "schedule",
        "solve",
        str(EXAMPLES / "schedule" / "week.json"),
        "--out",
        str(plan),
        "--time-limit",
        "5",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(plan.read_text())["patients"]
    assert "django modules loaded: []" in done.stderr


def test_bad_input_is_named_not_a_traceback(tmp_path):
    done = stepwell("score", "phq9", "--answers", "1,1", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "answers" in done.stderr


def test_a_database_command_without_settings_says_what_is_missing(tmp_path):
    done = stepwell("migrate", cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "STEPWELL_SECRET_KEY" in done.stderr
