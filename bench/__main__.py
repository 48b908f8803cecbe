"""`make bench`: every benchmark, figures printed as Markdown tables (not part of the test run)."""

from bench import schedule_bench

if __name__ == "__main__":
    raise SystemExit(schedule_bench.main())
