"""`make test`: lint, the suite on SQLite, the database tests again on a throwaway PostgreSQL.

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
    """pytest-xdist spreads the suite over the machine's cores (STEPWELL_TEST_WORKERS=N to
    choose, 0 for one process); each worker gets its own test database."""
    wanted = os.environ.get("STEPWELL_TEST_WORKERS", "auto").strip() or "auto"
    if wanted == "0":
        return []
    return ["-n", wanted, "--dist", "loadfile"]


def main() -> int:
    results: list[tuple[str, str]] = []
    pytest_args = sys.argv[1:]

    lint = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "lint-imports")],
    ]
    lint_ok = all(run(cmd) == 0 for cmd in lint)
    results.append(("lint (ruff, ruff format, import-linter)", "passed" if lint_ok else "FAILED"))

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="stepwell.settings.test")
    env.pop("STEPWELL_DATABASE_URL", None)
    sqlite_rc = run([str(BIN / "pytest"), *workers(), *pytest_args], env=env)
    results.append(
        (
            "suite on SQLite (engines, services, pages, API, browser)",
            "passed" if sqlite_rc == 0 else "FAILED",
        )
    )

    bindir = postgres_bin()
    pg_rc = 0
    if bindir is None:
        if require("STEPWELL_REQUIRE_POSTGRES"):
            print(
                "PostgreSQL binaries not found under /usr/lib/postgresql/*/bin, and STEPWELL_REQUIRE_POSTGRES is set."
            )
            pg_rc = 1
            results.append(("database tests on PostgreSQL", "FAILED: PostgreSQL not installed"))
        else:
            results.append(
                (
                    "database tests on PostgreSQL",
                    "SKIPPED: no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)",
                )
            )
    else:
        cluster = Cluster(bindir)
        try:
            cluster.start()
            pg_env = dict(env, STEPWELL_DATABASE_URL=cluster.url, STEPWELL_DB_TESTS_ONLY="1")
            pg_rc = run(
                [str(BIN / "pytest"), *workers(), "-m", "not browser", *pytest_args], env=pg_env
            )
        except (subprocess.CalledProcessError, RuntimeError) as error:
            print(f"Could not start PostgreSQL: {error}")
            pg_rc = 1
        finally:
            cluster.stop()
        results.append(
            (
                f"database tests on PostgreSQL ({bindir.parent.name})",
                "passed" if pg_rc == 0 else "FAILED",
            )
        )

    if not Path("/usr/bin/chromium").exists():
        note = (
            "FAILED: /usr/bin/chromium missing"
            if require("STEPWELL_REQUIRE_BROWSER")
            else "SKIPPED"
        )
        results.append(
            ("browser tests", f"{note} (no /usr/bin/chromium; apt-get install chromium)")
        )
    print("\n== Stepwell test summary ==")
    for name, outcome in results:
        print(f"  {outcome:<8} {name}")
    failed = sum(1 for _, outcome in results if outcome.startswith("FAILED"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
