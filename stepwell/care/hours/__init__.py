"""Weekly hours: the payer rules engine (rules.py, no Django), a patient's and a program's
week from the records (weekly.py), step-down weeks (services.py) and the hours pages
(selectors.py)."""
