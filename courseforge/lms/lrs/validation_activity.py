"""Activities and their definitions (xAPI 1.0.3 Part Two §2.4.4.1), interaction activities included."""

from __future__ import annotations

from typing import Final

from courseforge.lms.lrs.validation_actors import IFI_KEYS
from courseforge.lms.lrs.validation_base import (
    fail,
    reject_unknown,
    require_array,
    require_object,
    require_present,
    require_string,
)
from courseforge.lms.lrs.validation_formats import check_extensions, check_iri, check_irl, check_language_map

ACTIVITY_KEYS: Final = frozenset({"objectType", "id", "definition"})
COMPONENT_LISTS: Final = ("choices", "scale", "source", "target", "steps")
DEFINITION_KEYS: Final = frozenset(
    {"name", "description", "type", "moreInfo", "extensions", "interactionType", "correctResponsesPattern"}
) | frozenset(COMPONENT_LISTS)
COMPONENT_KEYS: Final = frozenset({"id", "description"})

ALLOWED_COMPONENT_LISTS: Final[dict[str, frozenset[str]]] = {
    "true-false": frozenset(),
    "choice": frozenset({"choices"}),
    "fill-in": frozenset(),
    "long-fill-in": frozenset(),
    "matching": frozenset({"source", "target"}),
    "performance": frozenset({"steps"}),
    "sequencing": frozenset({"choices"}),
    "likert": frozenset({"scale"}),
    "numeric": frozenset(),
    "other": frozenset(),
}
"""The ten interactionTypes (2.4.4.1.s8) and the component lists each supports (2.4.4.1.s15 table 2)."""

_INTERACTION_TYPES_TEXT: Final = ", ".join(f"'{name}'" for name in ALLOWED_COMPONENT_LISTS)


def check_activity(value: object, where: str) -> None:
    """An Activity: objectType 'Activity' when present, id IRI, optional definition."""
    activity = require_object(value, where)
    if "objectType" in activity:
        if activity["objectType"] != "Activity":
            fail(f"{where}.objectType", "must be 'Activity'")
    elif "id" not in activity and any(key in activity for key in IFI_KEYS):
        fail(f"{where}.objectType", "is required when the object is an Agent or Group (2.4.4.2)")
    reject_unknown(activity, ACTIVITY_KEYS, where)
    require_present(activity, ("id",), where)
    check_iri(activity["id"], f"{where}.id")
    if "definition" in activity:
        check_definition(activity["definition"], f"{where}.definition")


def check_definition(value: object, where: str) -> None:
    """An Activity Definition; interaction properties only with an interactionType, lists only where allowed."""
    definition = require_object(value, where)
    reject_unknown(definition, DEFINITION_KEYS, where)
    for key in ("name", "description"):
        if key in definition:
            check_language_map(definition[key], f"{where}.{key}")
    if "type" in definition:
        check_iri(definition["type"], f"{where}.type")
    if "moreInfo" in definition:
        check_irl(definition["moreInfo"], f"{where}.moreInfo")
    if "extensions" in definition:
        check_extensions(definition["extensions"], f"{where}.extensions")
    interaction_type = _interaction_type(definition, where)
    if "correctResponsesPattern" in definition:
        if interaction_type is None:
            fail(f"{where}.correctResponsesPattern", "is only allowed with an interactionType")
        _check_patterns(definition["correctResponsesPattern"], f"{where}.correctResponsesPattern")
    allowed = ALLOWED_COMPONENT_LISTS.get(interaction_type or "", frozenset())
    for key in COMPONENT_LISTS:
        if key in definition:
            if interaction_type is None:
                fail(f"{where}.{key}", "is only allowed with an interactionType")
            if key not in allowed:
                fail(f"{where}.{key}", f"is not allowed for interactionType '{interaction_type}'")
            _check_components(definition[key], f"{where}.{key}")


def _interaction_type(definition: dict[str, object], where: str) -> str | None:
    """The definition's interactionType, one of the ten (2.4.4.1.s13.b1), or None."""
    if "interactionType" not in definition:
        return None
    interaction_type = require_string(definition["interactionType"], f"{where}.interactionType")
    if interaction_type not in ALLOWED_COMPONENT_LISTS:
        fail(f"{where}.interactionType", f"must be one of {_INTERACTION_TYPES_TEXT}")
    return interaction_type


def _check_patterns(value: object, where: str) -> None:
    """correctResponsesPattern: an array of strings (2.4.4.1.s8); an empty array means nothing is correct."""
    for index, pattern in enumerate(require_array(value, where)):
        require_string(pattern, f"{where}[{index}]")


def _check_components(value: object, where: str) -> None:
    """An interaction component list: {id, description} objects with distinct ids (2.4.4.1.s16.b1)."""
    seen: dict[str, int] = {}
    for index, item in enumerate(require_array(value, where)):
        here = f"{where}[{index}]"
        component = require_object(item, here)
        reject_unknown(component, COMPONENT_KEYS, here)
        require_present(component, ("id",), here)
        component_id = require_string(component["id"], f"{here}.id")
        if component_id in seen:
            fail(
                f"{here}.id", f"repeats the id {component_id!r} of {where}[{seen[component_id]}] (ids must be distinct)"
            )
        seen[component_id] = index
        if "description" in component:
            check_language_map(component["description"], f"{here}.description")
