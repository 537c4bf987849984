"""The one set of rules a measurement must pass, for the window, the command line and every import.

What may be entered follows from the model card: each feature's plausible range (its minimum excluded)
at the feature's resolution (0.1 cm for Iris), so 0.1–15 cm for a sepal length. A typed value is taken
exactly or refused with one sentence: never rounded, clamped or shortened (a value of 100,000 digits is
named as such, never as "inf").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from desktop.errors import InputError
from desktop.tables.measurement_table import CONVERTED_DECIMALS, UNIT_FACTORS, decimals_of, parse_measurement

# A typed value longer than this is shown shortened in a sentence, with its number of digits.
SHOWN_CHARACTERS = 16


class RangedFeature(Protocol):
    """What the rules need of a feature (the model card's ``Feature`` fits)."""

    @property
    def label(self) -> str: ...  # noqa: D102

    @property
    def unit(self) -> str: ...  # noqa: D102

    @property
    def plausible_min(self) -> float: ...  # noqa: D102

    @property
    def plausible_max(self) -> float: ...  # noqa: D102

    @property
    def resolution(self) -> float: ...  # noqa: D102


class MeasurementProblem(StrEnum):
    """Why a measurement was refused."""

    NOT_A_NUMBER = "not-a-number"
    TOO_SMALL = "too-small"
    TOO_LARGE = "too-large"
    TOO_PRECISE = "too-precise"


class MeasurementRefused(InputError):
    """A measurement broke a rule; ``problem`` says which, ``shown`` is the value as the user gave it."""

    def __init__(self, message: str, problem: MeasurementProblem, shown: str):
        super().__init__(message)
        self.problem = problem
        self.shown = shown


@dataclass(frozen=True)
class Allowed:
    """What one feature may be: ``low`` to ``high`` inclusive, at most ``decimals`` decimals."""

    low: float
    high: float
    decimals: int


def decimals_for(resolution: float) -> int:
    """Return how many decimals a step of ``resolution`` needs (0.1 -> 1, 1 -> 0, 0.0394 -> 2)."""
    if resolution <= 0:
        return 1
    return max(0, math.ceil(-math.log10(resolution) - 1e-9))


def allowed(feature: RangedFeature) -> Allowed:
    """Return the range and precision the window's spin boxes and the command line both enforce."""
    decimals = decimals_for(feature.resolution)
    steps = 10**decimals
    low = math.floor(round(feature.plausible_min * steps, 6) + 1) / steps
    high = math.floor(round(feature.plausible_max * steps, 6)) / steps
    return Allowed(low, high, decimals)


def shown_value(text: str) -> str:
    """Return a typed value as a sentence shows it: as typed, or shortened with its length."""
    text = text.strip()
    if len(text) <= SHOWN_CHARACTERS:
        return text
    digits = sum(c.isdigit() for c in text)
    return f"{text[:10]}… ({digits:,} digits)"


def _number_text(value: float) -> str:
    """Return a number as short as Python writes it exactly (15.0000001, never a rounded "15")."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def check_text(feature: RangedFeature, text: str) -> float:
    """Return the number ``text`` gives if the feature may take it; raise ``MeasurementRefused`` if not."""
    shown = shown_value(text)
    try:
        number = parse_measurement(text)
    except InputError:
        raise MeasurementRefused(
            f"{feature.label} must be a number, not {shown!r} (write it like 2.5 or 2,5)",
            MeasurementProblem.NOT_A_NUMBER,
            shown,
        ) from None
    _check_range(feature, number, shown)
    rule = allowed(feature)
    if decimals_of(text) > rule.decimals:
        raise _too_precise(feature, shown, rule)
    return number


def check_saved(feature: RangedFeature, text: str) -> float:
    """Return a measurement as the history holds it (an export read back); raise ``MeasurementRefused``.

    The rules of ``check_text``, with one allowance: a value saved from a column in another unit the app
    reads (inches) was converted to the card's unit and kept to ``CONVERTED_DECIMALS`` decimals, so it is
    taken when it is a whole number of the card's precision in that unit (2.01 in is 5.1054 cm).
    """
    try:
        return check_text(feature, text)
    except MeasurementRefused as refused:
        if refused.problem is not MeasurementProblem.TOO_PRECISE:
            raise
        if not any(_converted_from(feature, parse_measurement(text), unit) for unit in _OTHER_UNITS):
            raise _too_precise(feature, refused.shown, allowed(feature), converted=True) from None
        return parse_measurement(text)


# Centimetres per unit, one entry per distinct unit (the spellings of one unit share a factor).
_OTHER_UNITS = tuple(sorted(set(UNIT_FACTORS.values())))


def _converted_from(feature: RangedFeature, number: float, unit_cm: float) -> bool:
    """Tell whether ``number`` is what converting a value of the card's precision in that unit saves."""
    factor = unit_cm / UNIT_FACTORS.get(feature.unit, 1.0)
    decimals = decimals_for(feature.resolution / factor)
    steps = round(number / factor * 10**decimals)
    return round(steps / 10**decimals * factor, CONVERTED_DECIMALS) == number


def check_given(feature: RangedFeature, value: object) -> float:
    """Return a value handed to the model: text by every rule, a number by range only; raise if refused.

    Numbers come from readers that judged the text already (spin boxes, tables: a value converted from
    inches keeps its micrometres), so only their range is judged again here.
    """
    if isinstance(value, str):
        return check_text(feature, value)
    return check_range(feature, _as_number(feature, value))


def _as_number(feature: RangedFeature, value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise MeasurementRefused(
            f"{feature.label} must be a number, not {value!r}", MeasurementProblem.NOT_A_NUMBER, repr(value)
        ) from None


def check_range(feature: RangedFeature, value: float, shown: str = "") -> float:
    """Return ``value`` if it lies in the feature's range (precision not judged); raise if not.

    ``shown`` is the value as the user wrote it, for the sentence (default: the number itself).
    """
    shown = shown or (_number_text(value) if math.isfinite(value) else str(value))
    if math.isnan(value):
        raise MeasurementRefused(
            f"{feature.label} must be a number, not {shown}", MeasurementProblem.NOT_A_NUMBER, shown
        )
    _check_range(feature, value, shown)
    return value


def _check_range(feature: RangedFeature, number: float, shown: str) -> None:
    rule = allowed(feature)
    if number >= rule.low and number <= rule.high:
        return
    low, high = _number_text(rule.low), _number_text(rule.high)
    problem = MeasurementProblem.TOO_SMALL if number < rule.low else MeasurementProblem.TOO_LARGE
    limit = f"at least {low}" if problem is MeasurementProblem.TOO_SMALL else f"at most {high}"
    raise MeasurementRefused(
        f"{feature.label} {shown} {feature.unit} is not a plausible measurement "
        f"({limit} {feature.unit}; the model takes {low}–{high} {feature.unit})",
        problem,
        shown,
    )


def _too_precise(
    feature: RangedFeature, shown: str, rule: Allowed, *, converted: bool = False
) -> MeasurementRefused:
    step = f"{10**-rule.decimals:.{rule.decimals}f}" if rule.decimals else "1"
    also = " (nor is it a value of that precision converted from inches)" if converted else ""
    return MeasurementRefused(
        f"{feature.label} {shown} {feature.unit} has more decimals than the model's precision of "
        f"{step} {feature.unit}{also}; measure to {step} {feature.unit}",
        MeasurementProblem.TOO_PRECISE,
        shown,
    )
