"""What a SCORM 2004 LMS's sequencing engine is given, and what it concluded: the preview's LMS side runs the
package's sequencing and rollup in scorm-again's engine (``Scorm2004API`` with ``settings.sequencing``) instead
of only seeding cmi.

:func:`plan_for` reads imsmanifest.xml (verify's safe parser) into scorm-again's ``SequencingSettings`` JSON: the
default organization as the root activity and its items as the activity tree (identifiers, titles,
``isvisible``), each activity's controlMode, sequencing rules, limit conditions, objectives (primary and others,
``satisfiedByMeasure``, ``minNormalizedMeasure``, imsss and adlseq ``mapInfo``), rollup rules and controls,
rollup considerations, constrained choice, randomization, deliveryControls, ``adlcp:completionThreshold``,
``hideLMSUI``, auxiliary resources and shared data maps. A ``sequencingCollection`` member named by ``IDRef`` is
resolved here, as verify's ``effective_objectives`` does: an element the item defines itself replaces the
member's element of that kind. Every value is spelled out with the SN defaults of ``standards/scorm2004.py``
(scorm-again's own defaults differ: its flow defaults to true). Objective identifiers are compared as ADL
compares them (``objective_key``).

What scorm-again cannot take as written is reported as a warning naming the element and its line, never
dropped silently (:attr:`SequencingPlan.notes`): limit conditions it has no field for, rollup conditions it does
not evaluate, foreign elements. Two things are adapted, and also reported: a primary objective without
``objectiveID`` gets one (scorm-again keeps objectives by identifier and drops one without), and a rollup rule's
``minimumPercent`` (0..1 in the manifest) is given as the percent scorm-again counts in (0..100).

After a session the engine's activity states (:class:`ActivityState`, posted by the host page) are read against
the plan: :func:`explain` says which manifest elements decided the root activity's completion and satisfaction,
so a rollup that disagrees with the course names the element at fault.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lxml import etree

from courseforge.diagnostics import Diagnostic, DiagnosticSink, Severity
from courseforge.model.preview import ApiEvent
from courseforge.stages.verify.dialect import SCORM2004
from courseforge.stages.verify.parse import MANIFEST, Manifest, parse_document
from courseforge.stages.verify.sequencing import collection, kind, objective_key, seq, ss
from courseforge.stages.verify.structure import default_organization, index_identifiers
from courseforge.standards import scorm2004 as std

CP = f"{{{std.IMSCP}}}"
ADLCP = f"{{{std.ADLCP}}}"
ADLNAV = f"{{{std.ADLNAV}}}"
GENERATED_PRIMARY_ID = "primary-objective"
"""The identifier the LMS gives a primary objective the manifest leaves unnamed (suffixed if the activity
already uses it)."""
UNSUPPORTED = "sequencing.engine-unsupported"
ADAPTED = "sequencing.engine-adapted"
IMSSS_PARTS = ("controlMode", "sequencingRules", "limitConditions", "auxiliaryResources", "rollupRules",
               "objectives", "randomizationControls", "deliveryControls")
ADLSEQ_PARTS = ("constrainedChoiceConsiderations", "rollupConsiderations", "objectives")
ENGINE_LIMITS = ("attemptLimit", "attemptAbsoluteDurationLimit", "activityAbsoluteDurationLimit", "beginTimeLimit",
                 "endTimeLimit")
"""The limit conditions scorm-again's activities hold (its ActivitySettings)."""
ENGINE_ROLLUP_CONDITIONS = {"satisfied": "satisfied", "objectiveStatusKnown": "objectiveStatusKnown",
                            "objectiveMeasureKnown": "objectiveMeasureKnown", "completed": "completed",
                            "activityProgressKnown": "progressKnown", "attempted": "attempted",
                            "attemptLimitExceeded": "attemptLimitExceeded"}
"""SN rollup conditions by the name scorm-again's RollupConditionType gives them (it has no time conditions)."""
RULE_KINDS = (("preConditionRule", "preConditionRules", std.PRE_CONDITION_ACTIONS),
              ("exitConditionRule", "exitConditionRules", std.EXIT_CONDITION_ACTIONS),
              ("postConditionRule", "postConditionRules", std.POST_CONDITION_ACTIONS))


