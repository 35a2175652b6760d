"""Agents and Groups (xAPI 1.0.3 Part Two §2.4.2): inverse functional identifiers, members, authority."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from courseforge.lms.lrs.validation_base import (
    fail,
    reject_unknown,
    require_array,
    require_object,
    require_present,
    require_string,
)
from courseforge.lms.lrs.validation_formats import check_irl, check_mailto, check_sha1_hex, check_uri

IFI_KEYS: Final = ("mbox", "mbox_sha1sum", "openid", "account")
"""The four inverse functional identifiers (2.4.2.3), in the spec's order."""

AGENT_KEYS: Final = frozenset({"objectType", "name", *IFI_KEYS})
GROUP_KEYS: Final = AGENT_KEYS | {"member"}
ACCOUNT_KEYS: Final = frozenset({"homePage", "name"})


def _check_account(value: object, where: str) -> None:
    """An account: homePage IRL and name string, both required (2.4.2.4)."""
    account = require_object(value, where)
    reject_unknown(account, ACCOUNT_KEYS, where)
    require_present(account, ("homePage", "name"), where)
    check_irl(account["homePage"], f"{where}.homePage")
    require_string(account["name"], f"{where}.name")


_IFI_CHECKS: Final[dict[str, Callable[[object, str], None]]] = {
    "mbox": check_mailto,
    "mbox_sha1sum": check_sha1_hex,
    "openid": check_uri,
    "account": _check_account,
}


def _check_ifi(obj: dict[str, object], where: str) -> bool:
    """At most one IFI, and it well formed; True when there is one."""
    found = [key for key in IFI_KEYS if key in obj]
    if len(found) > 1:
        fail(where, f"must have exactly one inverse functional identifier, not {len(found)} ({', '.join(found)})")
    if found:
        key = found[0]
        _IFI_CHECKS[key](obj[key], f"{where}.{key}")
    return bool(found)


def _check_agent_fields(agent: dict[str, object], where: str) -> None:
    """An Agent's properties, objectType already known to be absent or 'Agent' (2.4.2.1)."""
    reject_unknown(agent, AGENT_KEYS, where)
    if "name" in agent:
        require_string(agent["name"], f"{where}.name")
    if not _check_ifi(agent, where):
        fail(
            where,
            "an Agent must have exactly one inverse functional identifier (mbox, mbox_sha1sum, openid or account)",
        )


def check_agent_object(agent: dict[str, object], where: str, *, object_type_required: bool = False) -> None:
    """An Agent, given as an object; objectType is required where the Agent is a statement's object (2.4.4.2)."""
    if "objectType" in agent:
        if agent["objectType"] != "Agent":
            fail(f"{where}.objectType", "must be 'Agent'")
    elif object_type_required:
        fail(f"{where}.objectType", "is required when the object is an Agent or Group (2.4.4.2)")
    _check_agent_fields(agent, where)


def _check_member(value: object, where: str) -> None:
    """A Group member: an Agent, never a Group (2.4.2.2.s4.b2, s5.b2)."""
    member = require_object(value, where)
    if member.get("objectType") == "Group" or "member" in member:
        fail(where, "must be an Agent (Groups cannot be members of a Group)")
    check_agent_object(member, where)


def check_group_object(group: dict[str, object], where: str) -> bool:
    """A Group (objectType 'Group' required); True when it is identified (has an IFI)."""
    if group.get("objectType") != "Group":
        fail(f"{where}.objectType", "must be 'Group'")
    reject_unknown(group, GROUP_KEYS, where)
    if "name" in group:
        require_string(group["name"], f"{where}.name")
    identified = _check_ifi(group, where)
    if "member" in group:
        members = require_array(group["member"], f"{where}.member")
        for index, member in enumerate(members):
            _check_member(member, f"{where}.member[{index}]")
        if not identified and not members:
            fail(f"{where}.member", "an anonymous Group must list at least one member")
    elif not identified:
        fail(where, "an anonymous Group (one without an inverse functional identifier) must have a 'member' list")
    return identified


def check_actor(value: object, where: str, *, object_type_required: bool = False) -> dict[str, object]:
    """An Agent or a Group, told apart by objectType (Agent when absent); returns the object."""
    actor = require_object(value, where)
    object_type = actor.get("objectType")
    if "objectType" in actor:
        require_string(object_type, f"{where}.objectType")
    if object_type == "Group":
        check_group_object(actor, where)
    elif object_type is None and "member" in actor:
        fail(f"{where}.objectType", "is required for a Group and must be 'Group'")
    elif object_type is None or object_type == "Agent":
        check_agent_object(actor, where, object_type_required=object_type_required)
    else:
        fail(f"{where}.objectType", "must be 'Agent' or 'Group'")
    return actor


def check_group(value: object, where: str) -> None:
    """A Group where only a Group is allowed (context.team, 2.4.6)."""
    group = require_object(value, where)
    if group.get("objectType") != "Group":
        fail(f"{where}.objectType", "must be 'Group' (this property holds a Group)")
    check_group_object(group, where)


def check_identified_actor(value: object, where: str) -> None:
    """An Agent or an identified Group, as in the agent query parameter and the document resources."""
    actor = require_object(value, where)
    if actor.get("objectType") == "Group":
        if not check_group_object(actor, where):
            fail(where, "must be an Agent or an identified Group (an anonymous Group has no identity)")
        return
    check_actor(actor, where)


def check_authority(value: object, where: str) -> None:
    """An authority: an Agent, or a Group of exactly two Agents for 3-legged OAuth (2.4.9.s3.b1)."""
    authority = check_actor(value, where)
    if authority.get("objectType") == "Group":
        members = authority.get("member")
        if not isinstance(members, list) or len(members) != 2:
            fail(f"{where}.member", "an authority Group must have exactly two Agents (3-legged OAuth)")
