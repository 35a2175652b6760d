"""Turn pydantic validation errors into diagnostics placed at the exact key in the source file."""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from types import ModuleType
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.model import course as schema
from courseforge.model.source import ORIGIN_KEY, ParsedDocument

T = TypeVar("T")
ENUM_REPR = re.compile(r"<\w+\.\w+: ('[^']*')>")
"""Pydantic lists enum-valued tags as reprs (``<QuestionType.SINGLE: 'single'>``); authors need the value."""
TYPE_HINTS = {
    "finite_number": "write a number: .nan and .inf (not a number, infinity) cannot be scored or saved",
}


def model_keys(module: ModuleType) -> tuple[str, ...]:
    """Every key the models of ``module`` allow, for 'did you mean' hints on typos."""
    names: set[str] = set()
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            names.update(name for name in value.model_fields if name not in ("origin", "field_origins"))
    return tuple(sorted(names))


@lru_cache(maxsize=1)
def known_keys() -> tuple[str, ...]:
    """Every key any course source file may use."""
    return model_keys(schema)


def real_path(data: Any, loc: tuple[int | str, ...]) -> tuple[str | int, ...]:
    """Drop the union tags pydantic inserts into ``loc`` so the path matches the YAML keys."""
    path: list[str | int] = []
    current = data
    for element in loc:
        in_mapping = isinstance(current, dict) and element in current
        in_list = isinstance(current, list) and isinstance(element, int) and element < len(current)
        if in_mapping or in_list:
            current = current[element]
            path.append(element)
    return tuple(path)


def describe(path: tuple[str | int, ...]) -> str:
    if not path:
        return "this file"
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")


def suggestion(key: str, vocabulary: tuple[str, ...] | None = None) -> str:
    close = difflib.get_close_matches(key, vocabulary or known_keys(), n=1, cutoff=0.7)
    return f"did you mean '{close[0]}'?" if close else "remove it, or check docs/authoring.md for the keys allowed here"


def report_error(error: ErrorDetails, document: ParsedDocument, sink: DiagnosticSink,
                 vocabulary: tuple[str, ...] | None = None) -> None:
    path = real_path(document.data, error["loc"])
    location = document.locate(path)
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        sink.error("schema.unknown-key", f"unknown key '{key}'", location, hint=suggestion(key, vocabulary))
    elif kind == "missing":
        key = str(error["loc"][-1])
        where = describe(path)
        sink.error("schema.missing-key", f"missing required key '{key}' in {where}", location,
                   hint=f"add '{key}:' (see docs/authoring.md)")
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        context = error.get("ctx") or {}
        tag = context.get("discriminator", "type").strip("'")
        expected = ENUM_REPR.sub(r"\1", str(context.get("expected_tags", "")))
        sink.error("schema.bad-kind", f"'{tag}' must be one of {expected}", location,
                   hint=f"set '{tag}:' to one of {expected}")
    elif kind == "string_pattern_mismatch" and path and path[-1] == "id":
        sink.error("schema.bad-id", f"invalid id {error['input']!r}", location,
                   hint="ids use letters, digits, '-' and '_', start with a letter or digit, at most 64 chars")
    else:
        given = error.get("input")
        shown = f" (got {given!r})" if isinstance(given, str | int | float | bool) and kind != "value_error" else ""
        hint = TYPE_HINTS.get(kind, "")
        if kind == "string_type" and isinstance(given, bool | int | float):
            hint = "YAML reads yes/no/on/off/true/false and bare numbers as non-text: put the text in quotes"
        message = error["msg"].removeprefix("Value error, ")
        sink.error("schema.type", f"{describe(path)}: {message}{shown}", location, hint=hint)


def relevant_errors(errors: list[ErrorDetails]) -> list[ErrorDetails]:
    """Drop length errors that only restate that a list's items failed (pydantic counts valid items)."""
    def inside(outer: ErrorDetails, inner: ErrorDetails) -> bool:
        size = len(outer["loc"])
        return len(inner["loc"]) > size and inner["loc"][:size] == outer["loc"]

    return [e for e in errors if not (e["type"] == "too_short" and any(inside(e, o) for o in errors))]


def validate_document(adapter: TypeAdapter[T], document: ParsedDocument, sink: DiagnosticSink,
                      vocabulary: tuple[str, ...] | None = None) -> T | None:
    """Validate parsed YAML against a model; report every error with its location (``vocabulary``: the
    keys to suggest for a typo, the course schema's by default)."""
    data = document.data
    if not isinstance(data, dict):
        sink.error("schema.not-mapping", "expected a mapping of keys (key: value)", document.locate(()))
        return None
    try:
        return adapter.validate_python(data)
    except ValidationError as errors:
        for error in relevant_errors(errors.errors()):
            report_error(error, document, sink, vocabulary)
        return None


def origin_of(data: Any, fallback: Location) -> Location:
    if isinstance(data, dict):
        origin = data.get(ORIGIN_KEY)
        if isinstance(origin, Location):
            return origin
    return fallback
