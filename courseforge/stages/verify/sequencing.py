"""SCORM 2004 rules the 4th edition schemas cannot express: how items, resources, sequencing and objectives refer
to each other (ADL's own package checker states them as CAM/SN requirements; the numbers are in the messages'
docstrings). The XSDs type these references as strings or URIs, so a dangling one validates; an LMS then
sequences by a rule that points nowhere, or refuses the package at import.

Objective identifiers are compared as ADL's checker compares them: %-escapes decoded and white space
collapsed (``" ob%20j%201 "`` and ``"ob   j 1"`` are the same objective).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from courseforge.diagnostics import DiagnosticSink
from courseforge.stages.verify.dialect import SCORM2004, CpDialect
from courseforge.stages.verify.parse import MANIFEST, Manifest
from courseforge.stages.verify.structure import label
from courseforge.standards.scorm2004 import ADLSEQ, IMSSS

READ_FLAGS = {IMSSS: ("readSatisfiedStatus", "readNormalizedMeasure"),
              ADLSEQ: ("readRawScore", "readMinScore", "readMaxScore", "readCompletionStatus", "readProgressMeasure")}
WRITE_FLAGS = {IMSSS: ("writeSatisfiedStatus", "writeNormalizedMeasure"),
               ADLSEQ: ("writeRawScore", "writeMinScore", "writeMaxScore", "writeCompletionStatus",
                        "writeProgressMeasure")}
NOT_AT_ROOT = ("exitParent", "previous")
"""Post-condition actions that have no meaning on the organization (the root activity has no parent, nothing
before it): REQ_31.6.3.2.1.1.1 and .2."""


def ss(name: str) -> str:
    return f"{{{IMSSS}}}{name}"


def seq(name: str) -> str:
    return f"{{{ADLSEQ}}}{name}"


def objective_key(text: str | None) -> str:
    """An objective identifier as ADL compares them: %-escapes decoded, white space collapsed."""
    return " ".join(unquote(text or "").split())


def kind(element: etree._Element) -> str:
    return etree.QName(element).localname


@dataclass(frozen=True)
class Sequencing:
    """One ``<imsss:sequencing>`` and where it sits."""

    element: etree._Element
    owner: etree._Element
    """The item or organization it belongs to, or the sequencingCollection holding it."""

    @property
    def in_collection(self) -> bool:
        return kind(self.owner) == "sequencingCollection"

    @property
    def where(self) -> str:
        if self.in_collection:
            return f"the sequencingCollection's sequencing '{self.element.get('ID', '?')}'"
        return f"the sequencing of {label(self.owner)}"


def sequencings(manifest: Manifest) -> Iterator[Sequencing]:
    for element in manifest.root.iter(ss("sequencing")):
        owner = element.getparent()
        if owner is not None:
            yield Sequencing(element, owner)


def collection(manifest: Manifest) -> dict[str, etree._Element]:
    """The sequencingCollection's members by ID."""
    found = manifest.root.find(ss("sequencingCollection"))
    members = [] if found is None else found.findall(ss("sequencing"))
    return {(member.get("ID") or "").strip(): member for member in members if member.get("ID")}


def objectives_of(element: etree._Element) -> list[etree._Element]:
    """The primary objective and the other objectives a sequencing element defines itself."""
    objectives = element.find(ss("objectives"))
    return [] if objectives is None else [child for child in objectives if kind(child) in ("primaryObjective",
                                                                                         "objective")]


def effective_objectives(element: etree._Element, members: dict[str, etree._Element]) -> list[etree._Element]:
    """An activity's objectives: its own, else those of the collection member it references (local elements
    replace the referenced ones)."""
    own = objectives_of(element)
    if own or element.find(ss("objectives")) is not None:
        return own
    referenced = members.get((element.get("IDRef") or "").strip())
    return [] if referenced is None else objectives_of(referenced)


def check(manifest: Manifest, sink: DiagnosticSink, dialect: CpDialect = SCORM2004) -> None:
    """Every reference between items, resources, sequencing and objectives."""
    check_scorm_types(manifest, sink, dialect)
    check_item_refs(manifest, sink, dialect)
    members = collection(manifest)
    all_sequencing = list(sequencings(manifest))
    for sequencing in all_sequencing:
        check_placement(manifest, sequencing, members, sink)
        check_root_actions(manifest, sequencing, sink)
        check_objective_ids(manifest, sequencing, sink)
        check_maps(manifest, sequencing, sink)
    check_references(manifest, all_sequencing, members, sink)


