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
