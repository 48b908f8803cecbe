"""Between the calendar and the optimizer: a program week exported in the engine's file
format (export.py and its builders), compared with a plan (compare.py), planning runs
started and accepted (services.py), run in the background (tasks.py) and shown
(selectors.py, run_results.py)."""
