"""Attendance: the status rules (states.py, no Django), rosters, marks and walk-ins
(services.py), and the reads of the roster pages (selectors.py)."""
