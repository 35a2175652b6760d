"""The error and the JSON shape checks that every part of the xAPI statement validator shares.

Values arrive as parsed JSON (dict, list, str, int, float, bool, None). Every check takes the JSON path of
the value (``where``) so that a rejection names exactly what is wrong, e.g.
``statement.result.score.scaled: must be between -1 and 1``. Nothing here copies the data it checks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NoReturn


class InvalidStatement(ValueError):
    """Something xAPI 1.0.3 rules out; ``reason`` is the exact reason, starting with the JSON path."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def fail(where: str, message: str) -> NoReturn:
    """Reject the value at ``where``."""
    raise InvalidStatement(f"{where}: {message}")


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def wrong_type(value: object, where: str, expected: str) -> NoReturn:
    """Reject a value of the wrong JSON type (null gets its own reason: xAPI forbids null values)."""
    if value is None:
        fail(where, "must not be null")
    fail(where, f"must be {expected}, not {json_type(value)}")


def require_object(value: object, where: str) -> dict[str, object]:
    """A JSON object."""
    if isinstance(value, dict):
        return value
    wrong_type(value, where, "an object")


def require_array(value: object, where: str) -> list[object]:
    """A JSON array."""
    if isinstance(value, list):
        return value
    wrong_type(value, where, "an array")


def require_string(value: object, where: str) -> str:
    """A JSON string."""
    if isinstance(value, str):
        return value
    wrong_type(value, where, "a string")


def require_boolean(value: object, where: str) -> bool:
    """A JSON boolean (the string "true" is not one)."""
    if isinstance(value, bool):
        return value
    wrong_type(value, where, "a boolean")


def require_number(value: object, where: str) -> float:
    """A finite JSON number (Python's json module lets NaN and Infinity through; xAPI has neither)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        fail(where, "must be a finite number")
    wrong_type(value, where, "a number")


def require_integer(value: object, where: str) -> int:
    """A JSON integer (no fraction part)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        fail(where, "must be an integer")
    wrong_type(value, where, "an integer")


def require_present(obj: dict[str, object], keys: Iterable[str], where: str) -> None:
    """Every key in ``keys`` is present."""
    for key in keys:
        if key not in obj:
            fail(f"{where}.{key}", "is required")


def reject_unknown(obj: dict[str, object], allowed: frozenset[str], where: str) -> None:
    """Only properties xAPI defines for this object (2.2.s4.b1.b7); keys are case-sensitive (2.2.s4.b1.b5)."""
    for key in obj:
        if key not in allowed:
            fail(f"{where}.{key}", unknown_property(key, allowed))


def unknown_property(key: str, allowed: frozenset[str]) -> str:
    """The reason for an unknown key, naming the defined key it differs from only in case."""
    for name in allowed:
        if name.lower() == key.lower():
            return f"unknown property (did you mean '{name}'? property names are case-sensitive)"
    return "unknown property"
