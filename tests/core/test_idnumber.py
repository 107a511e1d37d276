"""GB 11643 resident ID numbers (issue 2: ID numbers checked, sex and birth date derived)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ygt_desktop.core import idnumber
from ygt_desktop.core.idnumber import IdNumberError, check_char, parse

TODAY = dt.date(2026, 11, 23)


def test_public_example_is_valid():
    info = parse("11010519491231002X", TODAY)
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.sex == "2"  # sequence 002 is even: female
    assert info.address_code == "110105"


def test_lower_case_x_is_accepted_and_stored_upper_case():
    assert parse("11010519491231002x", TODAY).number == "11010519491231002X"


def test_wrong_check_character_names_the_expected_one():
    with pytest.raises(IdNumberError, match="校验位应为 X"):
        parse("110105194912310021", TODAY)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("1101051949123100", "18位"),
        ("1101051949123100211", "18位"),
        ("11010519491231A02X", "数字"),
        ("110105194902300021", "不存在"),  # 30 February
        ("110105203001010011", "晚于今天"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(raw, words):
    with pytest.raises(IdNumberError, match=words):
        parse(raw, TODAY)


def test_old_fifteen_digit_number_is_converted():
    info = parse("110105491231002", TODAY)
    assert info.number == "11010519491231002X"


dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)


@given(
    area=st.sampled_from(["530102", "110105", "532301", "440305"]),
    birth=dates,
    seq=st.integers(min_value=0, max_value=999),
)
def test_every_generated_number_round_trips(area, birth, seq):
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    number = first17 + check_char(first17)
    info = parse(number, TODAY)
    assert info.birth_date == birth
    assert info.sex == ("1" if seq % 2 else "2")


@given(
    birth=dates,
    seq=st.integers(min_value=0, max_value=999),
    wrong=st.sampled_from("0123456789X"),
)
def test_any_other_check_character_is_refused(birth, seq, wrong):
    first17 = f"530102{birth:%Y%m%d}{seq:03d}"
    right = check_char(first17)
    if wrong == right:
        return
    with pytest.raises(IdNumberError, match=f"校验位应为 {right}"):
        parse(first17 + wrong, TODAY)


@given(text=st.text(max_size=25))
def test_arbitrary_text_never_crashes(text):
    try:
        parse(text, TODAY)
    except IdNumberError:
        pass


def test_mask_keeps_area_and_last_four():
    assert idnumber.mask("11010519491231002X") == "110105********002X"
