"""The SCORM 2004 preview LMS's sequencing plan: what scorm-again's engine is given from imsmanifest.xml (every value
spelled out with the SN defaults, collection members resolved, objective ids compared as ADL compares them), what
it cannot take (reported with the line), and how its rolled-up state is explained in the manifest's terms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.preview.harness.plugins.scorm2004_sequencing import (
    ADAPTED,
    GENERATED_PRIMARY_ID,
    UNSUPPORTED,
    ActivityState,
    SequencingManifestError,
    SequencingPlan,
    explain,
    plan_for,
    states_from_json,
)

ROOTS = Path(__file__).parents[1] / "roots"
VENDOR = Path(__file__).parents[1] / "fixtures" / "scorm2004"
HEAD = ('<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" '
        'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" '
        'xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">\n')
RESOURCES = '<resources><resource identifier="r" type="webcontent" adlcp:scormType="sco" href="i.html"/></resources>\n'


def manifest(organization: str, collection: str = "") -> bytes:
    """A manifest whose default organization 'org' holds ``organization`` (items and the org's sequencing)."""
    return (f'{HEAD}<organizations default="org"><organization identifier="org"><title>Course</title>\n'
            f"{organization}\n</organization></organizations>\n{RESOURCES}{collection}</manifest>").encode()


OUR_ITEM = """<item identifier="item" identifierref="r"><title>Course</title>
  <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="1.0"/>
  <imsss:sequencing>
    <imsss:objectives><imsss:primaryObjective satisfiedByMeasure="true">
      <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives>
    <imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>
  </imsss:sequencing>
</item>"""
OUR_ORG = '<imsss:sequencing><imsss:controlMode choice="true" flow="true"/></imsss:sequencing>'


def tree(plan: SequencingPlan) -> dict[str, Any]:
    return dict(plan.settings["activityTree"])


def child(activity: dict[str, Any], identifier: str) -> dict[str, Any]:
    if activity["id"] == identifier:
        return activity
    for nested in activity.get("children", []):
        found = child(nested, identifier)
        if found:
            return found
    return {}


def test_our_manifest_becomes_an_organization_with_one_measured_sco() -> None:
    plan = plan_for(manifest(OUR_ITEM + OUR_ORG))
    root = tree(plan)
    assert (plan.root, root["title"], plan.leaves) == ("org", "Course", ("item",))
    assert (root["sequencingControls"]["choice"], root["sequencingControls"]["flow"]) == (True, True)
    (item,) = root["children"]
    assert item["primaryObjective"] == {"objectiveID": GENERATED_PRIMARY_ID, "isPrimary": True,
                                        "satisfiedByMeasure": True, "minNormalizedMeasure": 0.8, "mapInfo": []}
    assert item["completionThreshold"] == {"completedByMeasure": True, "minProgressMeasure": 1.0, "progressWeight": 1.0}
    assert item["deliveryControls"] == {"tracked": True, "completionSetByContent": True, "objectiveSetByContent": True}
    # The unnamed primary objective is named by the LMS, and that is said, with the line.
    (note,) = plan.notes
    assert note.code == ADAPTED and note.location.line == 6 and "no objectiveID" in note.message


def test_the_sn_defaults_are_spelled_out_not_left_to_the_engine() -> None:
    """A cluster without controlMode is navigated by choice only (SN: flow false; scorm-again would say true)."""
    plan = plan_for(manifest('<item identifier="cluster"><title>C</title>'
                             '<item identifier="a" identifierref="r"><title>A</title></item></item>'))
    cluster = child(tree(plan), "cluster")
    assert cluster["sequencingControls"]["flow"] is False and cluster["sequencingControls"]["choice"] is True
    assert cluster["sequencingControls"]["rollupObjectiveSatisfied"] is True
    assert cluster["deliveryControls"] == {"tracked": True, "completionSetByContent": False,
                                           "objectiveSetByContent": False}
    assert "primaryObjective" not in cluster and plan.leaves == ("a",) and plan.notes == ()


def test_a_collection_member_gives_what_the_item_does_not_define_itself() -> None:
    """T-01a's activity_4 references 'pretest': the member's controlMode, rules, limits and rollup apply; the item's
    own objectives replace the member's (none there)."""
    plan = plan_for((VENDOR / "LMSTestPackage_T-01a.imsmanifest.xml").read_bytes())
    module = child(tree(plan), "activity_4")
    controls = module["sequencingControls"]
    assert (controls["choice"], controls["flow"], controls["forwardOnly"]) == (False, True, True)
    assert module["attemptLimit"] == 1
    (pre,) = module["sequencingRules"]["preConditionRules"]
    assert pre == {"action": "skip", "conditionCombination": "all", "conditions": [{"condition": "satisfied"}]}
    (rollup,) = module["rollupRules"]["rules"]
    assert rollup == {"action": "completed", "consideration": "all", "conditionCombination": "any",
                      "conditions": [{"condition": "attempted"}]}
    assert module["rollupConsiderations"]["requiredForCompleted"] == "ifAttempted"
    primary = module["primaryObjective"]
    assert (primary["objectiveID"], primary["satisfiedByMeasure"], primary["minNormalizedMeasure"]) == (
        "PRIMARYOBJ", True, 0.6)
    (mapped,) = primary["mapInfo"]
    assert (mapped["targetObjectiveID"], mapped["readSatisfiedStatus"], mapped["readNormalizedMeasure"],
            mapped["writeSatisfiedStatus"], mapped["writeNormalizedMeasure"], mapped["readCompletionStatus"]) == (
        "gObj-T01a-1", True, False, True, True, False)
    # 'lessons' leaves activity_8 out of its parent's satisfaction and completion.
    lessons = plan.definition("activity_8")
    assert lessons is not None and lessons.counts_for_satisfaction.value is False and lessons.counts_for_completion.line
    assert child(tree(plan), "activity_1")["hideLmsUi"] == ["continue", "previous", "suspendAll"]
    assert len(plan.leaves) == 29 and plan.notes == ()


def test_objective_ids_are_compared_as_adl_compares_them() -> None:
    """OB-12a writes the same objective as ' ob%20j%201 ' and '    ob%20%20%20j%20%201  '."""
    plan = plan_for((VENDOR / "LMSTestPackage_OB-12a.imsmanifest.xml").read_bytes())
    second = child(tree(plan), "activity_2")
    (other,) = second["objectives"]
    (rule,) = second["sequencingRules"]["postConditionRules"]
    assert other["objectiveID"] == "ob j 1"
    assert [c.get("referencedObjective") for c in rule["conditions"]] == ["ob j 1", "ob j 1"]
    assert rule["conditions"][1]["operator"] == "not" and rule["action"] == "previous"


def test_adlseq_maps_join_the_objective_without_reading_its_satisfaction() -> None:
    plan = plan_for((VENDOR / "LMSTestPackage_OB-10a.imsmanifest.xml").read_bytes())
    first = child(tree(plan), "activity_1")
    imsss_map, adl_map = first["primaryObjective"]["mapInfo"]
    assert (imsss_map["targetObjectiveID"], imsss_map["readSatisfiedStatus"], imsss_map["writeSatisfiedStatus"],
            imsss_map["readRawScore"]) == ("gObj-OB10a-1", False, True, False)
    assert (adl_map["targetObjectiveID"], adl_map["readSatisfiedStatus"], adl_map["writeRawScore"],
            adl_map["readCompletionStatus"]) == ("gObj-OB10a-2", False, True, False)
    assert first["deliveryControls"]["tracked"] is False


def test_what_the_engine_cannot_take_is_reported_with_its_line() -> None:
    organization = """<item identifier="cluster"><title>C</title>
  <item identifier="a" identifierref="r"><title>A</title>
    <imsss:sequencing><imsss:limitConditions attemptLimit="2" attemptExperiencedDurationLimit="PT1H"/>
    </imsss:sequencing>
  </item>
  <imsss:sequencing>
    <imsss:rollupRules>
      <imsss:rollupRule childActivitySet="atLeastPercent" minimumPercent="0.5">
        <imsss:rollupConditions><imsss:rollupCondition condition="satisfied"/></imsss:rollupConditions>
        <imsss:rollupAction action="satisfied"/></imsss:rollupRule>
      <imsss:rollupRule><imsss:rollupConditions><imsss:rollupCondition condition="timeLimitExceeded"/>
        </imsss:rollupConditions><imsss:rollupAction action="incomplete"/></imsss:rollupRule>
    </imsss:rollupRules>
    <imsss:sequencingCustom xmlns:imsss="urn:example:not-sequencing"/>
  </imsss:sequencing>
</item>"""
    plan = plan_for(manifest(organization))
    found = {(note.code, note.location.line): note.message for note in plan.notes}
    assert "attemptExperiencedDurationLimit" in found[UNSUPPORTED, 5]
    assert "timeLimitExceeded" in found[UNSUPPORTED, 13] and "time conditions" in found[UNSUPPORTED, 13]
    assert "minimumPercent=\"0.5\"" in found[ADAPTED, 10]
    assert "urn:example:not-sequencing" in found[UNSUPPORTED, 16]
    (kept,) = child(tree(plan), "cluster")["rollupRules"]["rules"]
    assert (kept["consideration"], kept["minimumPercent"]) == ("atLeastPercent", 50)
    assert child(tree(plan), "a")["attemptLimit"] == 2


def test_an_unreadable_manifest_is_refused_with_the_reason() -> None:
    with pytest.raises(SequencingManifestError, match="not well-formed"):
        plan_for(b"<manifest")
    with pytest.raises(SequencingManifestError, match="no <organization>"):
        plan_for(f"{HEAD}<organizations/>{RESOURCES}</manifest>".encode())


def test_an_lms_passing_score_replaces_the_measured_objectives_threshold() -> None:
    plan = plan_for(manifest(OUR_ITEM + OUR_ORG)).with_passing_score(0.7)
    assert child(tree(plan), "item")["primaryObjective"]["minNormalizedMeasure"] == 0.7
    item = plan.definition("item")
    assert item is not None and item.min_normalized_measure.value == 0.7


# ------------------------------------------------------------------------------------ explaining the rollup


def states(*entries: dict[str, object]) -> dict[str, ActivityState]:
    return states_from_json(list(entries))


def test_the_snapshot_reads_tolerantly() -> None:
    read = states_from_json([{"id": "a", "completion": "completed", "satisfied": "satisfied", "measure": 0.9,
                              "attempts": 1}, {"id": "b", "satisfied": "maybe", "measure": "x"}, "junk", {"no": 1}])
    assert read["a"].summary == "completed, satisfied, measure 0.9"
    assert (read["b"].satisfied, read["b"].measure, read["b"].completion) == ("unknown", None, "unknown")
    assert set(read) == {"a", "b"}


def test_a_measure_below_the_threshold_is_named() -> None:
    strict = OUR_ITEM.replace("<imsss:minNormalizedMeasure>0.8", "<imsss:minNormalizedMeasure>1.0")
    plan = plan_for(manifest(strict + OUR_ORG))
    seen = states({"id": "org", "completion": "completed", "satisfied": "not satisfied", "measure": 0.9},
                  {"id": "item", "completion": "completed", "satisfied": "not satisfied", "measure": 0.9})
    why = explain(plan, seen, "satisfaction")
    assert "item 'item' is not satisfied: its measure 0.9 is below the <imsss:minNormalizedMeasure> " \
           "(imsmanifest.xml line 7) 1 of its primary objective" in why


def test_a_child_left_out_of_the_rollup_is_named() -> None:
    left_out = OUR_ITEM.replace("<imsss:deliveryControls",
                                '<imsss:rollupRules rollupObjectiveSatisfied="false"/><imsss:deliveryControls')
    plan = plan_for(manifest(left_out + OUR_ORG))
    seen = states({"id": "org", "completion": "completed", "satisfied": "unknown"},
                  {"id": "item", "completion": "completed", "satisfied": "satisfied", "measure": 0.9})
    why = explain(plan, seen, "satisfaction")
    assert "item 'item' does not count towards it: <imsss:rollupRules rollupObjectiveSatisfied=\"false\"> " \
           "(imsmanifest.xml line 8)" in why
    assert "no child of organization 'org' counts towards its satisfaction" in why


def test_completion_by_measure_is_explained_with_the_progress() -> None:
    plan = plan_for(manifest(OUR_ITEM + OUR_ORG))
    seen = states({"id": "org", "completion": "incomplete"}, {"id": "item", "completion": "incomplete",
                                                              "progress": 0.5})
    why = explain(plan, seen, "completion")
    assert why.startswith("organization 'org' is incomplete by the default rollup")
    assert "completed by measure (<adlcp:completionThreshold completedByMeasure=\"true\"> (imsmanifest.xml line 4))" \
           ": progress 0.5 against minProgressMeasure 1" in why


def test_our_built_manifest_plans_like_the_hand_written_one() -> None:
    sink = DiagnosticSink()
    result = build_course(ROOTS / "runtime-course", "tests/roots/runtime-course",
                          BuildOptions(formats=(PackageFormat.SCORM2004,)), sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(result.packages[0].package.data)) as archive:
        plan = plan_for(archive.read("imsmanifest.xml"))
    (leaf,) = plan.leaves
    item = child(tree(plan), leaf)
    assert item["primaryObjective"]["satisfiedByMeasure"] is True
    assert item["completionThreshold"]["completedByMeasure"] is True
    assert tree(plan)["sequencingControls"]["flow"] is True
    assert [note.code for note in plan.notes] == [ADAPTED]


def test_the_launch_events_read_into_record_values() -> None:
    import json

    from courseforge.model.preview import ApiEvent
    from courseforge.stages.preview.harness.plugins import scorm2004_sequencing as sequencing

    plan = plan_for(manifest(OUR_ITEM + OUR_ORG))
    snapshot = {"root": "org", "activities": [
        {"id": "org", "completion": "completed", "satisfied": "satisfied", "measure": 0.9},
        {"id": "item", "completion": "completed", "satisfied": "satisfied", "measure": 0.9, "progress": 1}]}
    events = (ApiEvent(1, sequencing.REQUEST, ("start", ""), "true"),
              ApiEvent(2, sequencing.DELIVER, ("item",), "true"),
              ApiEvent(3, "Initialize", ("",), "true"), ApiEvent(9, "Terminate", ("",), "true"),
              ApiEvent(9.5, sequencing.ERROR, ("NB.2.1-1", "navigation"), "false"),
              ApiEvent(10, sequencing.ROLLUP, ("after Terminate", json.dumps(snapshot)), "true"))
    values = dict(sequencing.rollup_values(sequencing.rollup_of(events), plan, "item"))
    assert (values[sequencing.ROOT_ACTIVITY], values[sequencing.ROOT_COMPLETION], values[sequencing.ROOT_SATISFIED],
            values[sequencing.ROOT_MEASURE]) == ("org", "completed", "satisfied", "0.9")
    assert (values[sequencing.SCO_ACTIVITY], values[sequencing.DELIVERED]) == ("item", "item")
    assert values[sequencing.ENGINE_ERRORS] == "NB.2.1-1: navigation"
    assert "at or above the <imsss:minNormalizedMeasure>" in values[sequencing.SATISFACTION_BECAUSE]
    refused = (ApiEvent(1, sequencing.REFUSED, ("item", "start: delivered other", "choice: SB.2.9-1"), "false"),)
    rollup = sequencing.rollup_of(refused)
    assert not rollup.sequenced
    assert dict(sequencing.rollup_values(rollup, plan, "item")) == {
        sequencing.NOT_DELIVERED: "item: start: delivered other; choice: SB.2.9-1"}


def test_a_rollup_row_reads_as_states_and_counts_as_a_promised_tree() -> None:
    import json

    from courseforge.model.preview import ApiEvent
    from courseforge.stages.preview.harness.plugins import scorm2004_sequencing as sequencing

    snapshot = {"root": "org", "saved": True, "activities": [
        {"id": "org", "completion": "incomplete", "satisfied": "unknown", "attempts": 1},
        {"id": "item", "completion": "incomplete", "satisfied": "unknown", "attempts": 1, "progress": 0.5},
        {"id": "never", "completion": "not attempted", "attempts": 0}]}
    rollup = ApiEvent(5, sequencing.ROLLUP, ("after Terminate", json.dumps(snapshot)), "true")
    unsaved = ApiEvent(6, sequencing.ROLLUP, ("the window closed", json.dumps({**snapshot, "saved": False})), "true")
    assert sequencing.describe(rollup) == ("after Terminate", "org: incomplete, unknown; item: incomplete, unknown")
    assert sequencing.describe(ApiEvent(1, "Terminate", ("",), "true")) is None
    assert sequencing.promised_trees((rollup, unsaved, ApiEvent(7, sequencing.ROLLUP, ("x", "{"), "true"))) == 1
    plan = plan_for(manifest(OUR_ITEM + OUR_ORG))
    (notes,) = sequencing.note_values(plan)
    assert notes[0] == sequencing.ENGINE_NOTES and notes[1].startswith("line 6: the primary objective")