def check_scorm_types(manifest: Manifest, sink: DiagnosticSink, dialect: CpDialect) -> None:
    """REQ_30.7.3.4: every resource says whether it is a SCO or an asset (the schema leaves ADL attributes lax)."""
    for resource in manifest.root.iter(dialect.tag("resource")):
        if resource.get(dialect.scormtype_attribute) is not None:
            continue
        other = [name for name in resource.attrib if etree.QName(name).localname.lower() == "scormtype"]
        hint = (dialect.misspelling_hint if other else
                f"add {dialect.scormtype_written}=\"sco\" to a resource that talks to the LMS, \"asset\" to any other")
        sink.error(
            "manifest.scormtype-missing",
            f"{label(resource)} in {MANIFEST} has no {dialect.scormtype_written}; SCORM 2004 LMSs need it to know "
            "whether to give the page the API",
            manifest.at(resource),
            hint=hint,
        )


def check_item_refs(manifest: Manifest, sink: DiagnosticSink, dialect: CpDialect) -> None:
    """REQ_30.6.3.6.2.3/.4: a leaf item launches a resource; an item holding items (a cluster) launches none."""
    for item in manifest.root.iter(dialect.tag("item")):
        leaf = item.find(dialect.tag("item")) is None
        ref = item.get("identifierref")
        if leaf and ref is None:
            sink.error("manifest.item-ref", f"{label(item)} in {MANIFEST} has no child items and launches nothing",
                       manifest.at(item), hint="give the item identifierref=\"...\" naming the resource it launches")
        elif not leaf and ref is not None:
            sink.error("manifest.item-ref", f"{label(item)} in {MANIFEST} holds other items but also launches "
                       f"'{ref}'; in SCORM 2004 only leaf items launch resources", manifest.at(item),
                       hint="move the resource to a child item of its own, or remove identifierref")


def check_placement(manifest: Manifest, sequencing: Sequencing, members: dict[str, etree._Element],
                    sink: DiagnosticSink) -> None:
    """REQ_31.3/31.4: collection members have an ID and no IDRef; an item's or organization's sequencing has no
    ID, and its IDRef names a member of the sequencingCollection."""
    element = sequencing.element
    identifier, ref = element.get("ID"), element.get("IDRef")
    if sequencing.in_collection:
        if not identifier:
            sink.error("sequencing.collection", "a <imsss:sequencing> in the sequencingCollection has no ID, so no "
                       "activity can use it", manifest.at(element), hint="give it ID=\"...\" and name that ID in an "
                       "item's <imsss:sequencing IDRef=\"...\">")
        if ref is not None:
            sink.error("sequencing.collection", f"{sequencing.where} has IDRef='{ref}'; a collection member cannot "
                       "reference another", manifest.at(element), hint="remove IDRef from the collection member")
        return
    if identifier is not None:
        sink.error("sequencing.collection", f"{sequencing.where} has ID='{identifier}'; only members of the "
                   "sequencingCollection carry an ID", manifest.at(element),
                   hint="remove ID, or move this sequencing into the <imsss:sequencingCollection> and reference it "
                   "with IDRef")
    if ref is not None and ref.strip() not in members:
        known = ", ".join(f"'{name}'" for name in sorted(members)) or "none"
        sink.error("sequencing.idref", f"{sequencing.where} has IDRef='{ref}', but the sequencingCollection has no "
                   f"sequencing with that ID (it has {known})", manifest.at(element),
                   hint="name the ID of a <imsss:sequencing> inside <imsss:sequencingCollection>, after "
                   "<resources>")


def check_root_actions(manifest: Manifest, sequencing: Sequencing, sink: DiagnosticSink) -> None:
    if kind(sequencing.owner) != "organization":
        return
    for action in sequencing.element.iterfind(f"{ss('sequencingRules')}/{ss('postConditionRule')}/"
                                              f"{ss('ruleAction')}"):
        value = (action.get("action") or "").strip()
        if value in NOT_AT_ROOT:
            sink.error("sequencing.rule-action", f"the organization's post-condition rule action '{value}' has "
                       "nothing to act on: the organization is the root activity", manifest.at(action),
                       hint="put the rule on the item (cluster) it is meant for")


def check_objective_ids(manifest: Manifest, sequencing: Sequencing, sink: DiagnosticSink) -> None:
    """REQ_31.10.1.2.2/.3: objective IDs are unique within an activity; a primary objective that maps to a
    global objective needs an ID of its own."""
    seen: dict[str, etree._Element] = {}
    for objective in objectives_of(sequencing.element):
        raw = objective.get("objectiveID")
        if raw is None:
            if kind(objective) == "primaryObjective" and objective.find(ss("mapInfo")) is not None:
                sink.error("sequencing.objective-id", f"the primary objective of {sequencing.where} maps to a "
                           "global objective but has no objectiveID", manifest.at(objective),
                           hint="give the <imsss:primaryObjective> an objectiveID")
            continue
        key = objective_key(raw)
        if not key:
            sink.error("sequencing.objective-id", f"an objective of {sequencing.where} has an empty objectiveID",
                       manifest.at(objective), hint="give every objective a non-blank objectiveID")
        elif key in seen:
            sink.error("sequencing.objective-id", f"objectiveID '{raw.strip()}' is used twice in {sequencing.where} "
                       f"(first on line {seen[key].sourceline})", manifest.at(objective),
                       hint="give every objective of an activity its own objectiveID")
        else:
            seen[key] = objective


