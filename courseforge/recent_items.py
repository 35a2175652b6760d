"""The last few items a long-lived process made, for the next piece of work to resume from (a deflate, an
inflate check); read and added to from several threads."""

from __future__ import annotations

from collections import deque
from threading import Lock
from typing import Generic, TypeVar

T = TypeVar("T")


class RecentItems(Generic[T]):
    """The last ``count`` items added, oldest first."""

    def __init__(self, count: int) -> None:
        self._items: deque[T] = deque(maxlen=count)
        self._lock = Lock()

    def items(self) -> tuple[T, ...]:
        with self._lock:
            return tuple(self._items)

    def add(self, item: T) -> None:
        with self._lock:
            self._items.append(item)
