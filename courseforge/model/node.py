"""The base of every source model: frozen, unknown keys refused, and aware of where it was written.

Its own module so that models of other files (branding, the project config) share it with course.py
without an import cycle.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from courseforge.diagnostics import Location
from courseforge.model.source import FIELDS_KEY, ORIGIN_KEY


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True,
                              arbitrary_types_allowed=True)


class Node(Frozen):
    """A source node: knows where it was written."""

    origin: Location = Field(default=Location("<unknown>"), alias=ORIGIN_KEY, exclude=True)
    field_origins: dict[str, Location] = Field(default_factory=dict, alias=FIELDS_KEY, exclude=True, repr=False)
    """Where each key of this node was written (the loader's marks), for exact locations."""

    def origin_of(self, name: str) -> Location:
        """The line of one field (e.g. ``prompt``), or the node's own line when it was not written."""
        return self.field_origins.get(name, self.origin)
