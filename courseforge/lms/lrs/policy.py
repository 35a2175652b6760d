"""Statement policies: rules beyond xAPI that a host server adds (cmi5's strict mode plugs in here).

A policy sees each incoming batch after validation and after the LRS set id, authority and version, and
before anything is stored. Returning a ``PolicyRejection`` refuses the whole batch (400 or 403 with its
reason); returning None lets it through. Policies and the write run under one lock, so a policy that
reads earlier statements from ``batch.store`` sees every batch stored before this one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from courseforge.lms.lrs.auth import Client
from courseforge.lms.lrs.store import LrsStore


@dataclass(frozen=True)
class StatementBatch:
    statements: tuple[Mapping[str, Any], ...]
    client: Client
    store: LrsStore


@dataclass(frozen=True)
class PolicyRejection:
    reason: str
    status: int = 400

    def __post_init__(self) -> None:
        if self.status not in (400, 403):
            raise ValueError(f"a policy rejects with 400 or 403, not {self.status}")


StatementPolicy = Callable[[StatementBatch], PolicyRejection | None]
