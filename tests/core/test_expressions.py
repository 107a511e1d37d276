"""Form expressions: a field named like a function (``bmi``, on the follow-ups and the
健康体检表) is the field's value; a call is the function."""

from __future__ import annotations

import pytest

from ygt_desktop.core.expressions import Expression, ExpressionError


def test_a_field_named_like_a_function_is_the_fields_value():
    band = Expression("bmi >= 24")
    assert band.names == {"bmi"}
    assert band.evaluate({"bmi": 25.1}) is True
    assert band.evaluate({"bmi": 22.0}) is False


def test_a_call_and_a_field_of_one_name_in_one_expression():
    both = Expression("bmi(weight, height) != bmi")
    assert both.names == {"bmi", "weight", "height"}
    assert both.evaluate({"weight": 70, "height": 175, "bmi": 22.9}) is False
    assert both.evaluate({"weight": 70, "height": 175, "bmi": 30}) is True


def test_unknown_functions_are_still_refused():
    with pytest.raises(ExpressionError, match="未知函数"):
        Expression("open(x)")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, 0),
        ("", 0),
        ([], 0),
        (["1"], 1),
        (["2", "3", "4"], 3),
        (("2", "3"), 2),
        ("2,3,7", 3),  # a multichoice as stored
        ([{"disease": "2"}, {"disease": "3"}], 2),  # a repeating group's lines
    ],
)
def test_size_counts_the_items_of_a_list_or_multichoice(value, expected):
    assert Expression("size(x)").evaluate({"x": value}) == expected


def test_size_compares_in_a_check_and_is_not_a_field():
    too_many = Expression("size(family_father) > 6")
    assert too_many.names == {"family_father"}
    assert too_many.evaluate({"family_father": [str(c) for c in range(2, 9)]}) is True
    assert too_many.evaluate({"family_father": [str(c) for c in range(2, 8)]}) is False
    assert too_many.evaluate({"family_father": None}) is False


def test_today_can_be_called_in_an_expression():
    # dt.date.today called from the sandbox failed importing the time module
    import datetime as dt

    assert Expression("today()").evaluate({}) == dt.date.today()
    young = Expression("years_between(birth_date, today()) < 1")
    assert young.evaluate({"birth_date": dt.date.today() - dt.timedelta(days=30)}) is True
