"""A method's parameter: its default and allowed range (methods.py, bkt.py and the forms)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a method: its default and allowed range, for forms and validation.

    A bound of None means unbounded on that side. A parameter not ``set_by_policy`` is
    passed in by the application instead (knowledge tracing's, fitted from a district's
    answers): policy forms leave it out.
    """

    default: float
    label: str
    low: float | None = None
    high: float | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True
    integer: bool = False
    set_by_policy: bool = True

    def check(self, name: str, value: object) -> float:
        """Return value as a float (an int for integer parameters), or raise ValueError."""
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a number, got {value!r}") from None
        whole_if_needed = number.is_integer() or not self.integer
        if not (math.isfinite(number) and self._in_range(number) and whole_if_needed):
            raise ValueError(f"{name} must be {self.describe()}, got {value!r}")
        return int(number) if self.integer else number

    def describe(self) -> str:
        """The allowed range in words, e.g. 'a number ≥ 0.5 and < 1'."""
        noun = "whole number" if self.integer else "number"
        bounds = []
        if self.low is not None:
            bounds.append(f"{'≥' if self.low_inclusive else '>'} {self.low:g}")
        if self.high is not None:
            bounds.append(f"{'≤' if self.high_inclusive else '<'} {self.high:g}")
        return f"a {noun} {' and '.join(bounds)}" if bounds else f"a finite {noun}"

    def _in_range(self, number: float) -> bool:
        if self.low is not None and not (
            number >= self.low if self.low_inclusive else number > self.low
        ):
            return False
        return self.high is None or (
            number <= self.high if self.high_inclusive else number < self.high
        )
