"""`stepwell` never answers with a traceback (issue 10 §12).

Bad input (5,000-digit answers, bytes that are not UTF-8 in files and arguments, JSON
nested 100,000 deep, `--out` into a missing folder, a huge `--seed`, `--time-limit -1`,
digits of other scripts) is an error on stderr naming the argument or field, exit code 2.
`--help` prints help for each verb with exit code 0. Most cases run the command's main
function in the test process; the cases about real bytes, settings and the environment run
the `stepwell` entry point in a subprocess.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepwell.core.cli import main
from stepwell.core.command_line import (
    MAX_JSON_DEPTH,
    CommandInputError,
    ascii_integer,
    emit,
    json_depth,
    output_path,
    positive_seconds,
    read_json_file,
    seed_number,
    whole_number,
)
from stepwell.measures.commandline import run_score

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
DIGITS_5000 = "9" * 5000
BAD_BYTE = "\udcff"  # how Python hands over the byte 0xFF of an argument


@pytest.fixture
def files(tmp_path):
    """Hostile input files, and a copy of the example week."""
    made = {
        "not_utf8": b'\xff\xfe{"a": 1}',
        "deep_list": ("[" * 100_000 + "]" * 100_000).encode(),
        "deep_object": ('{"a":' * 100_000 + "1" + "}" * 100_000).encode(),
        "long_number": DIGITS_5000.encode(),
        "not_json": b"{level: iop",
        "week": (EXAMPLES / "schedule" / "week.json").read_bytes(),
    }
    paths = {}
    for name, content in made.items():
        path = tmp_path / f"{name}.json"
        path.write_bytes(content)
        paths[name] = str(path)
    paths["missing_folder"] = str(tmp_path / "no" / "such" / "folder" / "plan.json")
    paths["folder"] = str(tmp_path)
    paths["out"] = str(tmp_path / "plan.json")
    return paths


def run_main(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        main(["stepwell", *argv])
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    out, err = capsys.readouterr()
    return code, out, err


# -- bad input: exit code 2, the field named on stderr, nothing on stdout ---------------------

ANSWERS_8 = ",1,1,1,1,1,1,1,1"
BAD_INPUT = [
    (["score", "phq9", "--answers", DIGITS_5000 + ANSWERS_8], "item 1 (phq9_1)"),
    (["score", "phq9", "--answers", "٣" + ANSWERS_8], "item 1 (phq9_1)"),  # Arabic-Indic 3
    (["score", "phq9", "--answers", "３" + ANSWERS_8], "item 1 (phq9_1)"),  # fullwidth 3
    (["score", "phq9", "--answers", "²" + ANSWERS_8], "item 1 (phq9_1)"),
    (["score", "phq9", "--answers", "1" + ANSWERS_8 + ",-" + DIGITS_5000], "item 10"),
    (["score", "phq9", "--answers", BAD_BYTE + ANSWERS_8], "item 1 (phq9_1)"),
    (["score", BAD_BYTE, "--answers", "1"], "unknown instrument"),
    (["score", "phq9"], "--answers"),
    (["change", "phq9", "--baseline", DIGITS_5000, "--current", "1"], "argument --baseline"),
    (["change", "phq9", "--baseline", "١٨", "--current", "8"], "argument --baseline"),
    (["change", "phq9", "--baseline", "18", "--current", BAD_BYTE], "argument --current"),
    (["placement", "recommend", "{not_utf8}"], '"file"'),
    (["placement", "recommend", "{deep_list}"], '"file"'),
    (["placement", "recommend", "{deep_object}"], '"file"'),
    (["placement", "recommend", "{long_number}"], '"file"'),
    (["placement", "recommend", "{not_json}"], '"file"'),
    (["placement", "recommend", f"missing-{BAD_BYTE}.json"], '"file"'),
    (["placement", "recommend", "{folder}"], '"file"'),
    (["placement"], '"arguments"'),
    (["schedule", "solve", "{deep_list}", "--out", "{out}"], '"field": "week"'),
    (["schedule", "solve", "{not_utf8}", "--out", "{out}"], '"field": "week"'),
    (["schedule", "solve", "{long_number}", "--out", "{out}"], '"field": "week"'),
    (["schedule", "solve", "{week}", "--out", "{missing_folder}"], '"field": "out"'),
    (["schedule", "solve", "{week}", "--out", "{folder}"], '"field": "out"'),
    (["schedule", "solve", "{week}", "--out", "{out}", "--previous", "{deep_object}"], "previous"),
    (["schedule", "solve", "{week}", "--out", "{out}", "--seed", "9" * 30], "argument --seed"),
    (["schedule", "solve", "{week}", "--out", "{out}", "--seed", "-1"], "argument --seed"),
    (["schedule", "solve", "{week}", "--out", "{out}", "--seed", "٣"], "argument --seed"),
    (["schedule", "solve", "{week}", "--out", "{out}", "--time-limit", "-1"], "--time-limit"),
    (["schedule", "solve", "{week}", "--out", "{out}", "--time-limit", "0"], "--time-limit"),
    (["schedule", "solve", "{week}", "--out", "{out}", "--time-limit", "nan"], "--time-limit"),
    (["schedule", "solve", "{week}", "--out", "{out}", "--time-limit", "inf"], "--time-limit"),
    (["schedule", "solve", "{week}", "--out", "{out}", "--time-limit", "1e999"], "--time-limit"),
    (["schedule", "solve", "{week}", "--out", "{out}", "--time-limit", "٣"], "--time-limit"),
    (["instruments", "load", "{not_utf8}"], "file: "),
    (["instruments", "load", "{deep_list}"], "file: "),
    (["instruments", "load", "{long_number}"], "file: "),
    (["instruments", "frobnicate"], "invalid choice"),
    (["audit", "verify", "now"], "unrecognized arguments"),
    (["audit"], "verb"),
]


@pytest.mark.parametrize(("argv", "named"), BAD_INPUT, ids=[" ".join(a)[:60] for a, _ in BAD_INPUT])
def test_bad_input_is_exit_2_naming_the_field(argv, named, files, capsys, db):
    argv = [part.format(**files) if part.startswith("{") else part for part in argv]
    code, out, err = run_main(argv, capsys)
    assert (code, out) == (2, "")
    assert named in err
    assert "Traceback" not in err
    assert DIGITS_5000 not in err  # long input is quoted shortened
    assert not Path(files["out"]).exists()  # a refused solve writes nothing


def test_solve_into_a_missing_folder_is_refused_before_solving(files, capsys):
    # A one-hour time limit would time the test out if the solver ran first.
    argv = ["schedule", "solve", files["week"], "--out", files["missing_folder"]]
    code, _, err = run_main([*argv, "--time-limit", "3600"], capsys)
    assert code == 2
    assert json.loads(err)["errors"] == [
        {
            "field": "out",
            "message": f"the folder {Path(files['missing_folder']).parent} does not exist",
        }
    ]


def test_the_good_cases_still_work(files, capsys):
    code, out, _ = run_main(["score", "phq9", "--answers", "1,1,1,1,1,1,1,1,0"], capsys)
    assert (code, json.loads(out)["total"]) == (0, 8)
    code, out, _ = run_main(["change", "phq9", "--baseline", "18", "--current", "8"], capsys)
    assert (code, json.loads(out)["classification"]) == (0, "reliable_improvement")
    argv = ["placement", "recommend", str(EXAMPLES / "placement" / "iop-candidate.json")]
    code, out, _ = run_main(argv, capsys)
    assert (code, json.loads(out)["level"]) == (0, "intensive_outpatient")
    argv = ["schedule", "solve", files["week"], "--out", files["out"], "--time-limit", "2"]
    argv += ["--seed", str(2**31 - 1)]
    code, _, _ = run_main(argv, capsys)
    assert code == 0
    assert "patients" in json.loads(Path(files["out"]).read_text())


# -- schedule export: needs the database -----------------------------------------------------


@pytest.mark.parametrize(
    ("program", "week", "out", "field"),
    [
        ("٣", "2026-W50", None, "program"),
        (DIGITS_5000, "2026-W50", None, "program"),
        ("²", "2026-W50", None, "program"),
        (f"Adult{BAD_BYTE}", "2026-W50", None, "program"),
        ("Adult MH", "9999-W52", None, "week"),
        ("Adult MH", "٢٠٢٦-W50", None, "week"),
        ("Adult MH", "2026-W50", "{missing_folder}", "out"),
    ],
)
def test_schedule_export_bad_input(clinic, files, capsys, program, week, out, field):
    argv = ["schedule", "export", "--program", program, "--week", week]
    if out:
        argv += ["--out", out.format(**files)]
    code, stdout, err = run_main(argv, capsys)
    assert (code, stdout) == (2, "")
    assert [error["field"] for error in json.loads(err)["errors"]] == [field]


# -- help ------------------------------------------------------------------------------------

HELP = [
    ["score", "--help"],
    ["change", "--help"],
    ["instruments", "--help"],
    ["instruments", "load", "--help"],
    ["placement", "--help"],
    ["placement", "recommend", "--help"],
    ["schedule", "--help"],
    ["schedule", "solve", "--help"],
    ["schedule", "export", "--help"],
    ["audit", "--help"],
    ["audit", "verify", "--help"],
]


@pytest.mark.parametrize("argv", HELP, ids=[" ".join(a) for a in HELP])
def test_help_for_each_verb(argv, capsys):
    code, out, err = run_main(argv, capsys)
    assert code == 0
    assert "usage: stepwell" in out
    assert err == ""


# -- the real entry point --------------------------------------------------------------------


def stepwell(args: list[bytes | str], *, env: dict[str, str] | None = None, cwd=None):
    """Run `stepwell` as a shell would, arguments as raw bytes allowed."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("STEPWELL_") and k != "DJANGO_SETTINGS_MODULE"
    }
    environment |= {"PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8", "PYTHONUTF8": "0"}
    environment |= env or {}
    entry = "import sys; sys.argv[0] = 'stepwell'; from stepwell.cli import main; main()"
    command = [sys.executable, "-c", entry, *args]
    return subprocess.run(
        command, capture_output=True, env=environment, cwd=cwd or ROOT, check=False, timeout=120
    )


