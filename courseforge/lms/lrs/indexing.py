"""What the store indexes about a statement: the facts the query filters and voiding rules look at.

Pure functions over a validated statement (a JSON object). Agents are compared by their inverse functional
identifier (IFI), so an agent is one string key whatever else its JSON carries.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

VOIDED_VERB = "http://adlnet.gov/expapi/verbs/voided"
CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")

JsonObject = Mapping[str, Any]


def agent_key(agent: JsonObject) -> str | None:
    """The IFI of an agent or identified group as one string (None for an anonymous group)."""
    if "mbox" in agent:
        return f"mbox:{agent['mbox']}"
    if "mbox_sha1sum" in agent:
        return f"mbox_sha1sum:{str(agent['mbox_sha1sum']).lower()}"
    if "openid" in agent:
        return f"openid:{agent['openid']}"
    account = agent.get("account")
    if isinstance(account, Mapping):
        return f"account:{account.get('homePage')}|{account.get('name')}"
    return None


@dataclass(frozen=True)
class StatementIndex:
    """Index rows of one statement. ``related`` is False for the direct matches of the agent/activity filters."""

    verb_id: str
    registration: str | None
    ref_target: str | None
    voiding: bool
    agents: frozenset[tuple[str, bool]]
    activities: frozenset[tuple[str, bool]]
    definitions: tuple[tuple[str, JsonObject], ...]
    names: frozenset[tuple[str, str]]


def _agents_in(actor: object) -> Iterator[JsonObject]:
    """An agent or group and, for a group, its members."""
    if not isinstance(actor, Mapping):
        return
    yield actor
    for member in actor.get("member", ()) or ():
        if isinstance(member, Mapping):
            yield member


def _is_agent(value: object) -> bool:
    return isinstance(value, Mapping) and value.get("objectType") in ("Agent", "Group")


def _context_activities(context: object) -> Iterator[JsonObject]:
    if not isinstance(context, Mapping):
        return
    activities = context.get("contextActivities")
    if not isinstance(activities, Mapping):
        return
    for kind in CONTEXT_ACTIVITY_KINDS:
        value = activities.get(kind)
        for activity in (value if isinstance(value, list) else [value] if value else []):
            if isinstance(activity, Mapping):
                yield activity


def _context_agents(context: object) -> Iterator[JsonObject]:
    if isinstance(context, Mapping):
        for role in ("instructor", "team"):
            yield from _agents_in(context.get(role))


class _Collector:
    """Accumulates index rows while walking a statement and its sub-statement."""

    def __init__(self) -> None:
        self.agents: set[tuple[str, bool]] = set()
        self.activities: set[tuple[str, bool]] = set()
        self.definitions: list[tuple[str, JsonObject]] = []
        self.names: set[tuple[str, str]] = set()

    def agent(self, agent: JsonObject, related: bool) -> None:
        key = agent_key(agent)
        if key is None:
            return
        self.agents.add((key, related))
        if isinstance(agent.get("name"), str):
            self.names.add((key, agent["name"]))

    def activity(self, activity: JsonObject, related: bool) -> None:
        if activity.get("objectType", "Activity") != "Activity" or "id" not in activity:
            return
        self.activities.add((str(activity["id"]), related))
        if isinstance(activity.get("definition"), Mapping):
            self.definitions.append((str(activity["id"]), activity["definition"]))

    def walk(self, statement: JsonObject, nested: bool) -> None:
        for agent in _agents_in(statement.get("actor")):
            self.agent(agent, nested)
        target = statement.get("object")
        if isinstance(target, Mapping):
            if _is_agent(target):
                for agent in _agents_in(target):
                    self.agent(agent, nested)
            elif target.get("objectType") == "SubStatement":
                self.walk(target, True)
            else:
                self.activity(target, nested)
        context = statement.get("context")
        for agent in _context_agents(context):
            self.agent(agent, True)
        for activity in _context_activities(context):
            self.activity(activity, True)


def index_statement(statement: JsonObject) -> StatementIndex:
    """The index rows of a validated statement (authority counts as a related agent)."""
    collector = _Collector()
    collector.walk(statement, False)
    for agent in _agents_in(statement.get("authority")):
        collector.agent(agent, True)
    target = statement.get("object")
    ref = str(target["id"]).lower() if isinstance(target, Mapping) and target.get("objectType") == "StatementRef" \
        else None
    context = statement.get("context")
    registration = context.get("registration") if isinstance(context, Mapping) else None
    verb_id = str(statement["verb"]["id"])
    return StatementIndex(
        verb_id=verb_id,
        registration=str(registration).lower() if registration else None,
        ref_target=ref,
        voiding=verb_id == VOIDED_VERB,
        agents=frozenset(collector.agents),
        activities=frozenset(collector.activities),
        definitions=tuple(collector.definitions),
        names=frozenset(collector.names),
    )
