"""The load test in one command: `python bench/load/run.py --users 50` (or `make load`).

It starts a throwaway PostgreSQL cluster (as the test runner does), migrates it, seeds the
demo clinic plus a chain of --patients more, prepares the day (bench/load/prepare.py),
starts gunicorn with --web-workers workers and --job-workers background-job workers, runs
locust headless for --duration seconds (bench/load/locustfile.py), prints requests per
second, the median, 95th and 99th percentile times and the errors, and stops everything.
`--database-url` runs against a database already seeded instead (nothing is built).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))


VACUUM_ANALYZE = (
    "import django; django.setup(); from django.db import connection; "
    "connection.cursor().execute('VACUUM ANALYZE')"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _step(label: str, command: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    started = time.perf_counter()
    print(f"... {label}", flush=True)
    done = subprocess.run(command, env=env, cwd=ROOT, check=True, **kwargs)  # noqa: S603
    print(f"    {label}: {time.perf_counter() - started:.0f} s", flush=True)
    return done


def _wait_for(url: str, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    last: object = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - our server
                if answer.status == 200:
                    return
                last = answer.status
        except OSError as error:
            last = error
        time.sleep(0.5)
    raise SystemExit(f"The server did not answer {url} within {seconds:.0f} s ({last})")


def _warm(host: str, workers: int) -> None:
    """A few pages per worker before the clock starts (templates compiled, caches full)."""
    from concurrent.futures import ThreadPoolExecutor

    def get(_: int) -> None:
        with urllib.request.urlopen(f"{host}/accounts/login/", timeout=120) as answer:  # noqa: S310
            answer.read()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers * 2) as pool:
        list(pool.map(get, range(workers * 8)))
    print(f"    warm-up: {time.perf_counter() - started:.0f} s", flush=True)


def _summary(stats_csv: Path) -> list[dict]:
    with stats_csv.open() as f:
        return list(csv.DictReader(f))


def _print_summary(rows: list[dict], users: int, duration: int) -> None:
    print(f"\n{users} users, {duration} s\n")
    print("| step | requests | errors | req/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        name = row["Name"] if row["Type"] else "**all**"
        print(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | "
            f"{float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | {row['99%']} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--spawn-rate", type=float, default=0, help="users started a second")
    parser.add_argument("--patients", type=int, default=2000, help="the chain's patients")
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--job-workers", type=int, default=2)
    parser.add_argument("--links", type=int, default=600, help="questionnaire links")
    parser.add_argument("--database-url", default="", help="use this seeded database")
    args = parser.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="stepwell-load-"))
    cluster = None
    processes: list[subprocess.Popen] = []
    try:
        url = args.database_url
        if not url:
            import run_tests

            bindir = run_tests.postgres_bin()
            if bindir is None:
                raise SystemExit("PostgreSQL is not installed (no initdb found).")
            cluster = run_tests.Cluster(bindir)
            cluster.start()
            url = cluster.url
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="stepwell.settings.demo",
            STEPWELL_DATABASE_URL=url,
            STEPWELL_LOAD_DAY=str(folder / "day.json"),
            PYTHONPATH=str(ROOT),
        )
        python = sys.executable
        if not args.database_url:
            _step(
                "migrate",
                [python, "manage.py", "migrate", "--noinput"],
                env,
                stdout=subprocess.DEVNULL,
            )
            _step(
                f"seed-demo --patients {args.patients}",
                [python, "manage.py", "seed-demo", "--patients", str(args.patients)],
                env,
                stdout=subprocess.DEVNULL,
            )
            # A clinic's database has its statistics and no backlog of dead rows; one just
            # filled in bulk would have autovacuum catch up during the run (a run right
            # after seeding had p99 of 900 ms in every step).
            _step("vacuum analyze", [python, "-c", VACUUM_ANALYZE], env)
        with (folder / "day.json").open("w") as day:
            _step(
                "prepare the day",
                [python, "bench/load/prepare.py", str(args.links)],
                env,
                stdout=day,
            )

        port = _free_port()
        host = f"http://127.0.0.1:{port}"
        log = (folder / "servers.log").open("w")
        processes.append(
            subprocess.Popen(  # noqa: S603
                [
                    python,
                    "-m",
                    "gunicorn",
                    "stepwell.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.web_workers),
                    "--config",
                    "bench/load/gunicorn_conf.py",
                ],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with its workers
            )
        )
        for _ in range(args.job_workers):
            processes.append(
                subprocess.Popen(  # noqa: S603
                    [python, "manage.py", "db_worker"],
                    env=env,
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        _wait_for(f"{host}/healthz")
        _warm(host, args.web_workers)
        print(
            f"... gunicorn ({args.web_workers} workers) and {args.job_workers} job workers "
            f"up; locust: {args.users} users for {args.duration} s",
            flush=True,
        )
        spawn = args.spawn_rate or max(1.0, args.users / 10)
        prefix = folder / "locust"
        subprocess.run(  # noqa: S603
            [
                python,
                "-m",
                "locust",
                "-f",
                "bench/load/locustfile.py",
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(spawn),
                "--run-time",
                f"{args.duration}s",
                "--host",
                host,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            env=env,
            cwd=ROOT,
            check=True,
        )
        _print_summary(_summary(Path(f"{prefix}_stats.csv")), args.users, args.duration)
        failures = Path(f"{prefix}_failures.csv")
        if failures.exists() and len(failures.read_text().splitlines()) > 1:
            print("\nErrors:\n" + failures.read_text())
        return 0
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
        if processes:
            with contextlib.suppress(ProcessLookupError):  # workers outliving their master
                os.killpg(processes[0].pid, signal.SIGKILL)
        if cluster is not None:
            cluster.stop()
        if os.environ.get("STEPWELL_LOAD_KEEP"):
            print(f"Kept {folder} (servers.log, locust CSV files)")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
