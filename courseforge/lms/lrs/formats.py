"""Statement comparison (the "identical statement" rule) and the GET formats ``ids`` and ``canonical``.

Comparison follows xAPI's immutability rules: id, authority, stored, timestamp, version, attachments,
verb display, referenced activity definitions, the order of group members and the case of UUIDs do not
make two statements different.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

IGNORED_FOR_COMPARISON = ("id", "authority", "stored", "timestamp", "version", "attachments")
AGENT_IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
LANGUAGE_MAP_KEYS = frozenset({"display", "name", "description"})
CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")

JsonObject = dict[str, Any]


def _comparable_object(target: Mapping[str, Any]) -> JsonObject:
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        return {"objectType": "Activity", "id": target.get("id")}
    if kind in ("Agent", "Group"):
        return _comparable_agent(target)
    if kind == "StatementRef":
        return {"objectType": "StatementRef", "id": str(target.get("id", "")).lower()}
    return _comparable(target)


def _comparable_agent(agent: Mapping[str, Any]) -> JsonObject:
    result = dict(agent)
    result.setdefault("objectType", "Agent")
    if isinstance(agent.get("member"), list):
        members = [_comparable_agent(member) for member in agent["member"]]
        result["member"] = sorted(members, key=lambda member: json.dumps(member, sort_keys=True))
    return result


def _comparable_context(context: Mapping[str, Any]) -> JsonObject:
    result = dict(context)
    if "registration" in result:
        result["registration"] = str(result["registration"]).lower()
    for role in ("instructor", "team"):
        if isinstance(result.get(role), Mapping):
            result[role] = _comparable_agent(result[role])
    if isinstance(result.get("statement"), Mapping):
        result["statement"] = {"objectType": "StatementRef", "id": str(result["statement"].get("id", "")).lower()}
    activities = result.get("contextActivities")
    if isinstance(activities, Mapping):
        result["contextActivities"] = {
            kind: [_comparable_object(item) for item in (value if isinstance(value, list) else [value])]
            for kind, value in activities.items()}
    return result


def _comparable(statement: Mapping[str, Any]) -> JsonObject:
    result = {name: value for name, value in statement.items() if name not in IGNORED_FOR_COMPARISON}
    if isinstance(result.get("actor"), Mapping):
        result["actor"] = _comparable_agent(result["actor"])
    if isinstance(result.get("verb"), Mapping):
        result["verb"] = {"id": result["verb"].get("id")}
    if isinstance(result.get("object"), Mapping):
        result["object"] = _comparable_object(result["object"])
    if isinstance(result.get("context"), Mapping):
        result["context"] = _comparable_context(result["context"])
    return result


def fingerprint(statement: Mapping[str, Any]) -> str:
    """Equal for statements the spec calls the same (see the module docstring), different otherwise."""
    text = json.dumps(_comparable(statement), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def same_statement(first: Mapping[str, Any], second: Mapping[str, Any]) -> bool:
    return fingerprint(first) == fingerprint(second)


# formats ------------------------------------------------------------------------------------------

def _ids_agent(agent: Mapping[str, Any]) -> JsonObject:
    result: JsonObject = {"objectType": agent.get("objectType", "Agent")}
    result.update({name: agent[name] for name in AGENT_IFIS if name in agent})
    if result["objectType"] == "Group" and not any(name in agent for name in AGENT_IFIS):
        result["member"] = [_ids_agent(member) for member in agent.get("member", [])]
    return result


def _ids_object(target: Mapping[str, Any]) -> JsonObject:
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        return {"objectType": "Activity", "id": target["id"]}
    if kind in ("Agent", "Group"):
        return _ids_agent(target)
    if kind == "SubStatement":
        return ids_format(target)
    return dict(target)


def ids_format(statement: Mapping[str, Any]) -> JsonObject:
    """Agents, groups, activities and verbs reduced to what identifies them."""
    result = dict(statement)
    for role in ("actor", "authority"):
        if isinstance(result.get(role), Mapping):
            result[role] = _ids_agent(result[role])
    if isinstance(result.get("verb"), Mapping):
        result["verb"] = {"id": result["verb"]["id"]}
    if isinstance(result.get("object"), Mapping):
        result["object"] = _ids_object(result["object"])
    context = result.get("context")
    if isinstance(context, Mapping):
        context = dict(context)
        for role in ("instructor", "team"):
            if isinstance(context.get(role), Mapping):
                context[role] = _ids_agent(context[role])
        if isinstance(context.get("contextActivities"), Mapping):
            context["contextActivities"] = {kind: [_ids_object(item) for item in value]
                                            for kind, value in context["contextActivities"].items()}
        result["context"] = context
    return result


def parse_accept_language(header: str) -> list[str]:
    """Language tags in order of preference (q values honoured, ``*`` kept)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        if not tag:
            continue
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(weighted)]


def pick_language(language_map: Mapping[str, Any], preferences: list[str]) -> JsonObject:
    """One entry of a language map: the best requested language, else ``und``, else the first."""
    lowered = {key.lower(): key for key in language_map}
    for tag in preferences:
        if tag == "*" and language_map:
            break
        for candidate in (tag.lower(), tag.lower().split("-")[0]):
            if candidate in lowered:
                return {lowered[candidate]: language_map[lowered[candidate]]}
        prefixed = [key for key in lowered if key.split("-")[0] == tag.lower().split("-")[0]]
        if prefixed:
            return {lowered[prefixed[0]]: language_map[lowered[prefixed[0]]]}
    if "und" in language_map:
        return {"und": language_map["und"]}
    first = next(iter(language_map), None)
    return {first: language_map[first]} if first is not None else {}


def _filter_languages(value: Any, preferences: list[str], inside_extensions: bool = False) -> Any:
    if isinstance(value, list):
        return [_filter_languages(item, preferences, inside_extensions) for item in value]
    if not isinstance(value, Mapping):
        return value
    result: JsonObject = {}
    for name, item in value.items():
        if inside_extensions or name == "extensions":
            result[name] = item
        elif name in LANGUAGE_MAP_KEYS and isinstance(item, Mapping) \
                and all(isinstance(text, str) for text in item.values()):
            result[name] = pick_language(item, preferences)
        else:
            result[name] = _filter_languages(item, preferences)
    return result


def _with_definitions(statement: Mapping[str, Any], lookup: Callable[[str], Mapping[str, Any] | None]) -> JsonObject:
    def activity(target: Mapping[str, Any]) -> JsonObject:
        if target.get("objectType", "Activity") != "Activity":
            return dict(target)
        definition = lookup(str(target["id"]))
        return {**target, "definition": dict(definition)} if definition else dict(target)

    result = dict(statement)
    if isinstance(result.get("object"), Mapping):
        target = result["object"]
        result["object"] = _with_definitions(target, lookup) if target.get("objectType") == "SubStatement" \
            else activity(target)
    context = result.get("context")
    if isinstance(context, Mapping) and isinstance(context.get("contextActivities"), Mapping):
        result["context"] = {**context, "contextActivities": {
            kind: [activity(item) for item in value] for kind, value in context["contextActivities"].items()}}
    return result


def canonical_format(statement: Mapping[str, Any], preferences: list[str],
                     lookup: Callable[[str], Mapping[str, Any] | None]) -> JsonObject:
    """The LRS's own activity definitions, every language map reduced to one language."""
    filtered: JsonObject = _filter_languages(_with_definitions(statement, lookup), preferences)
    return filtered
