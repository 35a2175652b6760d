"""SCORM 2004 preview launches are sequenced by scorm-again's engine, as in a 4th edition LMS: the sample course's
package rolls up to what the course means (pass: root completed and satisfied; fail: not satisfied), a manifest
whose rollup is wrong fails the rollup rule with the element named, and the ADL test suite's multi-SCO manifests
load into the engine, which delivers the second SCO after a flow "continue" from the first."""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course
from courseforge.model.package import PackageFormat
from courseforge.model.preview import ApiEvent, LaunchRecord, PreviewRun, Verdict
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.preview.assertions import LaunchObservation, ScenarioObservation
from courseforge.stages.preview.harness import PreviewServer
from courseforge.stages.preview.harness.plugins import scorm2004_sequencing as sequencing
from courseforge.stages.preview.harness.plugins.scorm2004 import TERMS
from courseforge.stages.preview.harness.plugins.scorm2004_rules import rollup_rule
from courseforge.stages.preview.harness.session import LmsSession
from courseforge.stages.preview.scenarios import run_scenarios

COURSE = Path(__file__).parents[2] / "courses" / "workplace-safety"
VENDOR = Path(__file__).parents[1] / "fixtures" / "scorm2004"
ITEM_SEQUENCING = "<imsss:sequencing>\n          <imsss:objectives>"


