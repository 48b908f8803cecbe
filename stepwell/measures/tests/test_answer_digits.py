"""Answers typed as text are numbers only in ASCII digits (issue 10 §12).

int() reads '٣' (Arabic-Indic) and '３' (fullwidth) as 3 and raises on '²' or 5,000
digits; a questionnaire answer must be one of the printed options, so all of these are
an error naming the item.
"""

from __future__ import annotations

import pytest

from stepwell.measures.instruments import get_instrument, score

EIGHT_MORE = ["1"] * 8


@pytest.mark.parametrize("answer", ["٣", "３", "²", "--1", "9" * 5000, "1.0", "+-1"])
def test_an_answer_that_is_not_ascii_digits_is_an_error_naming_the_item(answer):
    result = score(get_instrument("phq9"), [answer, *EIGHT_MORE])
    assert result.valid is False
    assert result.total is None
    error = result.errors[0]
    assert (error.item_key, error.item_number) == ("phq9_1", 1)
    assert error.message.startswith("item 1 (phq9_1): answer ")


@pytest.mark.parametrize(("answer", "total"), [("3", 11), (" 2 ", 10), ("0", 8)])
def test_ascii_digits_still_score(answer, total):
    result = score(get_instrument("phq9"), [answer, *EIGHT_MORE])
    assert (result.valid, result.total) == (True, total)
