"""The people of the `clinic` test fixture (conftest.py), by attribute name: one of each
role in program A, a clinician of program B, an administrator and a patient user. Tests
that ask a rule of everyone go over this tuple."""

CLINIC_PEOPLE = (
    "clinician_a",
    "clinician_b",
    "prescriber_a",
    "nurse_a",
    "intake_a",
    "director_a",
    "billing_a",
    "admin",
    "patient_user_a",
)