def test_engine_verbs_need_no_settings(tmp_path):
    """No DJANGO_SETTINGS_MODULE and no secret key: the engines still answer."""
    result = stepwell(["score", "phq9", "--answers", "0,0,0,0,0,0,0,0,0"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["band"] == "minimal"
    placement = str(EXAMPLES / "placement" / "iop-candidate.json")
    assert stepwell(["placement", "recommend", placement], cwd=tmp_path).returncode == 0


def test_bytes_that_are_not_utf8_in_arguments(tmp_path):
    result = stepwell([b"score", b"phq9", b"--answers", b"\xff\xfe" + ANSWERS_8.encode()])
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
    assert json.loads(result.stderr)["errors"][0].startswith("item 1 (phq9_1): answer '\\udcff")
    result = stepwell([b"instruments", b"load", b"\xff.json"], env=TEST_SETTINGS)
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr
    assert json.loads(result.stderr)["errors"][0].startswith("file: cannot read \\udcff.json")
    result = stepwell([b"audit", b"verify", b"\xff"], env=TEST_SETTINGS)
    assert result.returncode == 2
    assert result.stderr.endswith(b"stepwell audit: error: unrecognized arguments: \\udcff\n")


TEST_SETTINGS = {"DJANGO_SETTINGS_MODULE": "stepwell.settings.test"}


def test_settings_that_refuse_to_start_are_one_sentence(tmp_path):
    result = stepwell(["audit", "verify"], cwd=tmp_path)  # production, no secret key
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert result.stderr.decode().startswith(
        "stepwell: the settings (stepwell.settings.production) refuse to start: "
        "STEPWELL_SECRET_KEY is missing"
    )


def test_an_unexpected_error_is_one_sentence_unless_asked(tmp_path):
    # The test settings' in-memory database has no tables: audit verify cannot read it.
    result = stepwell(["audit", "verify"], env=TEST_SETTINGS, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.decode().startswith(
        "stepwell audit verify: stopped by an unexpected error (OperationalError: no such table"
    )
    assert b"Traceback" not in result.stderr
    shown = stepwell(["audit", "verify"], env={**TEST_SETTINGS, "STEPWELL_TRACEBACK": "1"})
    assert b"Traceback" in shown.stderr


# -- the shared parsing, case by case and over any text --------------------------------------


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("18", 18),
        ("-1", -1),
        ("+4", 4),
        (" 7 ", 7),
        ("9" * 18, int("9" * 18)),
        ("9" * 19, None),
        ("٣", None),
        ("３", None),
        ("²", None),
        ("1_000", None),
        ("1.0", None),
        ("", None),
        (BAD_BYTE, None),
    ],
)
def test_ascii_integer(text, number):
    assert ascii_integer(text) == number


@given(st.text(max_size=30))
def test_argument_types_accept_or_refuse_any_text(text):
    for parse in (whole_number, seed_number, positive_seconds):
        try:
            value = parse(text)
        except argparse.ArgumentTypeError:
            continue  # anything else fails the test
        if parse is positive_seconds:
            assert math.isfinite(value) and value > 0
        elif parse is seed_number:
            assert 0 <= value <= 2**31 - 1


@given(st.lists(st.text(max_size=8), min_size=1, max_size=12))
def test_score_answers_any_text(tokens):
    code, result = run_score(["phq9", "--answers", ",".join(t.replace(",", "") for t in tokens)])
    assert code in (0, 2)
    if code == 0:
        assert result["valid"] and 0 <= result["total"] <= 27
    else:
        assert result["errors"]


def test_json_depth_and_limit(tmp_path):
    assert json_depth(1) == 0
    assert json_depth([]) == 1
    assert json_depth({"a": [1, {"b": []}]}) == 4
    just_deep_enough = tmp_path / "ok.json"
    just_deep_enough.write_text("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)
    assert json_depth(read_json_file(just_deep_enough, "file")) == MAX_JSON_DEPTH
    too_deep = tmp_path / "deep.json"
    too_deep.write_text("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1))
    with pytest.raises(CommandInputError, match="nested deeper than 64 levels") as caught:
        read_json_file(too_deep, "week")
    assert caught.value.field == "week"


def test_output_path(tmp_path):
    assert output_path(tmp_path / "plan.json") == tmp_path / "plan.json"
    with pytest.raises(CommandInputError, match="does not exist"):
        output_path(tmp_path / "missing" / "plan.json")
    with pytest.raises(CommandInputError, match="is a folder"):
        output_path(tmp_path)


def test_emit_prints_undecodable_text_escaped(capsys):
    assert emit(0, {"file": f"{BAD_BYTE}.json"}, ensure_ascii=False) == 0
    assert emit(2, {"errors": ["é"]}, ensure_ascii=False) == 2
    out, err = capsys.readouterr()
    assert out == '{"file": "\\udcff.json"}\n'
    assert err == '{"errors": ["é"]}\n'