def flags_set(maps: Iterable[etree._Element], flag: str) -> list[etree._Element]:
    """Maps that set ``flag`` to true explicitly (ADL's checker does not count the defaults)."""
    return [element for element in maps if (element.get(flag) or "").strip() == "true"]


def check_maps(manifest: Manifest, sequencing: Sequencing, sink: DiagnosticSink) -> None:
    """REQ_31.10.1.4.6 and REQ_31.15.2.2.12/13: an objective reads each status from one global objective; within
    an activity, one objective at most writes each status to the same global objective."""
    groups = [(IMSSS, objectives_of(sequencing.element), ss("mapInfo"))]
    adl = sequencing.element.find(seq("objectives"))
    if adl is not None:
        groups.append((ADLSEQ, adl.findall(seq("objective")), seq("mapInfo")))
    for namespace, objectives, map_tag in groups:
        writers: dict[tuple[str, str], etree._Element] = {}
        for objective in objectives:
            maps = objective.findall(map_tag)
            for flag in READ_FLAGS[namespace]:
                reading = flags_set(maps, flag)
                if len(reading) > 1:
                    sink.error("sequencing.map", f"objective '{objective.get('objectiveID', '(primary)')}' of "
                               f"{sequencing.where} sets {flag}=\"true\" on {len(reading)} mapInfo elements; it can "
                               "read that status from one global objective only", manifest.at(reading[1]),
                               hint=f"keep {flag}=\"true\" on one mapInfo")
            for flag in WRITE_FLAGS[namespace]:
                for element in flags_set(maps, flag):
                    target = objective_key(element.get("targetObjectiveID"))
                    first = writers.setdefault((flag, target), element)
                    if first is not element and first.getparent() is not objective:
                        sink.error("sequencing.map", f"two objectives of {sequencing.where} set {flag}=\"true\" for "
                                   f"global objective '{target}'; only one of an activity's objectives may write it",
                                   manifest.at(element), hint=f"keep {flag}=\"true\" on one objective's mapInfo")


def check_references(manifest: Manifest, all_sequencing: list[Sequencing], members: dict[str, etree._Element],
                     sink: DiagnosticSink) -> None:
    """REQ_31.6.x.1.2.1 and REQ_31.15.2.1.4: a rule condition's referencedObjective and an adlseq:objective name an
    objective of the activity itself (its own objectives, else its collection member's). A collection member's
    references must hold for every activity that uses it."""
    users: dict[str, list[etree._Element]] = {}
    for sequencing in all_sequencing:
        ref = (sequencing.element.get("IDRef") or "").strip()
        if not sequencing.in_collection and ref in members:
            users.setdefault(ref, []).append(sequencing.element)
    for sequencing in all_sequencing:
        element = sequencing.element
        if sequencing.in_collection:
            activities = users.get((element.get("ID") or "").strip()) or [element]
        else:
            activities = [element]
        for activity in activities:
            known = {objective_key(o.get("objectiveID")) for o in effective_objectives(activity, members)}
            for condition in element.iter(ss("ruleCondition")):
                referenced = condition.get("referencedObjective")
                if referenced is not None and objective_key(referenced) not in known:
                    dangling_objective(manifest, condition, "the rule condition's referencedObjective", referenced,
                                       sequencing, activity, sink)
            for objective in element.iterfind(f"{seq('objectives')}/{seq('objective')}"):
                named = objective.get("objectiveID")
                if named is not None and objective_key(named) not in known:
                    dangling_objective(manifest, objective, "adlseq:objective", named, sequencing, activity, sink)


def dangling_objective(manifest: Manifest, element: etree._Element, what: str, name: str, sequencing: Sequencing,
                       activity: etree._Element, sink: DiagnosticSink) -> None:
    via = ""
    if activity is not sequencing.element:
        owner = activity.getparent()
        via = f" (as used by {label(owner)})" if owner is not None else ""
    sink.error(
        "sequencing.objective-ref",
        f"{what} '{name.strip()}' in {sequencing.where}{via} names no objective of that activity",
        manifest.at(element),
        hint="name the objectiveID of the activity's <imsss:primaryObjective> or one of its <imsss:objective>s",
    )
