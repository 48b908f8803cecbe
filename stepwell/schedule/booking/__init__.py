"""Bookings: enrolments and appointments (services.py), the 5-minute slot claims that make
double booking impossible (claims.py), the week pages of a program, patient or staff member
(selectors.py, week_items.py), calendar feeds (feeds.py) and the release of a discharged
patient's future bookings (release.py)."""
