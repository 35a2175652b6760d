"""Reading imsmanifest.xml (verify's safe parser) into scorm-again's ``SequencingSettings`` JSON: the default
organization as the root activity and its items as the activity tree, every value spelled out with the SN defaults
of ``standards/scorm2004.py``, ``sequencingCollection`` members resolved, objective ids compared as ADL compares
them; what the engine cannot take as written becomes a note naming the element and its line."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from lxml import etree

from courseforge.diagnostics import Diagnostic, DiagnosticSink, Severity
from courseforge.stages.preview.harness.plugins.scorm2004_sequencing_plan import (
    ADAPTED,
    UNSUPPORTED,
    Definition,
    SequencingManifestError,
    SequencingPlan,
    Written,
)
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


def negation(condition: etree._Element) -> dict[str, str]:
    """A condition's ``operator="not"`` as the engine takes it (nothing for noOp)."""
    return {"operator": "not"} if (condition.get("operator") or "").strip() == "not" else {}


def text_of(element: etree._Element | None) -> str:
    return "" if element is None else (element.text or "").strip()



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

    def rule(self, rule: etree._Element, action_tag: str, actions: Collection[str], refused: str,
             conditions_tag: str, condition_tag: str, convert: Callable[[etree._Element], dict[str, Any] | None]
             ) -> tuple[str, str, list[dict[str, Any]]] | None:
        """The shape sequencing and rollup rules share: the action (one of ``actions``, else noted as ``refused``
        and None), the conditionCombination as written and each condition as ``convert`` gives it (None: it noted
        why the rule is left out)."""
        action_element = rule.find(ss(action_tag))
        action = "" if action_element is None else (action_element.get("action") or "").strip()
        if action not in actions:
            self.unsupported(rule, f"<imsss:{kind(rule)}> with action '{action}'", refused)
            return None
        conditions_element = rule.find(ss(conditions_tag))
        conditions = []
        for condition in [] if conditions_element is None else conditions_element.findall(ss(condition_tag)):
            converted = convert(condition)
            if converted is None:
                return None
            conditions.append(converted)
        return action, combination_of(conditions_element), conditions

    def sequencing_rule(self, rule: etree._Element, actions: Sequence[str]) -> dict[str, Any] | None:
        parts = self.rule(rule, "ruleAction", actions, "not an action of this rule kind", "ruleConditions",
                          "ruleCondition", self.rule_condition)
        if parts is None:
            return None
        action, combination, conditions = parts
        return {"action": action, "conditionCombination": combination if combination in ("all", "any")
                else std.RULE_CONDITION_COMBINATION, "conditions": conditions}

    def rule_condition(self, condition: etree._Element) -> dict[str, Any] | None:
        name = (condition.get("condition") or "").strip()
        if name not in std.RULE_CONDITIONS:
            self.unsupported(condition, f"<imsss:ruleCondition condition=\"{name}\">", "not an SN rule condition")
            return None
        converted: dict[str, Any] = {"condition": name, **negation(condition)}
        referenced = condition.get("referencedObjective")
        if referenced is not None and objective_key(referenced):
            converted["referencedObjective"] = objective_key(referenced)
        if name in ("objectiveMeasureGreaterThan", "objectiveMeasureLessThan"):
            converted["parameters"] = {"threshold": number(condition.get("measureThreshold"), 0.0)}
        return converted

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
        parts = self.rule(rule, "rollupAction", std.ROLLUP_ACTIONS, "not an SN rollup action", "rollupConditions",
                          "rollupCondition", lambda condition: self.rollup_condition(rule, condition))
        if parts is None:
            return None
        action, combination, conditions = parts
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

    def rollup_condition(self, rule: etree._Element, condition: etree._Element) -> dict[str, Any] | None:
        """A rollupCondition by scorm-again's name for it; one it does not evaluate leaves the whole rule out."""
        name = (condition.get("condition") or "").strip()
        engine_name = ENGINE_ROLLUP_CONDITIONS.get(name)
        if engine_name is None:
            why = ("scorm-again's rollup does not evaluate time conditions" if name in std.ROLLUP_CONDITIONS
                   else "not an SN rollup condition")
            self.unsupported(rule, f"the <imsss:rollupRule> with <imsss:rollupCondition condition=\"{name}\">", why)
            return None
        return {"condition": engine_name, **negation(condition)}

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

