"""`make test`: lint, then the suite split over two engines.

With PostgreSQL: every database test on a throwaway PostgreSQL cluster; on SQLite the tests
that need no database, the browser tests and the engine-sensitive database tests (see the
root conftest.py). Without PostgreSQL: the whole suite on SQLite. Each engine migrates once;
the pytest-xdist workers copy that database.

PostgreSQL: Debian's binaries under /usr/lib/postgresql/*/bin start a cluster in a temp
folder on 127.0.0.1 (as the `postgres` user when run as root; initdb refuses root).
Chromium: /usr/bin/chromium drives the browser tests through Playwright.
STEPWELL_REQUIRE_POSTGRES=1 / STEPWELL_REQUIRE_BROWSER=1 turn a missing one into a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def require(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0", "false", "no")


def run(cmd: list[str], env: dict | None = None, **kwargs) -> int:
    print("$", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env, check=False, **kwargs).returncode  # noqa: S603


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bin() -> Path | None:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(candidates[-1]).parent if candidates else None


class Cluster:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="stepwell-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _cmd(self, args: list[str]) -> list[str]:
        if self.as_root:
            return ["runuser", "-u", "postgres", "--", *args]
        return args

    def start(self) -> None:
        if self.as_root:
            shutil.chown(self.folder, user="postgres", group="postgres")
        subprocess.run(  # noqa: S603
            self._cmd(
                [
                    str(self.bindir / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(  # noqa: S603
            self._cmd(
                [
                    str(self.bindir / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-o",
                    options,
                    "-l",
                    str(self.folder / "log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not start; see " + str(self.folder / "log"))

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run(  # noqa: S603
            self._cmd(
                [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
            ),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def workers() -> list[str]:
    """pytest-xdist spreads each pass over the machine's cores (STEPWELL_TEST_WORKERS=N to
    choose, 0 for one process); each worker gets its own test database. One file goes to one
    worker (fixtures of a module or package are built once). STEPWELL_TEST_DIST=worksteal
    shares big files such as the access matrix; it passed the SQLite pass but has not yet
    had a full PostgreSQL pass (the one tried hit a clock bug in the consent dates)."""
    wanted = os.environ.get("STEPWELL_TEST_WORKERS", "auto").strip() or "auto"
    if wanted == "0":
        return []
    return ["-n", wanted, "--dist", os.environ.get("STEPWELL_TEST_DIST", "loadfile")]


def migrate_template(env: dict, label: str) -> subprocess.Popen:
    """Migrate one database for a pass; the pass's workers copy it (root conftest.py)."""
    cmd = [sys.executable, "manage.py", "migrate", "--run-syncdb", "--noinput", "-v0"]
    print(f"$ {' '.join(cmd)}  # {label} template", flush=True)
    return subprocess.Popen(cmd, cwd=ROOT, env=env)  # noqa: S603


def timed(label: str, started: float) -> str:
    return f"{label} ({time.monotonic() - started:.0f} s)"


def main() -> int:
    results: list[tuple[str, str]] = []
    pytest_args = sys.argv[1:]
    began = time.monotonic()

    lint = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "lint-imports")],
    ]
    lint_ok = all(run(cmd) == 0 for cmd in lint)
    results.append(("lint (ruff, ruff format, import-linter)", "passed" if lint_ok else "FAILED"))

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="stepwell.settings.test")
    for name in ("STEPWELL_DATABASE_URL", "STEPWELL_TEST_SELECTION", "STEPWELL_DB_TESTS_ONLY"):
        env.pop(name, None)
    templates = Path(tempfile.mkdtemp(prefix="stepwell-templates-"))
    sqlite_template = templates / "template.sqlite3"

    bindir = postgres_bin()
    cluster = None
    pg_note = ""
    if bindir is None:
        if require("STEPWELL_REQUIRE_POSTGRES"):
            print(
                "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin, and STEPWELL_REQUIRE_POSTGRES is set."
            )
            pg_note = "FAILED: PostgreSQL not installed"
        else:
            pg_note = (
                "SKIPPED: no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)"
            )
    else:
        cluster = Cluster(bindir)
        try:
            cluster.start()
            subprocess.run(  # noqa: S603
                [
                    str(bindir / "createdb"),
                    *("-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres"),
                    "stepwell_template",
                ],
                check=True,
            )
        except (subprocess.CalledProcessError, RuntimeError) as error:
            print(f"Could not start PostgreSQL: {error}")
            pg_note = "FAILED: could not start PostgreSQL"
            cluster.stop()
            cluster = None

    try:
        # Both templates at once, one core each: each pass migrates once, not once a worker.
        started = time.monotonic()
        building = {
            "SQLite": migrate_template(
                dict(env, STEPWELL_DATABASE_URL=f"sqlite:///{sqlite_template}"), "SQLite"
            )
        }
        if cluster:
            building["PostgreSQL"] = migrate_template(
                dict(
                    env,
                    STEPWELL_DATABASE_URL=cluster.url.rsplit("/", 1)[0] + "/stepwell_template",
                ),
                "PostgreSQL",
            )
        migrated = {label: process.wait() == 0 for label, process in building.items()}
        results.append(
            (
                timed("migrations, once per engine", started),
                "passed" if all(migrated.values()) else "FAILED",
            )
        )

        # With PostgreSQL there, each database test runs on it and SQLite keeps the rest
        # (conftest.py, STEPWELL_TEST_SELECTION); without it, everything runs on SQLite.
        started = time.monotonic()
        sqlite_env = dict(env)
        if migrated["SQLite"]:
            sqlite_env["STEPWELL_TEST_DB_TEMPLATE"] = str(sqlite_template)
        if cluster:
            sqlite_env["STEPWELL_TEST_SELECTION"] = "sqlite"
            what = "tests without a database, browser tests, engine-sensitive database tests"
        else:
            what = "the whole suite: engines, services, pages, API, browser"
        sqlite_rc = run([str(BIN / "pytest"), *workers(), *pytest_args], env=sqlite_env)
        results.append(
            (timed(f"on SQLite: {what}", started), "passed" if sqlite_rc == 0 else "FAILED")
        )

        if cluster:
            started = time.monotonic()
            pg_env = dict(
                env, STEPWELL_DATABASE_URL=cluster.url, STEPWELL_TEST_SELECTION="postgres"
            )
            if migrated.get("PostgreSQL"):
                pg_env["STEPWELL_TEST_DB_TEMPLATE"] = "stepwell_template"
            pg_rc = run(
                [str(BIN / "pytest"), *workers(), "-m", "not browser", *pytest_args], env=pg_env
            )
            pg_note = "passed" if pg_rc == 0 else "FAILED"
            results.append(
                (
                    timed(f"on PostgreSQL ({bindir.parent.name}): every database test", started),
                    pg_note,
                )
            )
        else:
            results.append(("database tests on PostgreSQL", pg_note))
    finally:
        if cluster:
            cluster.stop()
        shutil.rmtree(templates, ignore_errors=True)

    if not Path("/usr/bin/chromium").exists():
        note = (
            "FAILED: /usr/bin/chromium missing"
            if require("STEPWELL_REQUIRE_BROWSER")
            else "SKIPPED"
        )
        results.append(
            ("browser tests", f"{note} (no /usr/bin/chromium; apt-get install chromium)")
        )
    print(f"\n== Stepwell test summary ({time.monotonic() - began:.0f} s) ==")
    for name, outcome in results:
        print(f"  {outcome:<8} {name}")
    failed = sum(1 for _, outcome in results if outcome.startswith("FAILED"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
