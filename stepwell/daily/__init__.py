"""Daily jobs: the work that happens once a day for each program, at the program's date.

registry.py is where an app registers its job (how to: its docstring), runs.py decides what
is due and records each run (models.DailyRun), and `stepwell daily` runs what is due; a
cron line or a systemd timer calls it every hour (docs/production.md).
"""
