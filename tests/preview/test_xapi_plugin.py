"""The xAPI preview plug-in: pure parts on hand-made statements (codec, the record's reading, the Tin Can
rules, @learninglocker/xapi-validation on a broken statement), and the robot learner in Chromium against
courseforge's LRS on the harness server: a passing run, and a resumed one over two launches while the LRS
refuses the first writes of every launch. (The evidence, screenshots and axe-core, of xAPI packages in
every locale: tests/preview/test_matrix.py.)
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course
from courseforge.model.package import PackageFormat
from courseforge.model.preview import ApiEvent, Completion, LaunchRecord, SignalKind, Success, Verdict
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.preview.assertions import LaunchObservation, ScenarioObservation
from courseforge.stages.preview.harness import PreviewServer
from courseforge.stages.preview.harness.plugins.xapi import XapiPlugin, read_record, read_units
from courseforge.stages.preview.harness.plugins.xapi_rules import (
    RULES,
    XapiCodec,
    duration_seconds,
    same,
    xapi_patterns,
    xapi_response,
)
from courseforge.stages.preview.harness.profiles import PROFILES
from courseforge.stages.preview.scenarios import run_scenarios
from courseforge.standards.xapi import ATTEMPT_EXTENSION, PROGRESS_EXTENSION, Verb
from tests.preview.id_syntax import FILL_IN, MULTIPLE, check_delimited_ids

ROOTS = Path(__file__).parents[1] / "roots"
COURSE = "https://courses.example.com/runtime-course"
REGISTRATION = "6f1c2f4e-5d3a-4b7e-9c1a-2b3c4d5e6f70"
ACTOR = {"objectType": "Agent", "name": "Learner", "account": {"homePage": "http://127.0.0.1", "name": "l1"}}


def test_codec_speaks_the_runtime_syntax() -> None:
    check_delimited_ids(xapi_response, xapi_patterns)
    assert xapi_response(FILL_IN, " Paris ") == "Paris"
    assert same("choice", "a[,]c", "c[,]a") and same("matching", "x[.]1[,]y[.]2", "y[.]2[,]x[.]1")
    assert same("numeric", "8", "8.0") and not same("sequencing", "a[,]b", "b[,]a")
    expected = XapiCodec(COURSE).quiz("final", 2, MULTIPLE, ("a",), False)
    assert (expected.id, expected.type, expected.result) == (f"{COURSE}/final/q attempt 2", "choice", "wrong")
    assert duration_seconds("PT1H2M3.5S") == 3723.5 and duration_seconds("P1DT1S") == 86401
    assert duration_seconds("PT") is None and duration_seconds("12:00") is None


def statement(verb: Verb, object_id: str = COURSE, result: dict[str, Any] | None = None,
              **context: Any) -> dict[str, Any]:
    made: dict[str, Any] = {
        "id": str(uuid.uuid4()), "timestamp": "2024-01-01T00:00:00.000Z", "actor": ACTOR,
        "verb": {"id": verb.value, "display": verb.display}, "object": {"objectType": "Activity", "id": object_id},
        "context": {"registration": REGISTRATION, **context}}
    if result is not None:
        made["result"] = result
    return made


def sent(statements: list[dict[str, Any]], status: str = "200") -> list[ApiEvent]:
    error = "0" if status.startswith("2") else status
    return [ApiEvent(float(i), "POST statements", (s["verb"]["id"], s["object"]["id"], json.dumps(s)), status, error)
            for i, s in enumerate(statements)]


def passing_session() -> list[dict[str, Any]]:
    answered = statement(Verb.ANSWERED, f"{COURSE}/final/q", {"response": "a", "success": True},
                         extensions={ATTEMPT_EXTENSION: 1})
    answered["object"]["definition"] = {"type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                                        "interactionType": "choice", "correctResponsesPattern": ["a"]}
    return [statement(Verb.INITIALIZED), statement(Verb.PROGRESSED, result={"extensions": {PROGRESS_EXTENSION: 50}}),
            answered, statement(Verb.COMPLETED, result={"completion": True, "duration": "PT10S"}),
            statement(Verb.PASSED, result={"score": {"scaled": 0.9, "raw": 90, "min": 0, "max": 100},
                                           "success": True, "completion": True, "duration": "PT10S"}),
            statement(Verb.TERMINATED, result={"duration": "PT12.5S"})]


def test_a_session_reads_into_the_neutral_record() -> None:
    session = passing_session()
    record = read_record(sent(session), session, {"bookmark": "quiz", "state": "1~f", "sent": {}}, REGISTRATION, True)
    assert (record.completion, record.success, record.status, record.score_percent) == (
        Completion.COMPLETED, Success.PASSED, "passed", 90)
    assert (record.finishes, record.session_time_s, record.bookmark, record.state) == (1, 12.5, "quiz", "1~f")
    assert not record.left_suspended
    (interaction,) = record.interactions
    assert (interaction.id, interaction.kind, interaction.response, interaction.result, interaction.patterns) == (
        f"{COURSE}/final/q attempt 1", "choice", "a", "correct", ("a",))
    kinds = [s.kind for s in record.signals]
    assert kinds == [SignalKind.START, SignalKind.PROGRESS, SignalKind.INTERACTION, SignalKind.COMPLETION,
                     SignalKind.SCORE, SignalKind.SUCCESS, SignalKind.SESSION_TIME, SignalKind.FINISH]


def test_completed_is_not_the_status_of_a_scored_course_without_a_verdict() -> None:
    session = [statement(Verb.INITIALIZED), statement(Verb.COMPLETED, result={"completion": True}),
               statement(Verb.TERMINATED, result={"duration": "PT1S"})]
    scored = read_record(sent(session), session, {"state": "1~f"}, REGISTRATION, True)
    assert scored.status == "incomplete" and scored.left_suspended
    unscored = read_record(sent(session), session, {"state": "1~f"}, REGISTRATION, False)
    assert unscored.status == "completed" and not unscored.left_suspended


def test_a_backlog_from_an_earlier_launch_is_not_this_launchs_finish() -> None:
    first, second = passing_session(), passing_session()
    record = read_record(sent(first + second), first + second, {}, REGISTRATION, False,
                         earlier=frozenset(s["id"] for s in first))
    assert record.finishes == 1


def observe(launches: list[list[ApiEvent]], records: list[LaunchRecord] | None = None) -> ScenarioObservation:
    observed = tuple(LaunchObservation(f"leave {n}", tuple(events), records[n] if records else read_record(
        events, [], {}, REGISTRATION, True), "passed", 90.0, True) for n, events in enumerate(launches))
    return ScenarioObservation("pass", "default", observed)


def findings(seen: ScenarioObservation) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for rule in RULES:
        for launch in seen.launches:
            for finding in rule(seen, launch):
                found.setdefault(finding.rule, []).append(finding.message)
    return found


def test_a_clean_session_breaks_no_rule() -> None:
    assert findings(observe([sent(passing_session())])) == {}


def test_the_rules_name_what_is_wrong() -> None:
    session = passing_session()
    twin = {**session[2], "id": str(uuid.uuid4())}  # the same answer created twice
    scored_progress = statement(Verb.PROGRESSED, result={"score": {"scaled": 0.5}})
    stray = statement(Verb.EXPERIENCED, "https://elsewhere.example.com/x")
    bad = {**statement(Verb.EXPERIENCED), "verb": {"id": "not an iri"}}
    again = {**session[4], "id": str(uuid.uuid4()), "timestamp": "2024-01-01T00:00:01.000Z"}
    broken = [session[0], twin, *session[1:], scored_progress, stray, bad, again]
    refused = sent([statement(Verb.EXPERIENCED, f"{COURSE}/intro")], "503")
    found = findings(observe([sent(broken) + refused]))
    assert set(found) == {"xapi.duplicate", "xapi.result", "xapi.context", "xapi.sequence", "xapi.verdict",
                          "xapi.statement-invalid", "xapi.lost"}
    assert any("@learninglocker/xapi-validation: statement.verb.id" in m for m in found["xapi.statement-invalid"])
    assert any("passed was sent 2 times" in m for m in found["xapi.verdict"])
    assert any("a statement came after terminated" in m for m in found["xapi.sequence"])
    assert found["xapi.lost"] == ["1 statement(s) the content sent were never stored: experienced "
                                  f"{json.loads(refused[0].arguments[2])['id']}"]


def test_a_refused_send_delivered_later_is_not_lost() -> None:
    session = passing_session()
    assert findings(observe([sent(session[:3], "503") + sent(session)])) == {}


def test_profiles_without_a_tin_can_mechanism_do_not_apply() -> None:
    plugin = XapiPlugin()
    meanings = {name: plugin.profile_meaning(profile) for name, profile in PROFILES.items()}
    assert {name for name, meaning in meanings.items() if meaning is None} == {
        "mastery-override", "lms-mastery", "strict", "unload-null", "write-only-interactions"}
    assert "503" in str(meanings["lrs-outage"]) and "2 s" in str(meanings["slow"])


def test_read_units_takes_the_launchable_activity(tmp_path: Path) -> None:
    fixture = Path(__file__).parents[1] / "fixtures" / "tincan" / "storyline-track-slide.xml"
    (tmp_path / "tincan.xml").write_bytes(b"\xef\xbb\xbf" + fixture.read_bytes())
    (unit,) = read_units(tmp_path)
    assert (unit.identifier, unit.title, unit.href, unit.scored) == (
        "urn:articulate:storyline:5fi3S1vqzLg", "Cornerstone_Disconnect_7", "index_lms.html", None)
    (tmp_path / "tincan.xml").write_text('<tincan xmlns="http://projecttincan.com/tincan.xsd"/>')
    with pytest.raises(ValueError, match="no activity with a <launch>"):
        read_units(tmp_path)


# ------------------------------------------------------------------------------------ the robot learner


@pytest.fixture(scope="module")
def built() -> tuple[Course, bytes]:
    sink = DiagnosticSink()
    options = BuildOptions(formats=(PackageFormat.XAPI,), base_iri="https://courses.example.com/")
    result = build_course(ROOTS / "runtime-course", "tests/roots/runtime-course", options, sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    return result.course, result.packages[0].package.data


@pytest.mark.browser
def test_a_passing_learner(built: tuple[Course, bytes], chromium: Browser, preview_server: PreviewServer) -> None:
    course, data = built
    (run,) = run_scenarios(course, data, "en", ["default"], ["pass"], chromium, preview_server,
                           name="xapi-pass", package_format=PackageFormat.XAPI, evidence=False)
    assert run.verdict is Verdict.PASSED, [f"{f.rule}: {f.message}" for f in run.findings]
    (record,) = run.launches
    assert (record.status, record.score_percent, record.finishes) == ("passed", 100, 1)
    calls = {entry.call for entry in run.timeline}
    assert calls >= {"POST statements", "PUT state"}
    assert any(entry.element.startswith("answered ") and entry.means.startswith("interaction")
               for entry in run.timeline)


@pytest.mark.browser
def test_an_lrs_that_refuses_writes_loses_nothing_across_launches(
        built: tuple[Course, bytes], chromium: Browser, preview_server: PreviewServer) -> None:
    course, data = built
    (run,) = run_scenarios(course, data, "en", ["lrs-outage"], ["resume"], chromium, preview_server,
                           name="xapi-outage", package_format=PackageFormat.XAPI, evidence=False)
    assert run.verdict is Verdict.PASSED, [f"{f.rule}: {f.message}" for f in run.findings]
    assert len(run.launches) == 2 and run.launches[0].left_suspended and run.launches[-1].status == "passed"
    refused = {entry.launch for entry in run.timeline if entry.error == "503"}
    assert refused == set(range(1, len(run.launches) + 1))  # the outage really happened in every launch
    stored_ids = {json.loads(e.arguments[2])["id"] for e in run.events
                  if e.method == "POST statements" and e.error == "0"}
    tried_ids = {json.loads(e.arguments[2])["id"] for e in run.events if e.method == "POST statements"}
    assert tried_ids == stored_ids
