"""Undo steps of a publish run: when a later package fails, what the run already changed on the target is
undone (newest first), so a failed publish leaves the target as it was."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from courseforge.stages.publish.context import PublishContext
from courseforge.stages.publish.errors import PublishError


class Rollback:
    def __init__(self, context: PublishContext) -> None:
        self.context = context
        self.steps: list[tuple[str, Callable[[], None]]] = []

    def add(self, what: str, undo: Callable[[], None]) -> None:
        self.steps.append((what, undo))

    def __enter__(self) -> Rollback:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if kind is None:
            return
        for what, undo in reversed(self.steps):
            try:
                undo()
            except Exception as failure:  # undo is best effort: the connection it needs may be what failed
                self.context.log(f"could not undo ({what}): {failure}")
                if isinstance(error, PublishError):
                    error.add_note(f"the target may keep a package of this run: {what} failed")
