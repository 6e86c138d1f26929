"""Numbers round half away from zero on the decimal value they stand for (question_bank.numbers).

Every expected text below is worked out by hand from the decimal value, the way a
learner rounds; the comments say what Python's own `format` would show instead.
"""
from __future__ import annotations

import math

import pytest

from question_bank.calculated import show_value
from question_bank.evidence import format_value
from question_bank.numbers import as_decimal, format_number


@pytest.mark.parametrize("value,spec,expected", [
    (0.6875, ".3f", "0.688"),               # exact in binary: format rounds half to even, "0.688" too
    (0.6874999999999998, ".3f", "0.688"),   # GAE's float for 0.6875; format shows "0.687"
    (0.1875 - 2e-17, ".3f", "0.188"),       # float noise below a tie: format shows "0.187"
    (0.125, ".2f", "0.13"),                 # exact tie: format rounds to even, "0.12"
    (-0.125, ".2f", "-0.13"),               # half away from zero, symmetric
    (2.675, ".2f", "2.68"),                 # binary 2.67499999…: format shows "2.67"
    (1.005, ".2f", "1.01"),                 # binary 1.00499999…: format shows "1.00"
    (0.1 + 0.2, ".2f", "0.30"),             # 0.30000000000000004 reads as 0.3
    (0.0625, ".1%", "6.3%"),                # 6.25 %: format shows "6.2%"
    (2.0625, ".4g", "2.063"),               # four significant digits, exact tie: format shows "2.062"
    (0.00012345, ".3e", "1.235e-04"),       # 1.2345e-4: format shows "1.234e-04"
    (1234.5, ",.0f", "1,235"),              # grouping still applies
    (0.5, "+.0f", "+1"),                    # the sign option still applies
    (3, ".2f", "3.00"),                     # whole numbers
    (0.0, ".2f", "0.00"),
])
def test_format_number_rounds_half_away_from_zero_on_the_decimal_value(value, spec, expected):
    assert format_number(value, spec) == expected


@pytest.mark.parametrize("value,spec", [(50257, ",d"), (7, "d"), (1.5, ""), (0.1, ">8")])
def test_specs_without_places_are_left_to_format(value, spec):
    assert format_number(value, spec) == format(value, spec)


def test_values_that_are_not_finite_are_left_to_format():
    assert format_number(math.inf, ".2f") == "inf"
    assert format_number(math.nan, ".2f") == "nan"


def test_a_float_reads_as_the_decimal_it_stands_for():
    assert str(as_decimal(0.6874999999999998)) == "0.6875"
    assert str(as_decimal(0.30000000000000004)) == "0.3"
    assert str(as_decimal(1e-20)) == "1E-20"


def test_calculated_choices_and_captions_round_the_same_way():
    assert show_value(0.6874999999999998, "{:.3f}") == "0.688"
    assert show_value(-0.6874999999999998, "{:.3f}") == "\u22120.688"
    assert format_value(0.6874999999999998, ".3f") == "0.688"
    assert format_value(0.6874999999999998, ".3f", lang="de") == "0,688"



def test_rounding_and_the_language_style_combine():
    assert format_number(0.6874999999999998, ".3f", "de") == "0,688"
    assert format_number(1234.5, ",.0f", "de") == "1.235"
    assert format_number(0.125, ".2f", "en") == "0.13"
