"""Query parameters of the xAPI resources, parsed and checked (each problem is a 400 with its reason)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import QueryParams

from courseforge.lms.lrs.errors import Rejected
from courseforge.lms.lrs.indexing import agent_key
from courseforge.lms.lrs.timestamps import us_from_iso


def single_values(params: QueryParams, allowed: frozenset[str]) -> dict[str, str]:
    """The parameters as a dict; unknown or repeated ones are refused."""
    values: dict[str, str] = {}
    for name, value in params.multi_items():
        if name not in allowed:
            raise Rejected(f"unknown parameter {name!r} (allowed: {', '.join(sorted(allowed))})")
        if name in values:
            raise Rejected(f"parameter {name!r} is given more than once")
        values[name] = value
    return values


def _validated(check_name: str, value: object, where: str) -> None:
    from courseforge.lms.lrs import validation

    try:
        getattr(validation, check_name)(value, where)
    except validation.InvalidStatement as error:
        raise Rejected(error.reason) from None


def iri(value: str, name: str) -> str:
    _validated("check_iri", value, name)
    return value


def uuid_param(value: str, name: str) -> str:
    _validated("check_uuid", value, name)
    return value.lower()


def agent_param(value: str, name: str = "agent") -> tuple[Mapping[str, Any], str]:
    """The agent JSON and its IFI key."""
    try:
        agent = json.loads(value)
    except ValueError:
        raise Rejected(f"{name}: not JSON") from None
    _validated("check_agent", agent, name)
    key = agent_key(agent)
    if key is None:
        raise Rejected(f"{name}: an agent or identified group with an inverse functional identifier is required")
    return agent, key


def timestamp_param(value: str, name: str) -> int:
    _validated("check_timestamp", value, name)
    try:
        return us_from_iso(value)
    except ValueError:
        raise Rejected(f"{name}: not an ISO 8601 timestamp") from None


def boolean_param(value: str, name: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise Rejected(f"{name}: must be true or false")
    return value.lower() == "true"


def count_param(value: str, name: str) -> int:
    if not value.isdigit():
        raise Rejected(f"{name}: must be a non-negative integer")
    return int(value)


def required(values: Mapping[str, str], name: str) -> str:
    if name not in values:
        raise Rejected(f"parameter {name!r} is required")
    return values[name]
