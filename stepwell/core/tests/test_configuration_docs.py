"""Every environment variable the code reads is listed in .env.example and in the README's
configuration table, so an operator can find it."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
READ = re.compile(
    r"""(?:environ\.get|getenv|env_int|env_bool|environ\[|environ\.setdefault)\(?\s*["']"""
    r"""((?:STEPWELL|DJANGO)_\w+)["']"""
)
# Test-runner switches, documented with `make test` in the README.
NOT_SETTINGS = {"STEPWELL_REQUIRE_POSTGRES", "STEPWELL_REQUIRE_BROWSER", "STEPWELL_DB_TESTS_ONLY"}


def variables_read() -> set[str]:
    found = set()
    for source in (REPO / "stepwell").glob("**/*.py"):
        if "tests" in source.parts:
            continue
        found |= set(READ.findall(source.read_text()))
    return found - NOT_SETTINGS


def test_every_variable_is_in_env_example_and_the_readme_table():
    names = variables_read()
    assert {"STEPWELL_PORTAL_INVITE_DAYS", "STEPWELL_EMAIL_BACKEND", "STEPWELL_DEBUG"} <= names
    example = (REPO / ".env.example").read_text()
    readme = (REPO / "README.md").read_text()
    table = readme[readme.index("## Configuration") :]
    table = table[: table.index("\n## ", 1)]
    assert sorted(n for n in names if n not in example) == []
    assert sorted(n for n in names if f"`{n}`" not in table) == []
