"""Duplicate-id detection shared by every scope (screens, questions, choices, items)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from courseforge.diagnostics import DiagnosticSink, Location


class HasId(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def origin(self) -> Location: ...


def check_unique(nodes: Iterable[HasId], what: str, sink: DiagnosticSink) -> None:
    """Report every repeat of an id within one scope, pointing back at the first one."""
    first: dict[str, Location] = {}
    for node in nodes:
        if node.id in first:
            sink.error("ids.duplicate", f"duplicate {what} id '{node.id}'", node.origin,
                       hint=f"first used at {first[node.id]}; ids must be unique so tracking stays stable")
        else:
            first[node.id] = node.origin
