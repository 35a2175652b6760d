"""A course text file as the load stage read it (``load.TextRead``: its problems and what it parsed to), as a
disk cache entry.

Parsing YAML keeps a location for every key and item, in Python: a third of what validating the 100-page bench
course costs a fresh process, for files that mostly did not change since the last build. The entry is JSON, its
values as the parser made them, its locations as line and column (every location of a file names that file).
A value JSON cannot carry exactly (a date, bytes, a set: YAML tags a course rarely uses) makes the read
:class:`Uncacheable`: it is parsed every time. Decoding checks every type, so a damaged entry raises
(``cache.DECODE_ERRORS``) and is a miss.
"""

from __future__ import annotations

import json
import math
from typing import Any

from courseforge.diagnostics import Diagnostic, Location
from courseforge.model.source import FIELDS_KEY, ORIGIN_KEY, PageSource, ParsedDocument

Parsed = PageSource | ParsedDocument | None
SCALARS = (str, int, float, bool, type(None))


class Uncacheable(Exception):
    """The read holds what its entry could not give back exactly."""


def _point(location: Location, path: str) -> list[int]:
    if type(location) is not Location or location.path != path:
        raise Uncacheable(f"a location outside {path}")
    return [location.line, location.col]


def _value(value: Any, path: str) -> Any:
    """Mappings as ``{"o": origin, "f": [[key, line, col]...], "v": [[key, value]...]}``, lists as lists."""
    kind = type(value)
    if kind is dict:
        fields, items = value.get(FIELDS_KEY), [(k, v) for k, v in value.items() if k not in (ORIGIN_KEY, FIELDS_KEY)]
        if type(fields) is not dict or ORIGIN_KEY not in value or not all(type(k) is str for k, _ in items):
            raise Uncacheable("a mapping without its marks")
        return {"o": _point(value[ORIGIN_KEY], path),
                "f": [[key, *_point(where, path)] for key, where in fields.items()],
                "v": [[key, _value(item, path)] for key, item in items]}
    if kind is list:
        return [_value(item, path) for item in value]
    if kind not in SCALARS or (kind is float and not math.isfinite(value)):
        raise Uncacheable(f"a {kind.__name__} value")
    return value


def _document(document: ParsedDocument) -> dict[str, object]:
    path = document.path
    return {"path": path, "data": _value(document.data, path),
            "marks": [[list(key_path), *_point(where, path)] for key_path, where in document.marks.items()]}


def encode_read(diagnostics: tuple[Diagnostic, ...], parsed: Parsed) -> bytes:
    """Raises :class:`Uncacheable` for a read its entry could not give back exactly."""
    body: dict[str, object] | None = None
    if isinstance(parsed, PageSource):
        body = {"page": {"path": parsed.path, "front": _document(parsed.front_matter), "body": parsed.body,
                         "line": parsed.body_line}}
    elif isinstance(parsed, ParsedDocument):
        body = {"document": _document(parsed)}
    return json.dumps({"diagnostics": [d.to_json() for d in diagnostics], "parsed": body},
                      separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _text(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("expected text")
    return value


def _number(value: Any) -> int:
    if type(value) is not int:
        raise TypeError("expected an integer")
    return value


def _location(point: Any, path: str) -> Location:
    line, col = point
    return Location(path, _number(line), _number(col))


def _decoded_value(value: Any, path: str) -> Any:
    kind = type(value)
    if kind is dict:
        mapping: dict[str, Any] = {ORIGIN_KEY: _location(value["o"], path),
                                   FIELDS_KEY: {_text(key): _location((line, col), path)
                                                for key, line, col in value["f"]}}
        mapping.update((_text(key), _decoded_value(item, path)) for key, item in value["v"])
        return mapping
    if kind is list:
        return [_decoded_value(item, path) for item in value]
    if kind not in SCALARS:
        raise TypeError(f"a {kind.__name__} value")
    return value


def _key_part(part: Any) -> str | int:
    if type(part) not in (str, int):
        raise TypeError("a key path part is neither text nor an index")
    return part  # type: ignore[no-any-return]


def _decoded_document(data: Any) -> ParsedDocument:
    path = _text(data["path"])
    marks = {tuple(_key_part(part) for part in key_path): _location((line, col), path)
             for key_path, line, col in data["marks"]}
    return ParsedDocument(path, _decoded_value(data["data"], path), marks)


def decode_read(data: bytes) -> tuple[tuple[Diagnostic, ...], Parsed]:
    found = json.loads(data)
    diagnostics = tuple(Diagnostic.from_json(d) for d in found["diagnostics"])
    body = found["parsed"]
    parsed: Parsed = None
    if body is not None and "page" in body:
        page = body["page"]
        parsed = PageSource(_text(page["path"]), _decoded_document(page["front"]), _text(page["body"]),
                            _number(page["line"]))
    elif body is not None:
        parsed = _decoded_document(body["document"])
    return diagnostics, parsed
