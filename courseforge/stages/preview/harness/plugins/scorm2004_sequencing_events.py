"""The engine's part of a launch's events (recorded by the host page beside the API calls), read into record
values: what was delivered or refused, the root's and the SCO's rolled-up state with the elements that decided
it, engine exceptions, and the plan's notes."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from courseforge.model.preview import ApiEvent
from courseforge.stages.preview.harness.plugins.scorm2004_sequencing_plan import UNSUPPORTED, SequencingPlan
from courseforge.stages.preview.harness.plugins.scorm2004_sequencing_states import (
    ActivityState,
    explain,
    states_from_json,
)

EVENT_PREFIX = "Sequencing."
DELIVER = "Sequencing.deliver"
"""The engine delivered an activity: arguments (activity,)."""
REFUSED = "Sequencing.refused"
"""The engine would not deliver the launched unit: arguments (activity, the requests tried and what the engine
said); the content then runs without sequencing."""
REQUEST = "Sequencing.request"
"""A navigation request reached the engine: arguments (request, target)."""
SESSION_END = "Sequencing.end"
"""The sequencing session ended: arguments (reason, request)."""
ERROR = "Sequencing.error"
"""The engine reported an exception: arguments (exception, context)."""
ROLLUP = "Sequencing.rollup"
"""The activity states after the content finished (or the window closed on an open session): arguments
(why, JSON of {"root", "current", "activities": [{"id", "completion", "satisfied", "measure", ...}]})."""
ROOT_ACTIVITY = "sequencing.root_activity"
ROOT_COMPLETION = "sequencing.root.completion_status"
ROOT_SATISFIED = "sequencing.root.satisfied_status"
ROOT_MEASURE = "sequencing.root.normalized_measure"
SCO_ACTIVITY = "sequencing.sco_activity"
SCO_COMPLETION = "sequencing.sco.completion_status"
SCO_SATISFIED = "sequencing.sco.satisfied_status"
SCO_MEASURE = "sequencing.sco.normalized_measure"
DELIVERED = "sequencing.delivered"
NOT_DELIVERED = "sequencing.not_delivered"
COMPLETION_BECAUSE = "sequencing.root.completion_because"
SATISFACTION_BECAUSE = "sequencing.root.satisfaction_because"
ENGINE_ERRORS = "sequencing.errors"
VALUE_PREFIX = "sequencing."
"""Every key the LMS's sequencing adds to a launch record's values (the report's final record shows them)."""


@dataclass(frozen=True)
class Rollup:
    """What one launch's events say the engine did: delivered, refused, and the last activity states."""

    delivered: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()
    """What the engine said when it would not deliver the launched unit."""
    errors: tuple[str, ...] = ()
    root: str = ""
    states: Mapping[str, ActivityState] = field(default_factory=dict)

    @property
    def sequenced(self) -> bool:
        return bool(self.delivered) and not self.refused


def snapshot_of(event: ApiEvent) -> dict[str, Any] | None:
    """A rollup event's snapshot (the JSON object it carries); None for every other event or unreadable JSON."""
    if event.method != ROLLUP or len(event.arguments) < 2:
        return None
    try:
        snapshot = json.loads(event.arguments[1])
    except ValueError:
        return None
    return snapshot if isinstance(snapshot, dict) else None


def rollup_of(events: Sequence[ApiEvent]) -> Rollup:
    """The engine's part of a launch's events (the host page records them beside the API calls)."""
    delivered: list[str] = []
    refused: list[str] = []
    errors: list[str] = []
    root = ""
    states: dict[str, ActivityState] = {}
    for event in events:
        method, arguments = event.method, event.arguments
        if method == DELIVER and arguments:
            delivered.append(arguments[0])
        elif method == REFUSED:
            refused.append("; ".join(arguments[1:]) or "refused")
        elif method == ERROR and arguments:
            errors.append(": ".join(a for a in arguments if a))
        elif (snapshot := snapshot_of(event)) is not None:
            root = str(snapshot.get("root") or root)
            states = states_from_json(snapshot.get("activities"))
    return Rollup(tuple(delivered), tuple(refused), tuple(errors), root, states)


def _measure_text(state: ActivityState) -> str:
    return "" if state.measure is None else f"{state.measure:g}"


def rollup_values(rollup: Rollup, plan: SequencingPlan | None, unit: str) -> tuple[tuple[str, str], ...]:
    """What the LMS's sequencing holds after the launch, as record values (the report's final record): the root
    activity's rolled-up completion, satisfaction and measure with the manifest elements that decided them, the
    launched SCO's activity, what was delivered and any engine exception."""
    values: dict[str, str] = {}
    if rollup.delivered:
        values[DELIVERED] = ", ".join(rollup.delivered)
    if rollup.refused:
        values[NOT_DELIVERED] = f"{unit}: {'; '.join(rollup.refused)}"
    if rollup.errors:
        values[ENGINE_ERRORS] = "; ".join(rollup.errors)
    if rollup.root and rollup.root in rollup.states:
        root = rollup.states[rollup.root]
        values.update({ROOT_ACTIVITY: rollup.root, ROOT_COMPLETION: root.completion, ROOT_SATISFIED: root.satisfied,
                       ROOT_MEASURE: _measure_text(root)})
        if plan is not None:
            values[COMPLETION_BECAUSE] = explain(plan, rollup.states, "completion")
            values[SATISFACTION_BECAUSE] = explain(plan, rollup.states, "satisfaction")
    if unit in rollup.states:
        sco = rollup.states[unit]
        values.update({SCO_ACTIVITY: unit, SCO_COMPLETION: sco.completion, SCO_SATISFIED: sco.satisfied,
                       SCO_MEASURE: _measure_text(sco)})
    return tuple(sorted(values.items()))


ENGINE_NOTES = "sequencing.engine_notes"
UNSUPPORTED_NOTES = "sequencing.unsupported"


def note_values(plan: SequencingPlan) -> tuple[tuple[str, str], ...]:
    """The plan's notes as record values: everything adapted or left out, and (for the rule) what was left out."""
    if not plan.notes:
        return ()
    said = [f"line {note.location.line}: {note.message}" for note in plan.notes]
    left_out = [f"line {note.location.line}: {note.message}" for note in plan.notes if note.code == UNSUPPORTED]
    return ((ENGINE_NOTES, "; ".join(said)),) + (((UNSUPPORTED_NOTES, "; ".join(left_out)),) if left_out else ())


def promised_trees(events: Sequence[ApiEvent]) -> int:
    """How many tree states the page said it sent (a rollup snapshot with ``saved``): the next launch of the
    attempt resumes from the last of them, so the launch is not settled before they are stored."""
    snapshots = (snapshot_of(event) for event in events)
    return sum(snapshot is not None and snapshot.get("saved") is True for snapshot in snapshots)


def describe(event: ApiEvent) -> tuple[str, str] | None:
    """A rollup snapshot as a report row (element, value): the root's and the current activity's state, not the
    JSON; None for every other event."""
    snapshot = snapshot_of(event)
    if snapshot is None:
        return None
    root = str(snapshot.get("root") or "")
    states = states_from_json(snapshot.get("activities"))
    parts = [f"{root}: {states[root].summary}"] if root in states else []
    leaves = [state for key, state in states.items() if key != root and state.attempts]
    parts += [f"{state.id}: {state.summary}" for state in leaves]
    return event.arguments[0], "; ".join(parts)