class SequencingManifestError(ValueError):
    """The package has no manifest the engine could be given (unreadable, no organization)."""


def adl(name: str) -> str:
    return f"{ADLCP}{name}"


def line_of(element: etree._Element | None) -> int:
    line: object = None if element is None else element.sourceline
    return line if isinstance(line, int) else 0


def flag(element: etree._Element | None, name: str, default: bool) -> bool:
    """An xs:boolean attribute ("true"/"1" and "false"/"0"), the SN default when absent or unreadable."""
    text = "" if element is None else (element.get(name) or "").strip()
    return {"true": True, "1": True, "false": False, "0": False}.get(text, default)


def number(text: str | None, default: float) -> float:
    try:
        return float((text or "").strip())
    except ValueError:
        return default


def combination_of(conditions: etree._Element | None) -> str:
    """A rule's conditionCombination as written ("" when absent)."""
    return "" if conditions is None else (conditions.get("conditionCombination") or "").strip()


def text_of(element: etree._Element | None) -> str:
    return "" if element is None else (element.text or "").strip()


# ------------------------------------------------------------------------------------ the plan


@dataclass(frozen=True)
class Written:
    """A definition the rollup depends on, as the manifest writes it and where."""

    value: float | bool
    element: str
    """The element (and attribute) as a person finds it in the manifest: ``<imsss:minNormalizedMeasure>``."""
    line: int = 0
    """0: not written, the SN default applies."""

    def at(self, manifest: str) -> str:
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
        definitions = tuple(replace(d, min_normalized_measure=Written(scaled, "the LMS's own passing score"))
                            if d.id in measured else d for d in self.definitions)
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


def read_plan(package_dir: Path) -> SequencingPlan:
    """The plan of an extracted package (``SequencingManifestError`` when its manifest cannot be read)."""
    try:
        data = (package_dir / MANIFEST).read_bytes()
    except OSError as error:
        raise SequencingManifestError(f"cannot read {MANIFEST}: {error.strerror or error}") from None
    return plan_for(data)


def plan_for(data: bytes, path: str = MANIFEST) -> SequencingPlan:
    sink = DiagnosticSink()
    manifest = parse_document(path, data, sink)
    if manifest is None:
        problem = next((d.message for d in sink), "unreadable")
        raise SequencingManifestError(f"{MANIFEST} cannot be given to the sequencing engine: {problem}")
    return build_plan(manifest)


def build_plan(manifest: Manifest) -> SequencingPlan:
    organization = default_organization(manifest, index_identifiers(manifest, DiagnosticSink(), SCORM2004),
                                        DiagnosticSink(), SCORM2004)
    if organization is None:
        raise SequencingManifestError(f"{MANIFEST} has no <organization> to sequence")
    reader = _Reader(manifest, collection(manifest))
    tree = reader.activity(organization, None)
    return SequencingPlan(manifest=manifest.path.rpartition("!")[2], root=tree["id"],
                          settings={"activityTree": tree}, definitions=tuple(reader.definitions),
                          notes=tuple(reader.notes))


# ------------------------------------------------------------------------------------ reading the manifest


def _written(source: etree._Element | None, name: str, value: float | bool, element_name: str) -> Written:
    """``value`` with where the manifest writes attribute ``name`` of ``source`` (line 0: the default)."""
    given = None if source is None else source.get(name)
    shown = given.strip() if given is not None else (str(value).lower() if isinstance(value, bool) else f"{value:g}")
    return Written(value, f"<{element_name} {name}=\"{shown}\">", line_of(source) if given is not None else 0)


