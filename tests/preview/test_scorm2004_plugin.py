"""The SCORM 2004 preview plug-in: pure parts (the manifest an LMS reads, the seeds of each profile, the record's
reading, the codec, the 2004-only rules) and the robot learner in Chromium against scorm-again's
Scorm2004API: the sample course's pass, fail and resume scenarios under profiles that change what the LMS
does (an LMS judging by measure; one refusing calls while the page is dismissed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course, FillIn
from courseforge.model.package import PackageFormat
from courseforge.model.preview import ApiEvent, Completion, SignalKind, Success, Verdict
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.preview.assertions import LaunchObservation, ScenarioObservation
from courseforge.stages.preview.harness import PreviewServer
from courseforge.stages.preview.harness.interface import LaunchOptions, Learner
from courseforge.stages.preview.harness.plugins.scorm2004 import (
    Sco,
    Scorm2004Plugin,
    duration_seconds,
    lms_seeds,
    read_record,
    read_scos,
)
from courseforge.stages.preview.harness.plugins.scorm2004_rules import CODEC, RULES, patterns, response, same
from courseforge.stages.preview.harness.profiles import PROFILES
from courseforge.stages.preview.scenarios import run_scenarios
from tests.preview.id_syntax import FILL_IN, MULTIPLE, check_delimited_ids

ROOTS = Path(__file__).parents[1] / "roots"
VENDOR = Path(__file__).parents[1] / "fixtures" / "scorm2004"


def test_codec_speaks_the_runtime_syntax() -> None:
    check_delimited_ids(response, patterns)
    assert response(FILL_IN, " {Paris}\nnow ") == " {Paris} now"
    long_key = FillIn(id="f", type="fill-in", prompt="P", accepted=("x" * 300,), case_sensitive=True)
    assert patterns(long_key) == ("x" * 300,)  # long-fill-in: scorm-again refuses the case prefix there
    assert same("choice", "a[,]c", "c[,]a") and same("numeric", "8", "8.0") and not same("sequencing", "a[,]b", "b[,]a")
    wrong = CODEC.quiz("final", 2, MULTIPLE, ("a",), False)
    assert (wrong.id, wrong.type, wrong.result) == ("final__q__2", "choice", "incorrect")


def test_durations_read_as_seconds() -> None:
    assert duration_seconds("PT1H2M3.45S") == pytest.approx(3723.45) and duration_seconds("P1DT1S") == 86401
    assert duration_seconds("PT") is None and duration_seconds("0000:00:01.00") is None


def test_read_scos_takes_every_leaf_item_with_what_the_lms_seeds(tmp_path: Path) -> None:
    (tmp_path / "imsmanifest.xml").write_bytes((VENDOR / "LMSTestPackage_T-01a.imsmanifest.xml").read_bytes())
    scos = read_scos(tmp_path)
    # 29 leaves (1, three clusters of three modules of three, 42); clusters launch nothing.
    assert len(scos) == 29 and all(isinstance(s, Sco) and s.tracked for s in scos)
    first = scos[0]
    assert (first.identifier, first.href) == ("activity_1", "resources/SequencingTest.htm?tc=T-01a&act=1")
    assert {s.organization for s in scos} == {"T-01a"} and "activity_4" not in {s.identifier for s in scos}


def test_a_leaf_takes_its_passing_score_from_the_collection_member_it_references(tmp_path: Path) -> None:
    (tmp_path / "imsmanifest.xml").write_text("""<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
      xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
      <organizations default="o"><organization identifier="o"><title>T</title>
        <item identifier="test" identifierref="r"><title>Test</title>
          <adlcp:timeLimitAction>exit,message</adlcp:timeLimitAction>
          <imsss:sequencing IDRef="scored"><imsss:limitConditions attemptAbsoluteDurationLimit="PT30M"/>
          </imsss:sequencing></item>
        <item identifier="own" identifierref="r" parameters="?part=2"><title>Own</title>
          <adlcp:completionThreshold>0.75</adlcp:completionThreshold>
          <imsss:sequencing IDRef="scored"><imsss:objectives><imsss:primaryObjective/></imsss:objectives>
          </imsss:sequencing></item>
      </organization></organizations>
      <resources xml:base="pages/"><resource identifier="r" type="webcontent" adlcp:scormType="sco" href="t.html"/>
      </resources>
      <imsss:sequencingCollection><imsss:sequencing ID="scored"><imsss:objectives>
        <imsss:primaryObjective satisfiedByMeasure="true"><imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure>
        </imsss:primaryObjective></imsss:objectives></imsss:sequencing></imsss:sequencingCollection>
    </manifest>""")
    test, own = read_scos(tmp_path)
    assert isinstance(test, Sco) and isinstance(own, Sco)
    assert (test.href, test.scaled_passing_score, test.max_time_allowed, test.time_limit_action) == (
        "pages/t.html", "0.6", "PT30M", "exit,message")
    # Its own primary objective replaces the member's: not satisfied by measure; a 3rd edition threshold value.
    assert (own.href, own.scaled_passing_score, own.completion_threshold) == ("pages/t.html?part=2", "", "0.75")


def test_our_manifest_reads_with_its_measures(tmp_path: Path, built: tuple[Course, bytes]) -> None:
    import zipfile
    from io import BytesIO

    with zipfile.ZipFile(BytesIO(built[1])) as archive:
        archive.extract("imsmanifest.xml", tmp_path)
    (sco,) = read_scos(tmp_path)
    assert isinstance(sco, Sco)
    assert (sco.href, sco.scaled_passing_score, sco.completion_threshold) == ("index.html", "0.8", "1.0")


def test_each_profile_seeds_what_that_lms_gives() -> None:
    sco = Sco("item", "Course", "index.html", scaled_passing_score="0.8", completion_threshold="1.0",
              launch_data="x=1")
    options = LaunchOptions()
    plain = lms_seeds(sco, Learner(), PROFILES["default"], options)
    assert plain == {"learner_id": "learner-1", "learner_name": "Learner, Test", "credit": "credit",
                     "mode": "normal", "launch_data": "x=1"}
    judging = lms_seeds(sco, Learner(), PROFILES["mastery-override"], options)
    assert (judging["scaled_passing_score"], judging["completion_threshold"]) == ("0.8", "1.0")
    assert lms_seeds(sco, Learner(), PROFILES["lms-mastery"], options)["scaled_passing_score"] == "0.7"


def test_every_profile_but_the_lrs_outage_applies() -> None:
    plugin = Scorm2004Plugin()
    meanings = {name: plugin.profile_meaning(profile) for name, profile in PROFILES.items()}
    assert {name for name, meaning in meanings.items() if meaning is None} == {"lrs-outage"}
    assert "score.scaled" in str(meanings["mastery-override"]) and "0.7" in str(meanings["lms-mastery"])
    assert "402" in str(meanings["strict"]) and "405" in str(meanings["write-only-interactions"])


def calls(*rows: tuple[str, tuple[str, ...], str]) -> tuple[ApiEvent, ...]:
    return tuple(ApiEvent(float(n), method, arguments, result, "0")
                 for n, (method, arguments, result) in enumerate(rows))


PASSING = calls(
    ("Initialize", ("",), "true"),
    ("SetValue", ("cmi.score.raw", "90"), "true"), ("SetValue", ("cmi.score.scaled", "0.9"), "true"),
    ("SetValue", ("cmi.progress_measure", "1"), "true"), ("SetValue", ("cmi.completion_status", "completed"), "true"),
    ("SetValue", ("cmi.success_status", "passed"), "true"), ("SetValue", ("cmi.exit", "normal"), "true"),
    ("SetValue", ("cmi.session_time", "PT12.5S"), "true"), ("SetValue", ("adl.nav.request", "exitAll"), "true"),
    ("Terminate", ("",), "true"),
)
HELD = {"cmi.completion_status": "completed", "cmi.success_status": "passed", "cmi.score.raw": "90",
        "cmi.score.scaled": "0.9", "cmi.score.min": "0", "cmi.score.max": "100", "cmi.progress_measure": "1",
        "cmi.exit": "normal", "cmi.location": "quiz", "cmi.suspend_data": "1~f",
        "cmi.interactions.0.id": "quiz__q__1", "cmi.interactions.0.type": "choice",
        "cmi.interactions.0.learner_response": "a[,]c", "cmi.interactions.0.result": "incorrect",
        "cmi.interactions.0.correct_responses.0.pattern": "a", "cmi.interactions.0.timestamp": "2024-01-01T10:00:00.5Z",
        "cmi.interactions.0.latency": "PT3S"}


def test_a_scored_course_completed_without_a_verdict_is_not_done() -> None:
    held = {**HELD, "cmi.success_status": "unknown", "cmi.exit": "suspend"}
    assert read_record(PASSING, held, scored=True).status == "incomplete"
    assert read_record(PASSING, held, scored=False).status == "completed"
    assert "completion_status 'completed'" in read_record(PASSING, held, scored=True).status_text


def test_a_launch_reads_into_the_neutral_record() -> None:
    record = read_record(PASSING, HELD)
    assert (record.completion, record.success, record.status, record.score_percent) == (
        Completion.COMPLETED, Success.PASSED, "passed", 90)
    assert (record.finishes, record.session_time_s, record.bookmark, record.state) == (1, 12.5, "quiz", "1~f")
    assert not record.left_suspended
    (interaction,) = record.interactions
    assert (interaction.id, interaction.type, interaction.outcome, interaction.patterns) == (
        "quiz__q__1", "choice", "wrong", ("a",))
    assert [s.kind for s in record.signals] == [
        SignalKind.START, SignalKind.SCORE, SignalKind.SCORE, SignalKind.PROGRESS, SignalKind.COMPLETION,
        SignalKind.SUCCESS, SignalKind.EXIT, SignalKind.SESSION_TIME, SignalKind.FINISH]


def findings(events: tuple[ApiEvent, ...], held: dict[str, str], finished: bool = True) -> dict[str, list[str]]:
    launch = LaunchObservation("leave at the end", events, read_record(events, held), "passed", 90.0, finished)
    seen = ScenarioObservation("pass", "default", (launch,))
    found: dict[str, list[str]] = {}
    for rule in RULES:
        for finding in rule(seen, launch):
            found.setdefault(finding.rule, []).append(finding.message)
    return found


def test_a_clean_launch_breaks_no_2004_rule() -> None:
    assert findings(PASSING, HELD) == {}


def test_the_2004_rules_name_what_is_wrong() -> None:
    broken = calls(("Initialize", ("",), "true"), ("SetValue", ("cmi.session_time", "0000:00:12.50"), "true"),
                   ("SetValue", ("adl.nav.request", "exitAll"), "true"), ("Terminate", ("",), "true"))
    held = {**HELD, "cmi.score.scaled": "0.8", "cmi.progress_measure": "0.5",
            "cmi.interactions.0.timestamp": "10:00:00", "cmi.interactions.0.result": "wrong"}
    found = findings(broken, held)
    assert set(found) == {"lms.score-format", "lms.session-time", "lms.progress", "lms.interaction"}
    assert found["lms.score-format"] == ["score.scaled '0.8' is not score.raw '90' / 100"]
    assert any("timestamp '10:00:00'" in m for m in found["lms.interaction"])
    unfinished = findings(broken[:1] + broken[2:], {**HELD, "cmi.exit": "suspend"}, finished=False)
    assert "should be suspendAll" in unfinished["lms.nav-request"][0]


# ------------------------------------------------------------------------------------ the robot learner


@pytest.fixture(scope="module")
def built() -> tuple[Course, bytes]:
    sink = DiagnosticSink()
    result = build_course(ROOTS / "runtime-course", "tests/roots/runtime-course",
                          BuildOptions(formats=(PackageFormat.SCORM2004,)), sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    return result.course, result.packages[0].package.data


@pytest.mark.browser
def test_pass_fail_and_resume_under_lms_profiles(built: tuple[Course, bytes], chromium: Browser,
                                                 preview_server: PreviewServer) -> None:
    """pass, fail and resume with an LMS judging by measure (status from score.scaled and progress_measure at
    Terminate), and resume with one refusing commits while the page is dismissed (the state of the last commit
    before leaving is what the relaunch gets)."""
    course, data = built
    runs = [*run_scenarios(course, data, "en", ["mastery-override"], ["pass", "fail", "resume"], chromium,
                           preview_server, name="scorm2004", package_format=PackageFormat.SCORM2004, evidence=False),
            *run_scenarios(course, data, "en", ["unload-null"], ["resume"], chromium, preview_server,
                           name="scorm2004", package_format=PackageFormat.SCORM2004, evidence=False)]
    assert len(runs) == 4
    for run in runs:
        assert run.verdict is Verdict.PASSED, (run.scenario, run.profile, [f"{f.rule}: {f.message}"
                                                                          for f in run.findings])
    by_name = {(run.scenario, run.profile): run for run in runs}
    passed = by_name["pass", "mastery-override"].launches[-1]
    assert (passed.status, passed.score_percent, passed.finishes) == ("passed", 100, 1)
    failed = by_name["fail", "mastery-override"].launches
    assert [launch.status for launch in failed] == ["incomplete", "incomplete", "failed"]
    for resumed in (by_name["resume", "mastery-override"].launches, by_name["resume", "unload-null"].launches):
        assert len(resumed) == 2 and resumed[0].left_suspended and resumed[-1].status == "passed"
        halfway = dict(resumed[0].values)  # what the LMS's sequencing rolled the course up to when left halfway
        assert (halfway["sequencing.root.completion_status"], halfway["sequencing.root.satisfied_status"]) == (
            "incomplete", "unknown")
    requests = [entry.value for entry in by_name["fail", "mastery-override"].timeline
                if entry.element == "adl.nav.request"]
    # The LMS sequences the course: its engine says continue is valid (the organization flows), so the runtime
    # continues past the only SCO, which ends the sequencing session.
    assert requests == ["suspendAll", "suspendAll", "continue"]
    ends = [entry.value for entry in by_name["fail", "mastery-override"].timeline if entry.call == "Sequencing.end"]
    assert ends == ["suspend_all suspendAll", "suspend_all suspendAll", "end_of_content continue"]
