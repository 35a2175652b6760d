"""The engine's activity states after a session (:class:`ActivityState`, posted by the host page), read against
the plan: :func:`explain` says which manifest elements decided the root activity's completion and satisfaction, so
a rollup that disagrees with the course names the element at fault."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from courseforge.stages.preview.harness.plugins.scorm2004_sequencing_plan import Definition, SequencingPlan, Written

SATISFIED = "satisfied"
NOT_SATISFIED = "not satisfied"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class ActivityState:
    """One activity's tracking state as the engine holds it after rollup (SN's attempt completion status,
    objective satisfied status and normalized measure)."""

    id: str
    completion: str = UNKNOWN
    """completed | incomplete | not attempted | unknown"""
    satisfied: str = UNKNOWN
    """satisfied | not satisfied | unknown"""
    measure: float | None = None
    progress: float | None = None
    attempts: int = 0
    suspended: bool = False

    @property
    def summary(self) -> str:
        measure = "" if self.measure is None else f", measure {self.measure:g}"
        return f"{self.completion}, {self.satisfied}{measure}"


def _optional_float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def states_from_json(activities: object) -> dict[str, ActivityState]:
    """The host page's snapshot (a list of objects, static/host.js ``activityStates``) by activity id."""
    states: dict[str, ActivityState] = {}
    for entry in activities if isinstance(activities, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            continue
        satisfied = str(entry.get("satisfied", UNKNOWN))
        attempts = entry.get("attempts", 0)
        states[entry["id"]] = ActivityState(
            id=entry["id"], completion=str(entry.get("completion") or UNKNOWN),
            satisfied=satisfied if satisfied in (SATISFIED, NOT_SATISFIED) else UNKNOWN,
            measure=_optional_float(entry.get("measure")), progress=_optional_float(entry.get("progress")),
            attempts=attempts if isinstance(attempts, int) and not isinstance(attempts, bool) else 0,
            suspended=entry.get("suspended") is True)
    return states


def explain(plan: SequencingPlan, states: Mapping[str, ActivityState], aspect: str) -> str:
    """Which manifest elements decided the root's ``aspect`` (``satisfaction`` or ``completion``), following the
    activities that count towards it down to the SCOs, in the manifest's terms."""
    root = plan.definition(plan.root)
    if root is None:
        return ""
    reasons = list(_why(plan, states, root, aspect, depth=0))
    return "; ".join(reasons)


def _state(states: Mapping[str, ActivityState], activity: str) -> ActivityState:
    return states.get(activity, ActivityState(activity))


def _value(state: ActivityState, aspect: str) -> str:
    return state.satisfied if aspect == "satisfaction" else state.completion


def _why(plan: SequencingPlan, states: Mapping[str, ActivityState], activity: Definition, aspect: str,
         depth: int) -> Iterator[str]:
    manifest = plan.manifest
    state = _state(states, activity.id)
    said = f"{activity.label} is {_value(state, aspect)}"
    if activity.tracked.value is False:
        yield f"{said}: {activity.tracked.at(manifest)} makes the LMS keep no tracking data for it"
        return
    if activity.leaf:
        yield from _why_leaf(activity, state, aspect, said, manifest)
        return
    own_rules = activity.satisfaction_rules if aspect == "satisfaction" else activity.completion_rules
    by_measure = activity.satisfied_by_measure.value is True and aspect == "satisfaction"
    children = [d for d in (plan.definition(c) for c in activity.children) if d is not None]

    def counted(child: Definition) -> bool:
        flagged = child.counts_for_satisfaction if aspect == "satisfaction" else child.counts_for_completion
        return flagged.value is True and child.tracked.value is True

    if by_measure:
        measure = "no measure" if state.measure is None else f"the rolled-up measure {state.measure:g}"
        yield (f"{said}: it is satisfied by measure ({activity.satisfied_by_measure.at(manifest)}): {measure} against "
               f"{activity.min_normalized_measure.at(manifest)} {activity.min_normalized_measure.value:g}")
    elif own_rules:
        lines = ", ".join(str(line) for line in own_rules)
        yield f"{said} by its own <imsss:rollupRule> elements ({manifest} line {lines})"
    else:
        yield f"{said} by the default rollup of the children that count towards it"
    left_out = [c for c in children if not counted(c)]
    for child in left_out:
        flagged = child.counts_for_satisfaction if aspect == "satisfaction" else child.counts_for_completion
        cause = child.tracked if child.tracked.value is False else flagged
        yield f"{child.label} does not count towards it: {cause.at(manifest)}"
    included = [c for c in children if counted(c)]
    if not included:
        yield f"no child of {activity.label} counts towards its {aspect}, so the LMS cannot roll it up"
        return
    if depth >= 8:
        return
    value = _value(state, aspect)
    for child in included:
        if _value(_state(states, child.id), aspect) == value or len(included) == 1:
            yield from _why(plan, states, child, aspect, depth + 1)


def _why_leaf(activity: Definition, state: ActivityState, aspect: str, said: str, manifest: str) -> Iterator[str]:
    if aspect == "satisfaction":
        for target, line in activity.reads_satisfaction:
            yield f"{activity.label} reads its satisfied status from global objective '{target}' (<imsss:mapInfo>, " \
                  f"{manifest} line {line})"
        if activity.satisfied_by_measure.value is True:
            threshold = activity.min_normalized_measure
            if state.measure is None:
                yield (f"{said}: it is satisfied by measure ({activity.satisfied_by_measure.at(manifest)}) and the SCO "
                       "reported no cmi.score.scaled")
            else:
                relation = "at or above" if state.measure >= float(threshold.value) else "below"
                yield (f"{said}: its measure {state.measure:g} is {relation} the {threshold.at(manifest)} "
                       f"{float(threshold.value):g} of its primary objective")
        else:
            source = _reported_by("cmi.success_status", activity.objective_set_by_content, manifest)
            yield f"{said}: not satisfied by measure ({activity.satisfied_by_measure.at(manifest)}), so from {source}"
        return
    if activity.completed_by_measure.value is True:
        threshold = activity.min_progress_measure
        progress = "no cmi.progress_measure" if state.progress is None else f"progress {state.progress:g}"
        yield (f"{said}: completed by measure ({activity.completed_by_measure.at(manifest)}): {progress} against "
               f"minProgressMeasure {float(threshold.value):g}")
    else:
        yield f"{said}: from {_reported_by('cmi.completion_status', activity.completion_set_by_content, manifest)}"


def _reported_by(element: str, set_by_content: Written, manifest: str) -> str:
    """Who sets a leaf's status: the SCO's ``element`` alone when its deliveryControls say the content sets it,
    else also the LMS at the end of the attempt."""
    if set_by_content.value is True:
        return f"the SCO's {element}"
    return f"the SCO's {element}, or the LMS itself at the end of the attempt ({set_by_content.at(manifest)})"