class _Reader:
    """Walks the default organization once, collecting settings, definitions and notes."""

    def __init__(self, manifest: Manifest, members: dict[str, etree._Element]) -> None:
        self.manifest = manifest
        self.members = members
        self.definitions: list[Definition] = []
        self.notes: list[Diagnostic] = []

    # ---- notes

    def note(self, code: str, element: etree._Element, message: str, hint: str) -> None:
        self.notes.append(Diagnostic(Severity.WARNING, code, message, self.manifest.at(element), hint))

    def unsupported(self, element: etree._Element, what: str, why: str) -> None:
        self.note(UNSUPPORTED, element, f"{what} is left out of the preview's sequencing: {why}",
                  "the preview's verdict does not cover it; check it in the target LMS")

    # ---- parts of an activity's sequencing, local first, then the collection member it references

    def parts(self, owner: etree._Element) -> tuple[etree._Element | None, etree._Element | None]:
        sequencing = owner.find(ss("sequencing"))
        if sequencing is None:
            return None, None
        return sequencing, self.members.get((sequencing.get("IDRef") or "").strip())

    def part(self, owner: etree._Element, tag: str) -> etree._Element | None:
        local, member = self.parts(owner)
        for source in (local, member):
            found = None if source is None else source.find(tag)
            if found is not None:
                return found
        return None

    # ---- the tree

    def activity(self, element: etree._Element, parent: str | None) -> dict[str, Any]:
        identifier = (element.get("identifier") or "").strip()
        children = element.findall(f"{CP}item")
        settings: dict[str, Any] = {"id": identifier, "title": text_of(element.find(f"{CP}title")) or identifier,
                                    "isVisible": flag(element, "isvisible", True)}
        self.check_foreign(element)
        controls = self.controls(element)
        settings["sequencingControls"] = controls
        settings["deliveryControls"] = self.delivery(element)
        rules = self.sequencing_rules(element)
        if rules:
            settings["sequencingRules"] = rules
        rollup, satisfaction_rules, completion_rules = self.rollup_rules(element)
        if rollup:
            settings["rollupRules"] = {"rules": rollup}
        settings["rollupConsiderations"] = self.considerations(element)
        settings.update(self.limits(element))
        primary, others, reads = self.objectives(element, identifier)
        if primary is not None:
            settings["primaryObjective"] = primary
        if others:
            settings["objectives"] = others
        threshold = element.find(adl("completionThreshold"))
        settings["completionThreshold"] = self.threshold(threshold)
        action = text_of(element.find(adl("timeLimitAction")))
        if action:
            settings["timeLimitAction"] = action
        hidden = self.hide_lms_ui(element)
        if hidden:
            settings["hideLmsUi"] = hidden
        auxiliary = self.auxiliary(element)
        if auxiliary:
            settings["auxiliaryResources"] = auxiliary
        maps = [{"targetID": (m.get("targetID") or "").strip(), **{name: flag(m, name, default) for name, default
                                                                  in std.SHARED_DATA_MAP.items()}}
                for m in element.iterfind(f"{adl('data')}/{adl('map')}")]
        if maps:
            settings["sharedDataMaps"] = maps
        self.definitions.append(self.definition(element, identifier, parent, children, settings, threshold,
                                                satisfaction_rules, completion_rules, reads))
        if children:
            settings["children"] = [self.activity(child, identifier) for child in children]
        return settings

    def definition(self, element: etree._Element, identifier: str, parent: str | None,
                   children: Sequence[etree._Element], settings: Mapping[str, Any],
                   threshold: etree._Element | None, satisfaction_rules: tuple[int, ...],
                   completion_rules: tuple[int, ...], reads: tuple[tuple[str, int], ...]) -> Definition:
        delivery = self.part(element, ss("deliveryControls"))
        rollup = self.part(element, ss("rollupRules"))
        primary = self.primary_element(element)
        measure = None if primary is None else primary.find(ss("minNormalizedMeasure"))
        controls, objective = settings["sequencingControls"], settings.get("primaryObjective", {})
        completion = settings["completionThreshold"]

        return Definition(
            id=identifier, title=settings["title"], kind=kind(element), line=line_of(element), parent=parent,
            children=tuple((c.get("identifier") or "").strip() for c in children),
            tracked=_written(delivery, "tracked", settings["deliveryControls"]["tracked"], "imsss:deliveryControls"),
            counts_for_satisfaction=_written(rollup, "rollupObjectiveSatisfied", controls["rollupObjectiveSatisfied"],
                                            "imsss:rollupRules"),
            counts_for_completion=_written(rollup, "rollupProgressCompletion", controls["rollupProgressCompletion"],
                                          "imsss:rollupRules"),
            satisfied_by_measure=_written(primary, "satisfiedByMeasure",
                                         bool(objective.get("satisfiedByMeasure", std.SATISFIED_BY_MEASURE)),
                                         "imsss:primaryObjective"),
            min_normalized_measure=Written(float(objective.get("minNormalizedMeasure", std.MIN_NORMALIZED_MEASURE)),
                                           "<imsss:minNormalizedMeasure>", line_of(measure)),
            completed_by_measure=_written(threshold, "completedByMeasure", completion["completedByMeasure"],
                                         "adlcp:completionThreshold"),
            min_progress_measure=_written(threshold, "minProgressMeasure", completion["minProgressMeasure"],
                                         "adlcp:completionThreshold"),
            objective_set_by_content=_written(delivery, "objectiveSetByContent",
                                             settings["deliveryControls"]["objectiveSetByContent"],
                                             "imsss:deliveryControls"),
            completion_set_by_content=_written(delivery, "completionSetByContent",
                                              settings["deliveryControls"]["completionSetByContent"],
                                              "imsss:deliveryControls"),
            satisfaction_rules=satisfaction_rules, completion_rules=completion_rules, reads_satisfaction=reads)

    def check_foreign(self, element: etree._Element) -> None:
        """Children of imsss:sequencing the engine has no place for (extensions, misspellings)."""
        local, _ = self.parts(element)
        if local is None:
            return
        for child in local:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child)
            known = (name.namespace == std.IMSSS and name.localname in IMSSS_PARTS) or (
                name.namespace == std.ADLSEQ and name.localname in ADLSEQ_PARTS)
            if not known:
                self.unsupported(child, f"<{name.localname}> (namespace '{name.namespace}') in the sequencing of "
                                 f"'{element.get('identifier', '?')}'", "SCORM 2004 sequencing has no such element")

    def controls(self, element: etree._Element) -> dict[str, Any]:
        mode = self.part(element, ss("controlMode"))
        rollup = self.part(element, ss("rollupRules"))
        choice = self.part(element, seq("constrainedChoiceConsiderations"))
        random = self.part(element, ss("randomizationControls"))
        controls: dict[str, Any] = {name: flag(mode, name, default) for name, default in std.CONTROL_MODE.items()}
        controls.update({name: flag(choice, name, default) for name, default in std.CONSTRAINED_CHOICE.items()})
        controls["rollupObjectiveSatisfied"] = flag(rollup, "rollupObjectiveSatisfied",
                                                    bool(std.ROLLUP_CONTROLS["rollupObjectiveSatisfied"]))
        controls["rollupProgressCompletion"] = flag(rollup, "rollupProgressCompletion",
                                                    bool(std.ROLLUP_CONTROLS["rollupProgressCompletion"]))
        controls["objectiveMeasureWeight"] = number(None if rollup is None else rollup.get("objectiveMeasureWeight"),
                                                    float(std.ROLLUP_CONTROLS["objectiveMeasureWeight"]))
        controls["selectionTiming"] = self.timing(random, "selectionTiming")
        controls["randomizationTiming"] = self.timing(random, "randomizationTiming")
        controls["randomizeChildren"] = flag(random, "reorderChildren", bool(std.RANDOMIZATION["reorderChildren"]))
        count = None if random is None else random.get("selectCount")
        if count is not None and count.strip().isdigit():
            controls["selectCount"] = int(count)
        return controls

    def timing(self, random: etree._Element | None, name: str) -> str:
        value = (random.get(name) or "").strip() if random is not None else ""
        return value if value in std.TIMINGS else str(std.RANDOMIZATION[name])

    def delivery(self, element: etree._Element) -> dict[str, bool]:
        found = self.part(element, ss("deliveryControls"))
        return {name: flag(found, name, default) for name, default in std.DELIVERY_CONTROLS.items()}

    def limits(self, element: etree._Element) -> dict[str, Any]:
        found = self.part(element, ss("limitConditions"))
        if found is None:
            return {}
        limits: dict[str, Any] = {}
        for name in std.LIMIT_CONDITIONS:
            value = (found.get(name) or "").strip()
            if not value:
                continue
            if name not in ENGINE_LIMITS:
                self.unsupported(found, f"<imsss:limitConditions {name}=\"{value}\"> of '{element.get('identifier')}'",
                                 "scorm-again's engine has no such limit (SCORM does not require LMSs to honour it)")
            elif name == "attemptLimit":
                if value.isdigit():
                    limits[name] = int(value)
            else:
                limits[name] = value
        return limits

    def considerations(self, element: etree._Element) -> dict[str, Any]:
        found = self.part(element, seq("rollupConsiderations"))
        result: dict[str, Any] = {}
        for name, default in std.ROLLUP_CONSIDERATIONS.items():
            if isinstance(default, bool):
                result[name] = flag(found, name, default)
            else:
                value = (found.get(name) or "").strip() if found is not None else ""
                result[name] = value if value in std.ROLLUP_CONSIDERATION_VALUES else default
        return result

    def threshold(self, found: etree._Element | None) -> dict[str, Any]:
        defaults = std.COMPLETION_THRESHOLD
        return {"completedByMeasure": flag(found, "completedByMeasure", bool(defaults["completedByMeasure"])),
                "minProgressMeasure": number(None if found is None else found.get("minProgressMeasure"),
                                             float(defaults["minProgressMeasure"])),
                "progressWeight": number(None if found is None else found.get("progressWeight"),
                                         float(defaults["progressWeight"]))}

    def hide_lms_ui(self, element: etree._Element) -> list[str]:
        tokens: list[str] = []
        for hidden in element.iterfind(f"{ADLNAV}presentation/{ADLNAV}navigationInterface/{ADLNAV}hideLMSUI"):
            token = text_of(hidden)
            if token in std.HIDE_LMS_UI and token not in tokens:
                tokens.append(token)
        return tokens

    def auxiliary(self, element: etree._Element) -> list[dict[str, str]]:
        found = self.part(element, ss("auxiliaryResources"))
        if found is None:
            return []
        return [{"resourceId": (r.get("auxiliaryResourceID") or "").strip(),
                 "purpose": (r.get("purpose") or "").strip()} for r in found.findall(ss("auxiliaryResource"))]

    # ---- rules

    def sequencing_rules(self, element: etree._Element) -> dict[str, list[dict[str, Any]]]:
        found = self.part(element, ss("sequencingRules"))
        if found is None:
            return {}
        rules: dict[str, list[dict[str, Any]]] = {}
        for tag, key, actions in RULE_KINDS:
            for rule in found.findall(ss(tag)):
                converted = self.sequencing_rule(rule, actions)
                if converted is not None:
                    rules.setdefault(key, []).append(converted)
        return rules

    def sequencing_rule(self, rule: etree._Element, actions: Sequence[str]) -> dict[str, Any] | None:
        action_element = rule.find(ss("ruleAction"))
        action = "" if action_element is None else (action_element.get("action") or "").strip()
        if action not in actions:
            self.unsupported(rule, f"<imsss:{kind(rule)}> with action '{action}'", "not an action of this rule kind")
            return None
        conditions_element = rule.find(ss("ruleConditions"))
        combination = combination_of(conditions_element)
        conditions = []
        for condition in [] if conditions_element is None else conditions_element.findall(ss("ruleCondition")):
            name = (condition.get("condition") or "").strip()
            if name not in std.RULE_CONDITIONS:
                self.unsupported(condition, f"<imsss:ruleCondition condition=\"{name}\">", "not an SN rule condition")
                return None
            converted: dict[str, Any] = {"condition": name}
            if (condition.get("operator") or "").strip() == "not":
                converted["operator"] = "not"
            referenced = condition.get("referencedObjective")
            if referenced is not None and objective_key(referenced):
                converted["referencedObjective"] = objective_key(referenced)
            if name in ("objectiveMeasureGreaterThan", "objectiveMeasureLessThan"):
                converted["parameters"] = {"threshold": number(condition.get("measureThreshold"), 0.0)}
            conditions.append(converted)
        return {"action": action, "conditionCombination": combination if combination in ("all", "any")
                else std.RULE_CONDITION_COMBINATION, "conditions": conditions}

    def rollup_rules(self, element: etree._Element) -> tuple[list[dict[str, Any]], tuple[int, ...], tuple[int, ...]]:
        found = self.part(element, ss("rollupRules"))
        rules: list[dict[str, Any]] = []
        satisfaction: list[int] = []
        completion: list[int] = []
        for rule in [] if found is None else found.findall(ss("rollupRule")):
            converted = self.rollup_rule(rule)
            if converted is None:
                continue
            rules.append(converted)
            (satisfaction if converted["action"] in std.SATISFACTION_ACTIONS else completion).append(line_of(rule))
        return rules, tuple(satisfaction), tuple(completion)

    def rollup_rule(self, rule: etree._Element) -> dict[str, Any] | None:
        action_element = rule.find(ss("rollupAction"))
        action = "" if action_element is None else (action_element.get("action") or "").strip()
        if action not in std.ROLLUP_ACTIONS:
            self.unsupported(rule, f"<imsss:rollupRule> with action '{action}'", "not an SN rollup action")
            return None
        conditions_element = rule.find(ss("rollupConditions"))
        combination = combination_of(conditions_element)
        conditions = []
        for condition in [] if conditions_element is None else conditions_element.findall(ss("rollupCondition")):
            name = (condition.get("condition") or "").strip()
            engine_name = ENGINE_ROLLUP_CONDITIONS.get(name)
            if engine_name is None:
                why = ("scorm-again's rollup does not evaluate time conditions" if name in std.ROLLUP_CONDITIONS
                       else "not an SN rollup condition")
                self.unsupported(rule, f"the <imsss:rollupRule> with <imsss:rollupCondition condition=\"{name}\">", why)
                return None
            converted: dict[str, Any] = {"condition": engine_name}
            if (condition.get("operator") or "").strip() == "not":
                converted["operator"] = "not"
            conditions.append(converted)
        child_set = (rule.get("childActivitySet") or "").strip()
        converted_rule: dict[str, Any] = {
            "action": action,
            "consideration": child_set if child_set in std.CHILD_ACTIVITY_SETS else std.CHILD_ACTIVITY_SET,
            "conditionCombination": combination if combination in ("all", "any") else std.ROLLUP_CONDITION_COMBINATION,
            "conditions": conditions}
        count = (rule.get("minimumCount") or "").strip()
        if count.isdigit():
            converted_rule["minimumCount"] = int(count)
        percent = rule.get("minimumPercent")
        if percent is not None:
            converted_rule["minimumPercent"] = round(number(percent, 0.0) * 100, 6)
            if converted_rule["consideration"] == "atLeastPercent":
                self.note(ADAPTED, rule, f"minimumPercent=\"{percent.strip()}\" is given to scorm-again as "
                          f"{converted_rule['minimumPercent']:g} (it counts in percent, the manifest in 0..1)",
                          "nothing to change in the manifest")
        return converted_rule

    # ---- objectives

    def primary_element(self, element: etree._Element) -> etree._Element | None:
        objectives = self.part(element, ss("objectives"))
        return None if objectives is None else objectives.find(ss("primaryObjective"))

    def objectives(self, element: etree._Element, activity: str
                   ) -> tuple[dict[str, Any] | None, list[dict[str, Any]], tuple[tuple[str, int], ...]]:
        objectives = self.part(element, ss("objectives"))
        adl_objectives = self.part(element, seq("objectives"))
        if objectives is None:
            return None, [], ()
        extended: dict[str, list[dict[str, Any]]] = {}
        for objective in [] if adl_objectives is None else adl_objectives.findall(seq("objective")):
            maps = [self.adl_map(m) for m in objective.findall(seq("mapInfo"))]
            extended.setdefault(objective_key(objective.get("objectiveID")), []).extend(maps)
        named = {objective_key(o.get("objectiveID")) for o in objectives.findall(ss("objective"))}
        primary_element = objectives.find(ss("primaryObjective"))
        primary = None
        reads: tuple[tuple[str, int], ...] = ()
        if primary_element is not None:
            identifier = objective_key(primary_element.get("objectiveID"))
            if not identifier:
                identifier = GENERATED_PRIMARY_ID
                while identifier in named:
                    identifier += "-"
                self.note(ADAPTED, primary_element, f"the primary objective of '{activity}' has no objectiveID; "
                          f"the preview's LMS names it '{identifier}' (scorm-again drops objectives without one), so "
                          f"cmi.objectives holds an objective '{identifier}' a SCORM 2004 LMS would not list",
                          "nothing to change: an unnamed primary objective is valid SCORM 2004")
            primary = self.objective(primary_element, identifier, extended, primary=True)
            reads = tuple((m["targetObjectiveID"], line) for m, line in zip(
                primary["mapInfo"], (line_of(m) for m in primary_element.findall(ss("mapInfo"))), strict=False)
                if m.get("readSatisfiedStatus"))
        others = [self.objective(o, objective_key(o.get("objectiveID")), extended, primary=False)
                  for o in objectives.findall(ss("objective")) if objective_key(o.get("objectiveID"))]
        return primary, others, reads

    def objective(self, element: etree._Element, identifier: str, extended: Mapping[str, list[dict[str, Any]]],
                  primary: bool) -> dict[str, Any]:
        measure = element.find(ss("minNormalizedMeasure"))
        maps = [self.imsss_map(m) for m in element.findall(ss("mapInfo"))] + list(extended.get(identifier, []))
        objective: dict[str, Any] = {
            "objectiveID": identifier, "isPrimary": primary,
            "satisfiedByMeasure": flag(element, "satisfiedByMeasure", std.SATISFIED_BY_MEASURE),
            "minNormalizedMeasure": number(text_of(measure), std.MIN_NORMALIZED_MEASURE) if measure is not None
            else std.MIN_NORMALIZED_MEASURE,
            "mapInfo": maps}
        return objective

    def imsss_map(self, element: etree._Element) -> dict[str, Any]:
        """An imsss:mapInfo: satisfied status and measure only; the adlseq reads scorm-again defaults to true are
        switched off, since an imsss map says nothing about them."""
        return {"targetObjectiveID": objective_key(element.get("targetObjectiveID")),
                **{name: flag(element, name, default) for name, default in std.MAP_INFO.items()},
                **{name: False for name in std.ADL_MAP_INFO}}

    def adl_map(self, element: etree._Element) -> dict[str, Any]:
        """An adlseq:mapInfo: raw/min/max score, completion and progress; not satisfied status or measure."""
        return {"targetObjectiveID": objective_key(element.get("targetObjectiveID")),
                **{name: False for name in std.MAP_INFO},
                **{name: flag(element, name, default) for name, default in std.ADL_MAP_INFO.items()}}


