"""One diagnostics format for every stage: ``path:line:col: severity: message [code]`` plus a hint.

Stages never print or raise on user mistakes; they report into a :class:`DiagnosticSink` and the
command decides, once, whether to stop.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """Where a problem is: a posix path (relative to the project or package) and 1-based line/col."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{max(self.col, 1)}"


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    message: str
    location: Location
    hint: str = ""

    def format(self) -> str:
        text = f"{self.location}: {self.severity.value}: {self.message} [{self.code}]"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def to_json(self) -> dict[str, object]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "path": self.location.path,
            "line": self.location.line,
            "col": self.location.col,
            "hint": self.hint,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnostic:
        """The inverse of :meth:`to_json` (a cached stage result read back); a value of the wrong type raises."""
        texts = (data["code"], data["message"], data["path"], data["hint"])
        numbers = (data["line"], data["col"])
        if not all(isinstance(text, str) for text in texts) or not all(
                isinstance(number, int) and not isinstance(number, bool) for number in numbers):
            raise TypeError("a diagnostic's fields have the wrong types")
        return cls(Severity(data["severity"]), data["code"], data["message"],
                   Location(data["path"], data["line"], data["col"]), data["hint"])

    def sort_key(self) -> tuple[Location, str, str]:
        return (self.location, self.code, self.message)


def count(diagnostics: Iterable[Diagnostic], severity: Severity) -> int:
    return sum(1 for d in diagnostics if d.severity is severity)


def failed(diagnostics: Iterable[Diagnostic], strict: bool = False) -> bool:
    """Errors fail; with ``strict`` (the ``--strict`` flag) warnings fail too."""
    return any(d.severity is Severity.ERROR or strict for d in diagnostics)


@dataclass
class DiagnosticSink:
    """Collects diagnostics; the only mutable object a stage receives. The same problem reported twice
    (a project-wide setting checked for each course) is kept once."""

    items: list[Diagnostic] = field(default_factory=list)
    _seen: set[Diagnostic] = field(default_factory=set, repr=False)

    def add(self, diagnostic: Diagnostic) -> None:
        if diagnostic not in self._seen:
            self._seen.add(diagnostic)
            self.items.append(diagnostic)

    def error(self, code: str, message: str, location: Location, hint: str = "") -> None:
        self.add(Diagnostic(Severity.ERROR, code, message, location, hint))

    def warning(self, code: str, message: str, location: Location, hint: str = "") -> None:
        self.add(Diagnostic(Severity.WARNING, code, message, location, hint))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.add(diagnostic)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(sorted(self.items, key=Diagnostic.sort_key))

    @property
    def error_count(self) -> int:
        return count(self.items, Severity.ERROR)

    @property
    def warning_count(self) -> int:
        return count(self.items, Severity.WARNING)

    def failed(self, strict: bool = False) -> bool:
        return failed(self.items, strict)


def format_all(diagnostics: Iterable[Diagnostic]) -> str:
    return "\n".join(d.format() for d in diagnostics)


def to_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([d.to_json() for d in diagnostics], indent=2, ensure_ascii=False)
