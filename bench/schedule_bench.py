"""Schedule benchmark: the optimizer against greedy first-fit and the upper bound.

    python -m bench.schedule_bench [--sizes 50,200,500,1000] [--seed 0] [--workers 2]

Each size is generated (bench/schedule_generator.py) and solved in a fresh subprocess,
once by the optimizer and once by the greedy baseline, so the peak memory (ru_maxrss of
that process: Python, OR-Tools and the model) belongs to one method alone. Every plan is
re-verified with the independent checker. The Markdown table goes to stdout and to
bench/results/schedule.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.schedule_generator import generate_instance
from stepwell.schedule.optimizer.checker import check_plan
from stepwell.schedule.optimizer.greedy import greedy_plan
from stepwell.schedule.optimizer.instance import instance_from_dict
from stepwell.schedule.optimizer.plan import plan_to_dict
from stepwell.schedule.optimizer.solver import solve

TIME_LIMITS = {50: 10.0, 200: 10.0, 500: 30.0, 1000: 60.0}
RESULTS = Path(__file__).parent / "results" / "schedule.md"


def measure(method: str, size: int, seed: int, workers: int) -> dict[str, object]:
    """Run one method on one size in this process; report counts, seconds, peak memory."""
    instance = instance_from_dict(generate_instance(size, seed))
    started = time.perf_counter()
    if method == "optimizer":
        plan = solve(
            instance, time_limit_seconds=TIME_LIMITS.get(size, 60.0), seed=seed, workers=workers
        )
    else:
        plan = greedy_plan(instance)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    problems = check_plan(instance, plan_to_dict(plan))
    return {
        "patients": len(instance.patients),
        "sessions": len(instance.sessions),
        "staff": len(instance.staff),
        "met": plan.summary.requirements_met,
        "upper_bound": plan.summary.upper_bound_met,
        "status": plan.status.value,
        # the greedy plan's own time, without the upper-bound check it reports too
        "seconds": seconds if method == "optimizer" else plan.summary.solve_seconds,
        "peak_mb": peak_mb,
        "problems": problems[:5],
    }


def in_subprocess(method: str, size: int, seed: int, workers: int) -> dict[str, object]:
    command = [sys.executable, "-m", "bench.schedule_bench", "--measure", method]
    command += ["--sizes", str(size), "--seed", str(seed), "--workers", str(workers)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: list[tuple[int, dict[str, object], dict[str, object]]]) -> str:
    lines = [
        "| size | patients | sessions | staff | upper bound | optimizer met | greedy met "
        "| optimizer status | time limit s | solve s | peak MB | greedy s | greedy peak MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size, optimizer, greedy in rows:
        lines.append(
            f"| {size} | {optimizer['patients']} | {optimizer['sessions']} | {optimizer['staff']} "
            f"| {optimizer['upper_bound']} | {optimizer['met']} | {greedy['met']} "
            f"| {optimizer['status']} | {TIME_LIMITS.get(size, 60.0):.0f} "
            f"| {optimizer['seconds']:.1f} | {optimizer['peak_mb']:.0f} "
            f"| {greedy['seconds']:.1f} | {greedy['peak_mb']:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.schedule_bench")
    parser.add_argument("--sizes", default="50,200,500,1000")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--measure", choices=["optimizer", "greedy"], help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    sizes = [int(size) for size in arguments.sizes.split(",")]
    if arguments.measure:
        print(json.dumps(measure(arguments.measure, sizes[0], arguments.seed, arguments.workers)))
        return 0
    rows = []
    for size in sizes:
        optimizer = in_subprocess("optimizer", size, arguments.seed, arguments.workers)
        greedy = in_subprocess("greedy", size, arguments.seed, arguments.workers)
        for method, result in (("optimizer", optimizer), ("greedy", greedy)):
            if result["problems"]:
                print(f"checker rejects the {method} plan at {size}: {result['problems']}")
                return 1
        rows.append((size, optimizer, greedy))
        print(f"size {size} done", file=sys.stderr)
    report = table(rows)
    machine = f"{platform.processor() or platform.machine()}, {arguments.workers} workers"
    text = (
        f"Schedule benchmark (seed {arguments.seed}, {machine}, Python "
        f"{platform.python_version()}); every plan re-verified by the checker.\n\n{report}\n"
    )
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