# ------------------------------------------------------------------------------------ what the engine concluded


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
            source = ("the SCO's cmi.success_status" if activity.objective_set_by_content.value is True else
                      f"the SCO's cmi.success_status, or the LMS itself at the end of the attempt "
                      f"({activity.objective_set_by_content.at(manifest)})")
            yield f"{said}: not satisfied by measure ({activity.satisfied_by_measure.at(manifest)}), so from {source}"
        return
    if activity.completed_by_measure.value is True:
        threshold = activity.min_progress_measure
        progress = "no cmi.progress_measure" if state.progress is None else f"progress {state.progress:g}"
        yield (f"{said}: completed by measure ({activity.completed_by_measure.at(manifest)}): {progress} against "
               f"minProgressMeasure {float(threshold.value):g}")
    else:
        source = ("the SCO's cmi.completion_status" if activity.completion_set_by_content.value is True else
                  f"the SCO's cmi.completion_status, or the LMS itself at the end of the attempt "
                  f"({activity.completion_set_by_content.at(manifest)})")
        yield f"{said}: from {source}"


# ------------------------------------------------------------------------------------ the launch's events


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
        elif method == ROLLUP and len(arguments) > 1:
            try:
                snapshot = json.loads(arguments[1])
            except ValueError:
                continue
            if isinstance(snapshot, dict):
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
    count = 0
    for event in events:
        if event.method == ROLLUP and len(event.arguments) > 1:
            try:
                snapshot = json.loads(event.arguments[1])
            except ValueError:
                continue
            count += isinstance(snapshot, dict) and snapshot.get("saved") is True
    return count


def describe(event: ApiEvent) -> tuple[str, str] | None:
    """A rollup snapshot as a report row (element, value): the root's and the current activity's state, not the
    JSON; None for every other event."""
    if event.method != ROLLUP or len(event.arguments) < 2:
        return None
    try:
        snapshot = json.loads(event.arguments[1])
    except ValueError:
        return None
    if not isinstance(snapshot, dict):
        return None
    root = str(snapshot.get("root") or "")
    states = states_from_json(snapshot.get("activities"))
    parts = [f"{root}: {states[root].summary}"] if root in states else []
    leaves = [state for key, state in states.items() if key != root and state.attempts]
    parts += [f"{state.id}: {state.summary}" for state in leaves]
    return event.arguments[0], "; ".join(parts)
