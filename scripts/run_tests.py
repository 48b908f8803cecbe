"""`make test`: lint, then the suite split over two engines.

With PostgreSQL: every database test on a throwaway PostgreSQL cluster; on SQLite the tests
that need no database, the browser tests and the engine-sensitive database tests (see the
root conftest.py). Without PostgreSQL: the whole suite on SQLite. Each engine migrates once;
the pytest-xdist workers copy that database and share the tests by work stealing. The end
prints the 25 slowest tests of both passes and each step's wall and processor time; every
test's time stays in var/test-durations-<engine>.json.

PostgreSQL: Debian's binaries under /usr/lib/postgresql/*/bin start a cluster in a temp
folder on 127.0.0.1 (as the `postgres` user when run as root; initdb refuses root).
Chromium: /usr/bin/chromium drives the browser tests through Playwright.
STEPWELL_REQUIRE_POSTGRES=1 / STEPWELL_REQUIRE_BROWSER=1 turn a missing one into a failure.
"""

from __future__ import annotations

import glob
import json
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

    def cpu_seconds(self) -> float:
        """The server's processor time so far: the postmaster's and that of its ended
        children (each connection's backend), from /proc; 0 where that cannot be read."""
        try:
            pid = (self.data / "postmaster.pid").read_text().split()[0]
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return 0.0
        # utime, stime, cutime, cstime: fields 14 to 17 of proc(5), 11 to 14 after the name.
        return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")

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
    choose, 0 for one process); each worker gets its own test database.

    Work stealing: the tests are dealt out in order and a worker that runs out takes half
    of what another has left, so a big file is shared. The access matrix is more than half
    of the PostgreSQL pass; one file per worker (``STEPWELL_TEST_DIST=loadfile``, the old
    way) left it to one worker while the other sat idle. A module's or package's fixture
    (the matrix clinic) is then built once per worker that runs its tests, not once."""
    wanted = os.environ.get("STEPWELL_TEST_WORKERS", "auto").strip() or "auto"
    if wanted == "0":
        return []
    return ["-n", wanted, "--dist", os.environ.get("STEPWELL_TEST_DIST", "worksteal")]


def migrate_template(env: dict, label: str) -> subprocess.Popen:
    """Migrate one database for a pass; the pass's workers copy it (root conftest.py)."""
    cmd = [sys.executable, "manage.py", "migrate", "--run-syncdb", "--noinput", "-v0"]
    print(f"$ {' '.join(cmd)}  # {label} template", flush=True)
    return subprocess.Popen(cmd, cwd=ROOT, env=env)  # noqa: S603


class Clock:
    """Wall time and processor time of one step. On a shared machine the wall time says
    how busy the machine was; the processor time (the step's processes and the
    PostgreSQL server's) is the work itself, comparable between runs."""

    def __init__(self, cluster: Cluster | None = None):
        self.cluster = cluster
        self.server_cpu = 0.0  # the whole run's: the server's time when it stopped
        self.wall = time.monotonic()
        self.cpu = self._cpu()

    def _cpu(self) -> float:
        times = os.times()
        server = self.cluster.cpu_seconds() if self.cluster else self.server_cpu
        return times.children_user + times.children_system + server

    def label(self, what: str) -> str:
        wall = time.monotonic() - self.wall
        return f"{what} ({wall:.0f} s, {self._cpu() - self.cpu:.0f} s of processor time)"


class Pass:
    """One pytest run of the suite (one engine): its label, command and environment, and
    the PostgreSQL cluster whose processor time its clock counts (None for SQLite)."""

    def __init__(self, label: str, cmd: list[str], env: dict, cluster: Cluster | None = None):
        self.label, self.cmd, self.env, self.cluster = label, cmd, env, cluster


def together() -> bool:
    """Run the two passes at the same time (the default) or one after the other
    (STEPWELL_TEST_PASSES=serial). Alone, each pass leaves a core idle for part of its
    time: the browser tests wait on Chromium and the live server, and a pass's last long
    test runs while the other worker has nothing left. Together, the other pass fills
    those gaps; the machine's cores are shared by both passes' workers."""
    return os.environ.get("STEPWELL_TEST_PASSES", "together").strip() != "serial"


# pytest's exit code when no test was selected: a pass that arguments narrowed to a few
# tests may have none of its engine's (no database test under stepwell/placement). The
# whole suite with none selected is a failure: the selection itself would be wrong.
NO_TESTS_SELECTED = 5


def outcome_of(code: int, narrowed: bool) -> str:
    if code == NO_TESTS_SELECTED and narrowed:
        return "passed (no tests selected)"
    return "passed" if code == 0 else "FAILED"


def run_passes(passes: list[Pass], folder: Path, *, narrowed: bool) -> list[tuple[str, str]]:
    """Run the passes and answer (label, outcome) for each; `narrowed`: arguments for
    pytest (a path, -k) chose the tests. Together, each pass's output goes to a file and
    is printed whole when the pass ends, so the two do not interleave; the summary's wall
    time of a pass is then from the common start."""
    if len(passes) < 2 or not together():
        outcomes = []
        for one in passes:
            clock = Clock(one.cluster)
            code = run(one.cmd, env=one.env)
            outcomes.append((clock.label(one.label), outcome_of(code, narrowed)))
        return outcomes
    clock = Clock(passes[-1].cluster)
    running = []
    for number, one in enumerate(passes):
        log = (folder / f"pass-{number}.log").open("w")
        print("$", " ".join(one.cmd), f" # {one.label}; its output when it ends", flush=True)
        process = subprocess.Popen(  # noqa: S603
            one.cmd, cwd=ROOT, env=one.env, stdout=log, stderr=subprocess.STDOUT
        )
        running.append((one, process, log))
    ended: dict[str, tuple[str, str]] = {}
    while len(ended) < len(running):
        time.sleep(0.5)
        for one, process, log in running:
            if one.label in ended or process.poll() is None:
                continue
            log.close()
            # Wall time from the common start. Processor time cannot be told apart while
            # the passes share the cores: the last to end shows both passes' total.
            label = clock.label(f"{one.label}; both passes so far")
            print(f"\n== {label} ==", flush=True)
            print(Path(log.name).read_text(), flush=True)
            ended[one.label] = (label, outcome_of(process.returncode, narrowed))
    return [ended[one.label] for one in passes]


