"""The optimizer engine, plain Python without Django: the week file (instance.py), the plan
(plan.py), candidates, the greedy plan, the CP-SAT model and search, the upper bound, the
solver, the independent checker and the `stepwell schedule solve` command line."""
