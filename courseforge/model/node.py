"""The base of every source model: frozen, unknown keys refused, and aware of where it was written.

Its own module so that models of other files (branding, the project config) share it with course.py
without an import cycle.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema

from courseforge.diagnostics import Location
from courseforge.model.source import FIELDS_KEY, ORIGIN_KEY


class LocationInstance:
    """A :class:`Location` as it is: the loader marks every node with Location objects, never with data to convert.
    Pydantic's own schema for a dataclass (a validator of its fields) was built again for each of the some 30 node
    models, twice each (``origin``, ``field_origins``): a fifth of building them at import."""

    @staticmethod
    def __get_pydantic_core_schema__(source: object, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.is_instance_schema(Location)


Origin = Annotated[Location, LocationInstance]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True,
                              arbitrary_types_allowed=True)


class Node(Frozen):
    """A source node: knows where it was written."""

    origin: Origin = Field(default=Location("<unknown>"), alias=ORIGIN_KEY, exclude=True)
    field_origins: dict[str, Origin] = Field(default_factory=dict, alias=FIELDS_KEY, exclude=True, repr=False)
    """Where each key of this node was written (the loader's marks), for exact locations."""

    def origin_of(self, name: str) -> Location:
        """The line of one field (e.g. ``prompt``), or the node's own line when it was not written."""
        return self.field_origins.get(name, self.origin)
