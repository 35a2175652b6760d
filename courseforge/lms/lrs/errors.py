"""One error type for everything the LRS refuses: the HTTP status and the exact reason sent back."""

from __future__ import annotations


class Rejected(Exception):
    status = 400

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        if status is not None:
            self.status = status
