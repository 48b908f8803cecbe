"""Who may certify as physician, and the words they attest: engine tests, no database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stepwell.plans.certification import (
    NINE_HOURS_STATEMENT,
    credential_parts,
    is_physician,
    physician_refusal,
)


@pytest.mark.parametrize(
    ("credentials", "physician"),
    [
        ("MD", True),
        ("DO", True),
        ("MD, PhD", True),
        ("M.D.", True),
        ("D.O.", True),
        ("md", True),
        ("PhD, MD", True),
        ("MD/MPH", True),
        ("DO; FAPA", True),
        ("NP", False),
        ("PMHNP", False),
        ("PMHNP-BC", False),
        ("APRN", False),
        ("APRN, PMHNP-BC", False),
        ("PA-C", False),
        ("PA", False),
        ("DNP", False),
        ("PhD", False),
        ("PsyD", False),
        ("LCSW", False),
        ("RN", False),
        ("MBBS", False),
        ("NP (supervised by an MD)", False),
        ("", False),
        ("   ", False),
    ],
)
def test_only_md_or_do_is_a_physician(credentials, physician):
    assert is_physician(credentials) is physician


def test_credential_parts_split_and_normalise():
    assert credential_parts("M.D., Ph.D.") == ("MD", "PHD")
    assert credential_parts("APRN / PMHNP-BC") == ("APRN", "PMHNP", "BC")
    assert credential_parts("NP (collaborating MD)") == ("NP",)
    assert credential_parts("") == ()


NON_PHYSICIAN = st.sampled_from(
    ["NP", "PMHNP", "APRN", "PA-C", "DNP", "PhD", "LCSW", "RN", "CNS", "FNP-BC", "MSN", "PsyD"]
)
SEPARATORS = st.sampled_from([", ", "; ", "/", " ", " | "])


@given(st.lists(NON_PHYSICIAN, min_size=0, max_size=4), SEPARATORS)
def test_no_mix_of_other_credentials_makes_a_physician(parts, separator):
    assert is_physician(separator.join(parts)) is False


@given(st.lists(NON_PHYSICIAN, max_size=4), SEPARATORS, st.sampled_from(["MD", "DO", "M.D."]))
def test_an_md_or_do_anywhere_in_the_list_is_a_physician(parts, separator, degree):
    assert is_physician(separator.join([*parts, degree])) is True
    assert is_physician(separator.join([degree, *parts])) is True


def test_refusal_names_the_credential_and_the_rule():
    assert physician_refusal("PMHNP") == (
        "Your credential (PMHNP) is not a physician's. Medicare certification needs a physician "
        "(MD or DO); a nurse practitioner or physician assistant cannot sign as physician."
    )
    assert physician_refusal("").startswith("No credential is recorded for you, so you are not")


def test_statement_says_nine_hours_and_is_versioned():
    assert NINE_HOURS_STATEMENT.version == "stepwell-iop-certification-2027.1"
    for kind in ("certification", "recertification"):
        assert "at least 9 hours a week" in NINE_HOURS_STATEMENT.text_for(kind)
    assert NINE_HOURS_STATEMENT.text_for("recertification").startswith("I recertify")
    assert NINE_HOURS_STATEMENT.text_for("certification").startswith("I certify")
