"""The calendar: ISO weeks and local times (weeks.py), the days a program is closed
(closures.py), recurring group series, their occurrences and cancelling one (services.py),
and the week addresses and the cancel page (selectors.py)."""
