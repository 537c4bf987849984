"""Specification of the extras: the contract's fields without an attribute of their own, in each form."""

from __future__ import annotations

import math

import pytest

from contract import observation as fields
from desktop import observation_extras as extras

ALTITUDE = fields.ObservationField(
    "altitude", fields.ValueKind.NUMBER, fields.RunSlot.TAG, "altitude", "altitude"
)
IN_BLOOM = fields.ObservationField(
    "in_bloom", fields.ValueKind.FLAG, fields.RunSlot.TAG, "in_bloom", "in_bloom"
)
HABITAT = fields.ObservationField(
    "habitat", fields.ValueKind.TEXT, fields.RunSlot.PARAM, "habitat", "habitat"
)


def test_todays_contract_has_no_extras_every_field_has_its_attribute_or_is_derived() -> None:
    assert extras.EXTRA_FIELDS == ()
    assert frozenset(fields.FIELDS) == extras.HELD


@pytest.mark.parametrize(
    ("field", "value", "cell", "run"),
    [
        (ALTITUDE, 1234.5, "1234.5", "1234.5"),
        (ALTITUDE, 12, "12.0", "12.0"),
        (IN_BLOOM, True, "1", "true"),
        (IN_BLOOM, False, "0", "false"),
        (HABITAT, "wet meadow", "wet meadow", "wet meadow"),
    ],
)
def test_a_value_reads_back_from_its_csv_cell_and_travels_as_text_in_a_run(
    field: fields.ObservationField, value: object, cell: str, run: str
) -> None:
    assert extras.csv_cell(field, value) == cell
    assert extras.from_csv_cell(field, cell) == value
    assert extras.run_text(field, value) == run


def test_a_blank_cell_is_no_value_and_no_value_is_a_blank_cell() -> None:
    assert extras.from_csv_cell(ALTITUDE, "") is None
    assert extras.csv_cell(ALTITUDE, None) == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [(ALTITUDE, math.inf), (ALTITUDE, True), (ALTITUDE, "high"), (IN_BLOOM, 1), (HABITAT, 3.0)],
)
def test_a_value_the_kind_cannot_hold_is_refused_with_the_field_named(
    field: fields.ObservationField, value: object
) -> None:
    with pytest.raises(extras.ExtraValueError, match=field.name):
        extras.checked(field, value)


@pytest.mark.parametrize(("field", "cell"), [(ALTITUDE, "high"), (ALTITUDE, "nan"), (IN_BLOOM, "yes")])
def test_an_unreadable_cell_is_refused(field: fields.ObservationField, cell: str) -> None:
    with pytest.raises(extras.ExtraValueError, match=repr(cell)):
        extras.from_csv_cell(field, cell)


def test_the_history_keeps_them_as_one_json_object_and_unreadable_text_reads_as_none() -> None:
    text = extras.extras_json({"habitat": "Wiese", "altitude": 1.5})
    assert text == '{"altitude": 1.5, "habitat": "Wiese"}'
    assert extras.extras_of(text) == {"altitude": 1.5, "habitat": "Wiese"}
    assert (
        extras.extras_of("{broken") == {} and extras.extras_of("[1]") == {} and extras.extras_of(None) == {}
    )