@pytest.fixture(scope="module")
def built() -> tuple[Course, bytes]:
    sink = DiagnosticSink()
    result = build_course(COURSE, "courses/workplace-safety", BuildOptions(formats=(PackageFormat.SCORM2004,)), sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    english = next(p for p in result.packages if p.package.locale == "en")
    return result.course, english.package.data


def with_manifest(data: bytes, old: str, new: str) -> bytes:
    """The package with one passage of its imsmanifest.xml rewritten (a hand-made wrong manifest)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "imsmanifest.xml":
                text = body.decode()
                assert text.count(old) == 1, f"{old!r} is not in the manifest once"
                body = text.replace(old, new).encode()
            target.writestr(info, body)
    return out.getvalue()


def root(record: LaunchRecord) -> tuple[str, str, str]:
    values = dict(record.values)
    return (values.get(sequencing.ROOT_COMPLETION, ""), values.get(sequencing.ROOT_SATISFIED, ""),
            values.get(sequencing.ROOT_MEASURE, ""))


def problems(run: PreviewRun) -> list[str]:
    return [f"{f.rule}: {f.message}" for f in run.findings]


@pytest.mark.browser
def test_our_package_rolls_up_to_what_the_course_means(built: tuple[Course, bytes], chromium: Browser,
                                                       preview_server: PreviewServer) -> None:
    course, data = built
    passed, failed = run_scenarios(course, data, "en", ["default"], ["pass", "fail"], chromium, preview_server,
                                   name="sequenced", package_format=PackageFormat.SCORM2004, evidence=False)
    assert passed.verdict is Verdict.PASSED and failed.verdict is Verdict.PASSED, (problems(passed), problems(failed))
    (one,) = passed.launches
    assert root(one) == ("completed", "satisfied", "1")
    values = dict(one.values)
    assert values[sequencing.DELIVERED] == values[sequencing.SCO_ACTIVITY] == values[sequencing.ROOT_ACTIVITY].replace(
        "ORG-", "ITEM-")
    assert "<imsss:minNormalizedMeasure> (imsmanifest.xml line 17) 0.8" in values[sequencing.SATISFACTION_BECAUSE]
    # Attempts left after the first two launches: no verdict yet, the work done; then below the mastery score.
    first, second, last = (root(launch) for launch in failed.launches)
    assert first[:2] == second[:2] == ("completed", "unknown")
    completion, satisfied, measure = last
    assert (completion, satisfied) == ("completed", "not satisfied") and float(measure) < 0.8
    delivered = [e.value for e in failed.timeline if e.call == sequencing.REQUEST]
    assert delivered[:1] == ["start "] and delivered.count("resumeAll ") == 2


@pytest.mark.browser
def test_a_wrong_rollup_fails_naming_the_manifest_element(built: tuple[Course, bytes], chromium: Browser,
                                                          preview_server: PreviewServer) -> None:
    """The item left out of the organization's satisfaction: a passed learner, an LMS that never satisfies the
    course."""
    course, data = built
    wrong = with_manifest(data, ITEM_SEQUENCING, "<imsss:sequencing>\n          "
                          '<imsss:rollupRules rollupObjectiveSatisfied="false"/>\n          <imsss:objectives>')
    (run,) = run_scenarios(course, wrong, "en", ["default"], ["pass"], chromium, preview_server,
                           name="left-out", package_format=PackageFormat.SCORM2004, evidence=False)
    assert run.verdict is Verdict.FAILED
    (finding,) = [f for f in run.findings if f.rule == "lms.rollup"]
    assert {f.rule for f in run.findings} == {"lms.rollup"}, problems(run)
    assert "the course rules say 'passed'" in finding.message and "satisfaction should be satisfied" in finding.message
    assert "does not count towards it: <imsss:rollupRules rollupObjectiveSatisfied=\"false\"> (imsmanifest.xml " \
           "line 15)" in finding.message
    assert root(run.launches[0])[:2] == ("completed", "unknown")


# ------------------------------------------------------------------------------------ the rule, fed directly


def observation(plan: sequencing.SequencingPlan, activities: list[dict[str, object]], status: str,
                score: float | None, completed: bool) -> tuple[ScenarioObservation, LaunchObservation]:
    events = (ApiEvent(0, sequencing.DELIVER, ("item",), "true"), ApiEvent(1, "Initialize", ("",), "true"),
              ApiEvent(2, "Terminate", ("",), "true"),
              ApiEvent(3, sequencing.ROLLUP, ("after Terminate", json.dumps({"root": "org", "activities": activities})),
                       "true"))
    values = sequencing.rollup_values(sequencing.rollup_of(events), plan, "item")
    record = LaunchRecord(format=PackageFormat.SCORM2004, terms=TERMS, finishes=1, values=values)
    launch = LaunchObservation("leave at the end", events, record, status, score, status in ("passed", "failed"),
                               completed=completed)
    return ScenarioObservation("fail", "default", (launch,)), launch


MANIFEST = """<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <organizations default="org"><organization identifier="org"><title>Course</title>
    <item identifier="item" identifierref="r"><title>Course</title>
      <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="1.0"/>
      <imsss:sequencing>
        <imsss:objectives><imsss:primaryObjective satisfiedByMeasure="true">
          <imsss:minNormalizedMeasure>{measure}</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives>
      </imsss:sequencing>
    </item>
  </organization></organizations>
  <resources><resource identifier="r" type="webcontent" adlcp:scormType="sco" href="i.html"/></resources>
</manifest>"""


def test_a_passing_mark_below_the_score_of_a_failed_course_is_named() -> None:
    """minNormalizedMeasure 0.5 where the course's mastery is 80: a learner failing at 72 satisfies the LMS."""
    plan = sequencing.plan_for(MANIFEST.format(measure="0.5").encode())
    seen, launch = observation(plan, [
        {"id": "org", "completion": "completed", "satisfied": "satisfied", "measure": 0.72},
        {"id": "item", "completion": "completed", "satisfied": "satisfied", "measure": 0.72, "progress": 1}],
        "failed", 72.0, True)
    (finding,) = rollup_rule(seen, launch)
    assert finding.rule == "lms.rollup" and "satisfaction should be not satisfied" in finding.message
    assert "its measure 0.72 is at or above the <imsss:minNormalizedMeasure> (imsmanifest.xml line 8) 0.5" \
           in finding.message


def test_a_course_left_halfway_must_be_incomplete_and_not_satisfied() -> None:
    plan = sequencing.plan_for(MANIFEST.format(measure="0.8").encode())
    halfway = [{"id": "org", "completion": "incomplete", "satisfied": "unknown"},
               {"id": "item", "completion": "incomplete", "satisfied": "unknown", "progress": 0.5}]
    assert rollup_rule(*observation(plan, halfway, "incomplete", None, False)) == []
    claimed = [{"id": "org", "completion": "completed", "satisfied": "unknown"},
               {"id": "item", "completion": "completed", "satisfied": "unknown", "progress": 0.5}]
    (finding,) = rollup_rule(*observation(plan, claimed, "incomplete", None, False))
    assert "with required work left, so its completion should be incomplete or not attempted or unknown" \
           in finding.message and "progress 0.5 against minProgressMeasure 1" in finding.message
    passed = [{"id": "org", "completion": "completed", "satisfied": "satisfied", "measure": 1},
              {"id": "item", "completion": "completed", "satisfied": "satisfied", "measure": 1, "progress": 1}]
    assert rollup_rule(*observation(plan, passed, "passed", 100.0, True)) == []
    assert len(rollup_rule(*observation(plan, passed, "failed", 100.0, True))) == 1


# ------------------------------------------------------------------------------------ the ADL multi-SCO manifests


SCO = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SCO</title></head><body><p>SCO</p>
<script>
  var win = window, api = null;
  for (var hops = 0; win && !api && hops < 10; hops++) {
    api = win.API_1484_11 || null;
    win = win.parent === win ? null : win.parent;
  }
  api.Initialize("");
  api.SetValue("cmi.completion_status", "completed");
  api.SetValue("cmi.success_status", "passed");
  api.SetValue("cmi.exit", "normal");
  api.SetValue("adl.nav.request", "continue");
  api.Terminate("");
</script></body></html>
"""
SECOND = {"OB-10a": "activity_2", "OB-12a": "activity_2", "SX-02": "activity_3", "T-01a": "activity_5"}
"""The SCO a flow continue from activity_1 leads to: the next leaf (SX-02's activity_2 and T-01a's activity_2 to 4
are clusters, entered at their first leaf)."""


@pytest.fixture(scope="module")
def context(chromium: Browser) -> Iterator[BrowserContext]:
    made = chromium.new_context()
    yield made
    made.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", sorted(SECOND))
def test_an_adl_multi_sco_package_flows_to_its_second_sco(name: str, tmp_path: Path, context: BrowserContext,
                                                          preview_server: PreviewServer) -> None:
    (tmp_path / "imsmanifest.xml").write_bytes((VENDOR / f"LMSTestPackage_{name}.imsmanifest.xml").read_bytes())
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "SequencingTest.htm").write_text(SCO)
    package = preview_server.serve_directory(name, tmp_path, PackageFormat.SCORM2004)
    session = LmsSession(preview_server, package, sco="activity_1")
    session.launch(context)
    deadline = time.monotonic() + 10
    while not session.progress().ended and time.monotonic() < deadline:
        time.sleep(0.05)
    session.close()
    events = session.events()
    said = [(e.method, e.arguments) for e in events if e.method.startswith(sequencing.EVENT_PREFIX)]
    assert [args[0] for method, args in said if method == sequencing.DELIVER] == ["activity_1", SECOND[name]], said
    assert not [e for e in said if e[0] in (sequencing.ERROR, sequencing.REFUSED)], said
    assert ("Terminate", "true") in [(e.method, e.result) for e in events]
    plan = sequencing.read_plan(package.folder)
    assert {note.code for note in plan.notes} <= {sequencing.ADAPTED}, [note.format() for note in plan.notes]
    values = dict(session.launch_record().values)
    assert values[sequencing.SCO_ACTIVITY] == "activity_1" and values[sequencing.ROOT_ACTIVITY] == name
