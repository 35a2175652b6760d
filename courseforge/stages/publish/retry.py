"""Bounded retries with exponential backoff for network errors; the delay function is injectable so tests
do not sleep."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from courseforge.stages.publish.errors import PublishError, TransientError

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 4
    """Tries after the first."""
    first_delay: float = 0.5
    max_delay: float = 10.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def delays(self) -> list[float]:
        return [min(self.max_delay, self.first_delay * 2**attempt) for attempt in range(self.retries)]

    def run(self, what: str, action: Callable[[], T]) -> T:
        """``action()``, tried again after each :class:`TransientError` (or OSError) until the retries are spent;
        then a PublishError naming ``what`` and the last cause."""
        last = ""
        for delay in [*self.delays(), None]:
            try:
                return action()
            except (TransientError, OSError) as error:
                last = str(error) or type(error).__name__
            if delay is not None:
                self.sleep(delay)
        raise PublishError(f"{what} failed after {self.retries + 1} tries: {last}")