SLOWEST = 25


def slowest_tests(durations: dict[str, Path], count: int = SLOWEST) -> list[str]:
    """The slowest tests of the passes (setup, call and teardown together), each with its
    engine, from the files the root conftest.py writes (STEPWELL_DURATIONS_FILE)."""
    rows = []
    for engine, path in durations.items():
        if path.exists():
            rows += [
                (seconds, engine, test) for test, seconds in json.loads(path.read_text()).items()
            ]
    rows.sort(reverse=True)
    return [f"  {seconds:7.1f} s  {engine:<10} {test}" for seconds, engine, test in rows[:count]]


def keep_durations(durations: dict[str, Path]) -> None:
    """Every test's time, kept in var/test-durations-<engine>.json after the run, for
    finding where the suite's time goes (the summary prints only the slowest)."""
    kept = ROOT / "var"
    kept.mkdir(exist_ok=True)
    for engine, path in durations.items():
        if path.exists():
            shutil.copyfile(path, kept / f"test-durations-{engine}.json")


def main() -> int:
    results: list[tuple[str, str]] = []
    pytest_args = sys.argv[1:]
    began = Clock()

    lint = [
        [str(BIN / "ruff"), "check", "."],
        [str(BIN / "ruff"), "format", "--check", "."],
        [str(BIN / "lint-imports")],
    ]
    lint_ok = all(run(cmd) == 0 for cmd in lint)
    results.append(("lint (ruff, ruff format, import-linter)", "passed" if lint_ok else "FAILED"))

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="stepwell.settings.test")
    # Compiled bytecode (and pytest's rewritten test modules) under var/pycache, kept
    # between the suite's processes and runs: with PYTHONDONTWRITEBYTECODE each of the
    # processes (workers of both passes, migrations, command-line tests) compiled the
    # project and its libraries again, about 10 s of processor time each.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", str(ROOT / "var" / "pycache"))
    for name in ("STEPWELL_DATABASE_URL", "STEPWELL_TEST_SELECTION", "STEPWELL_DB_TESTS_ONLY"):
        env.pop(name, None)
    templates = Path(tempfile.mkdtemp(prefix="stepwell-templates-"))
    sqlite_template = templates / "template.sqlite3"
    durations = {
        engine: templates / f"durations-{engine}.json" for engine in ("SQLite", "PostgreSQL")
    }

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
        clock = Clock(cluster)
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
                clock.label("migrations, once per engine"),
                "passed" if all(migrated.values()) else "FAILED",
            )
        )

        # With PostgreSQL there, each database test runs on it and SQLite keeps the rest
        # (conftest.py, STEPWELL_TEST_SELECTION); without it, everything runs on SQLite.
        sqlite_env = dict(env, STEPWELL_DURATIONS_FILE=str(durations["SQLite"]))
        if migrated["SQLite"]:
            sqlite_env["STEPWELL_TEST_DB_TEMPLATE"] = str(sqlite_template)
        passes = []
        if cluster:
            sqlite_env["STEPWELL_TEST_SELECTION"] = "sqlite"
            what = "tests without a database, browser tests, engine-sensitive database tests"
        else:
            what = "the whole suite: engines, services, pages, API, browser"
        passes.append(
            Pass(f"on SQLite: {what}", [str(BIN / "pytest"), *workers(), *pytest_args], sqlite_env)
        )
        if cluster:
            pg_env = dict(
                env,
                STEPWELL_DATABASE_URL=cluster.url,
                STEPWELL_TEST_SELECTION="postgres",
                STEPWELL_DURATIONS_FILE=str(durations["PostgreSQL"]),
            )
            if migrated.get("PostgreSQL"):
                pg_env["STEPWELL_TEST_DB_TEMPLATE"] = "stepwell_template"
            passes.append(
                Pass(
                    f"on PostgreSQL ({bindir.parent.name}): every database test",
                    [str(BIN / "pytest"), *workers(), "-m", "not browser", *pytest_args],
                    pg_env,
                    cluster,
                )
            )
        results += run_passes(passes, templates, narrowed=bool(pytest_args))
        if not cluster:
            results.append(("database tests on PostgreSQL", pg_note))
    finally:
        slowest = slowest_tests(durations)
        keep_durations(durations)
        if cluster:
            began.server_cpu = cluster.cpu_seconds()
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
    if slowest:
        print(f"\n== The {len(slowest)} slowest tests (setup, call and teardown) ==")
        print("\n".join(slowest))
    print(f"\n== Stepwell test summary: {began.label('make test')} ==")
    for name, outcome in results:
        print(f"  {outcome:<8} {name}")
    failed = sum(1 for _, outcome in results if outcome.startswith("FAILED"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
