"""Anytime benchmark: patients met at 2, 5, 15 and 30 s against greedy and the bound.

    python -m bench.anytime_bench [--limits 2,5,15,30] [--workers 2] [--seed 0]

Weeks: the generator's at 350 and 800 patients, and its tight variant
(`generate_hard_instance`, where greedy first fit falls 5-10% short of the bound) at
350 and 800. Each (week, limit) runs in a fresh subprocess. Reported per run: patients
met, why the optimizer stopped (`proven`, `bound`, `limit`), the wall seconds of the
whole call (model building included), and the seconds until the plan in hand first met
as many patients as the bound allows ("time to bound"; "-" when it never did). Every
plan is re-verified with the independent checker. The Markdown table goes to stdout and
to bench/results/anytime.md. The machine is named in the table; run it when the machine
is otherwise quiet, the wall-clock limits depend on it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench.schedule_generator import generate_hard_instance, generate_instance
from stepwell.schedule.optimizer.checker import check_plan
from stepwell.schedule.optimizer.greedy import greedy_plan
from stepwell.schedule.optimizer.instance import instance_from_dict
from stepwell.schedule.optimizer.plan import plan_to_dict
from stepwell.schedule.optimizer.solver import solve

WEEKS = {
    "generator-350": (generate_instance, 350),
    "generator-800": (generate_instance, 800),
    "tight-350": (generate_hard_instance, 350),
    "tight-800": (generate_hard_instance, 800),
}
RESULTS = Path(__file__).parent / "results" / "anytime.md"


def measure(week: str, limit: float, seed: int, workers: int) -> dict[str, object]:
    generator, size = WEEKS[week]
    instance = instance_from_dict(generator(size, seed))
    if limit == 0:
        plan = greedy_plan(instance)
        return {"met": plan.summary.requirements_met, "bound": plan.summary.upper_bound_met}
    reached: list[float] = []

    def progress(event) -> None:
        if event.met >= event.bound and not reached:
            reached.append(event.seconds)

    started = time.perf_counter()
    plan = solve(instance, time_limit_seconds=limit, seed=seed, workers=workers, progress=progress)
    seconds = time.perf_counter() - started
    problems = check_plan(instance, plan_to_dict(plan))
    return {
        "met": plan.summary.requirements_met,
        "bound": plan.summary.upper_bound_met,
        "stopped": plan.summary.stopped.value,
        "seconds": seconds,
        "to_bound": reached[0] if reached else None,
        "problems": problems[:3],
    }


def in_subprocess(week: str, limit: float, seed: int, workers: int) -> dict[str, object]:
    command = [sys.executable, "-m", "bench.anytime_bench", "--measure", week]
    command += ["--limits", str(limit), "--seed", str(seed), "--workers", str(workers)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.anytime_bench")
    parser.add_argument("--limits", default="2,5,15,30")
    parser.add_argument("--weeks", default=",".join(WEEKS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--measure", choices=list(WEEKS), help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    limits = [float(limit) for limit in arguments.limits.split(",")]
    if arguments.measure:
        result = measure(arguments.measure, limits[0], arguments.seed, arguments.workers)
        print(json.dumps(result))
        return 0
    lines = [
        "| week | bound | greedy met | limit s | met | vs greedy | gap to bound | stopped "
        "| wall s | time to bound s |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    load = os.getloadavg()[0]
    for week in arguments.weeks.split(","):
        greedy = in_subprocess(week, 0, arguments.seed, arguments.workers)
        for limit in limits:
            result = in_subprocess(week, limit, arguments.seed, arguments.workers)
            if result["problems"]:
                print(f"checker rejects the plan of {week} at {limit} s: {result['problems']}")
                return 1
            bound = result["bound"]
            to_bound = "-" if result["to_bound"] is None else f"{result['to_bound']:.1f}"
            lines.append(
                f"| {week} | {bound} | {greedy['met']} | {limit:g} | {result['met']} "
                f"| {result['met'] - greedy['met']:+d} "
                f"| {100 * (bound - result['met']) / bound:.1f}% | {result['stopped']} "
                f"| {result['seconds']:.1f} | {to_bound} |"
            )
            print(f"{week} {limit:g} s done", file=sys.stderr)
    machine = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{arguments.workers} CP-SAT workers, Python {platform.python_version()}, "
        f"load average {load:.1f} at the start"
    )
    text = (
        f"Anytime benchmark (seed {arguments.seed}; {machine}); every plan re-verified by "
        f"the checker.\n\n" + "\n".join(lines) + "\n"
    )
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
