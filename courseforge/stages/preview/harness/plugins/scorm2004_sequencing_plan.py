"""A package's sequencing as the preview LMS's engine runs it: scorm-again's ``SequencingSettings`` with, per
activity, the manifest elements that decide its completion and satisfaction (:class:`Definition`, each value a
:class:`Written` naming where the manifest writes it), and the notes on what the engine could not take as written.
Built by ``scorm2004_sequencing_manifest``; read back by ``scorm2004_sequencing_states`` and ``_events``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from courseforge.diagnostics import Diagnostic

UNSUPPORTED = "sequencing.engine-unsupported"
ADAPTED = "sequencing.engine-adapted"


class SequencingManifestError(ValueError):
    """The package has no manifest the engine could be given (unreadable, no organization)."""



@dataclass(frozen=True)
class Written:
    """A definition the rollup depends on, as the manifest writes it and where."""

    value: float | bool
    element: str
    """The element (and attribute) as a person finds it in the manifest: ``<imsss:minNormalizedMeasure>``."""
    line: int = 0
    """0: not written, the SN default applies."""
    by_lms: bool = False
    """The LMS imposes the value (its own passing score), whatever the manifest writes."""

    def at(self, manifest: str) -> str:
        if self.by_lms:
            return self.element
        return f"{self.element} ({manifest} line {self.line})" if self.line else f"{self.element} (the default)"


@dataclass(frozen=True)
class Definition:
    """One activity as the engine got it, with what decides its completion and satisfaction."""

    id: str
    title: str
    kind: str
    """``organization`` (the root) or ``item``."""
    line: int
    parent: str | None
    children: tuple[str, ...]
    tracked: Written
    counts_for_satisfaction: Written
    """imsss:rollupRules rollupObjectiveSatisfied: its satisfaction counts towards its parent's."""
    counts_for_completion: Written
    satisfied_by_measure: Written
    min_normalized_measure: Written
    completed_by_measure: Written
    min_progress_measure: Written
    objective_set_by_content: Written
    completion_set_by_content: Written
    satisfaction_rules: tuple[int, ...] = ()
    """Lines of its own rollup rules deciding satisfied/notSatisfied."""
    completion_rules: tuple[int, ...] = ()
    reads_satisfaction: tuple[tuple[str, int], ...] = ()
    """(global objective, mapInfo line) its primary objective reads its satisfied status from."""

    @property
    def leaf(self) -> bool:
        return not self.children

    @property
    def label(self) -> str:
        return f"{self.kind} '{self.id}'"


@dataclass(frozen=True)
class SequencingPlan:
    """A package's sequencing as the LMS's engine runs it."""

    manifest: str
    """How messages name the manifest (``imsmanifest.xml``)."""
    root: str
    """The root activity: the default organization's identifier."""
    settings: Mapping[str, Any]
    """scorm-again's ``SequencingSettings`` (JSON)."""
    definitions: tuple[Definition, ...]
    notes: tuple[Diagnostic, ...] = ()
    """What scorm-again could not take as written, or took adapted (warnings)."""

    def definition(self, activity: str) -> Definition | None:
        return next((d for d in self.definitions if d.id == activity), None)

    @property
    def leaves(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.definitions if d.leaf and d.kind == "item")

    def with_passing_score(self, scaled: float) -> SequencingPlan:
        """The plan of an LMS that imposes its own passing score: every primary objective satisfied by measure
        takes ``scaled`` as its minNormalizedMeasure (the LMS applies the passing score it gives the SCO as
        cmi.scaled_passing_score to its own rollup too)."""
        measured = {d.id for d in self.definitions if d.satisfied_by_measure.value is True}
        tree = _with_measure(dict(self.settings["activityTree"]), measured, scaled)
        imposed = Written(scaled, "passing score the LMS imposes", by_lms=True)
        definitions = tuple(replace(d, min_normalized_measure=imposed) if d.id in measured else d
                            for d in self.definitions)
        return replace(self, settings={**self.settings, "activityTree": tree}, definitions=definitions)

    def to_host(self) -> dict[str, Any]:
        """What the LMS page gets: the settings and which activity each launchable item is."""
        return {"settings": dict(self.settings), "root": self.root, "leaves": list(self.leaves)}


def _with_measure(activity: dict[str, Any], measured: set[str], scaled: float) -> dict[str, Any]:
    if activity["id"] in measured:
        activity["primaryObjective"] = {**activity["primaryObjective"], "minNormalizedMeasure": scaled}
    if "children" in activity:
        activity["children"] = [_with_measure(dict(child), measured, scaled) for child in activity["children"]]
    return activity

