"""The course rules in Python, the scenarios derived from the sample courses, the authored-scenario
checks at validation, and every assertion on hand-made LMS observations (no browser)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course, FillIn, Matching, Quiz, Sequencing
from courseforge.model.outcome import Progress, attempt_percent, course_score, held_status, is_right, outcome
from courseforge.model.preview import ApiEvent, Completion, Finding, SignalKind, Success
from courseforge.pipeline import validate_course
from courseforge.stages.preview.assertions import (
    ExpectedInteraction,
    LaunchObservation,
    PageProblem,
    ScenarioObservation,
    Standard,
    judge,
)
from courseforge.stages.preview.harness.plugins import scorm12_rules
from courseforge.stages.preview.harness.plugins.scorm12 import read_record
from courseforge.stages.preview.harness.plugins.scorm12_rules import (
    quiz_interaction,
    scorm_patterns,
    scorm_response,
    survey_interaction,
)
from courseforge.stages.preview.scenarios import Attempt, CheckKept, Go, Send, Tick, derive_scenarios, resume_stop
from tests.factory import base_manifest, page, write_course

REPO = Path(__file__).parents[2]


@functools.cache
def sample(course_id: str) -> Course:
    sink = DiagnosticSink()
    course = validate_course(REPO / "courses" / course_id, f"courses/{course_id}", sink)
    assert course is not None, [d.format() for d in sink]
    return course


def quiz_of(course: Course) -> Quiz:
    return course.quizzes[0]


def everything_but_the_quiz(course: Course) -> Progress:
    return Progress(visited=frozenset(s.id for s in course.screens),
                    ticked=frozenset((c.id, i.id) for c in course.checklists for i in c.items),
                    submitted=frozenset(s.id for s in course.surveys))


# ------------------------------------------------------------------------------------ course rules

def test_status_follows_the_documented_rules_for_limited_attempts() -> None:
    safety = sample("workplace-safety")
    quiz = quiz_of(safety)
    done = everything_but_the_quiz(safety)
    four_right = attempt_percent(quiz.questions, ["q-spill-first-action", "q-co2-removes", "q-use-lift",
                                                  "q-ppe-hierarchy"])
    assert four_right == 36.36  # 4 of 11 points
    once = done.submit_attempt(quiz.id, four_right)
    assert outcome(safety, once) .status == "incomplete"  # two attempts remain
    used_up = once.submit_attempt(quiz.id, 50.0).submit_attempt(quiz.id, 45.45)
    assert (outcome(safety, used_up).status, outcome(safety, used_up).score) == ("failed", 50.0)
    assert outcome(safety, done.submit_attempt(quiz.id, 81.82)).status == "passed"
    not_complete = Progress().submit_attempt(quiz.id, 100.0)
    assert outcome(safety, not_complete).status == "incomplete"  # passed only when complete too
    assert outcome(safety, once, lms_mastery=30).status == "passed"  # the LMS's mastery score replaces 80


def test_unlimited_attempts_never_fail_and_a_pool_weighs_what_it_draws() -> None:
    privacy = sample("data-privacy")
    quiz = quiz_of(privacy)
    progress = everything_but_the_quiz(privacy)
    for _ in range(5):
        progress = progress.submit_attempt(quiz.id, 44.44)
    assert outcome(privacy, progress) .status == "incomplete"
    assert course_score(privacy, progress) == 44.44
    assert held_status("passed", "incomplete") == "passed" and held_status("incomplete", "failed") == "failed"


def test_answers_are_judged_by_id_and_typed_text() -> None:
    quiz = quiz_of(sample("data-privacy"))
    questions = {q.id: q for q in quiz.questions}
    assert is_right(questions["q-is-personal-data"], "c-work-email")
    assert not is_right(questions["q-special-category"], ("c-sickness-reason",))
    assert is_right(questions["q-breach-hours"], "  Seventy-Two Hours ")
    assert is_right(questions["q-lawful-bases-count"], "6,0") and not is_right(questions["q-lawful-bases-count"], "7")
    cpr = {q.id: q for q in quiz_of(sample("workplace-safety")).questions}["q-cpr-rate"]
    assert is_right(cpr, 110) and not is_right(cpr, 121)


# ------------------------------------------------------------------------------------ scenarios

@pytest.mark.parametrize("course_id", ["workplace-safety", "data-privacy"])
def test_derived_scenarios_cover_every_screen_and_activity(course_id: str) -> None:
    course = sample(course_id)
    scenarios = {s.name: s for s in derive_scenarios(course)}
    assert list(scenarios) == ["pass", "fail", "resume", "keyboard"]
    acts = scenarios["pass"].launches[0].acts
    assert [a.screen for a in acts if isinstance(a, Go)] == [s.id for s in course.screens]
    assert {a.quiz for a in acts if isinstance(a, Attempt)} == {q.id for q in course.quizzes}
    assert {a.checklist for a in acts if isinstance(a, Tick)} == {c.id for c in course.checklists}
    assert {a.survey for a in acts if isinstance(a, Send)} == {s.id for s in course.surveys}
    assert scenarios["keyboard"].mode == "keyboard" and scenarios["keyboard"].launches == scenarios["pass"].launches

    fail = scenarios["fail"]
    attempts = [a for launch in fail.launches for a in launch.acts if isinstance(a, Attempt)]
    assert all(a.plan == "below-pass" for a in attempts)
    assert len(attempts) == (quiz_of(course).attempts or 2)  # used up, or one more when unlimited
    assert fail.launches[1].acts == () and fail.launches[1].resume_at == course.screens[-1].id

    resume = scenarios["resume"]
    stop = resume_stop(course)
    assert course.screens[stop].kind == "page" or stop == len(course.screens) - 1
    assert resume.launches[1].resume_at == course.screens[stop].id
    kept = [a.screen for a in resume.launches[1].acts if isinstance(a, CheckKept)]
    assert kept == [s.id for s in course.screens[:stop] if s.kind != "page"] and kept


AUTHORED = {"name": "one-wrong", "answers": {"safety-quiz": {"q-use-lift": True, "q-co2-removes": "c-heat"}},
            "others": "right", "expect": {"status": "passed", "score": 81.82}}


def course_with(tmp_path: Path, scenarios: list[object]) -> tuple[Course | None, list[str]]:
    quiz = {"kind": "quiz", "id": "safety-quiz", "title": "Quiz", "attempts": 3, "questions": [
        {"id": "q-use-lift", "type": "true-false", "prompt": "Lifts?", "answer": False},
        {"id": "q-co2-removes", "type": "single", "prompt": "CO2?", "points": 2,
         "choices": [{"id": "c-heat", "text": "Heat"}, {"id": "c-oxygen", "text": "Oxygen", "correct": True}]},
        {"id": "q-order", "type": "sequencing", "prompt": "Order?", "points": 8,
         "items": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}], "answer": ["a", "b"]}]}
    manifest = base_manifest("scenarios", ["p.md", "quiz.yaml"], mastery={"score": 80, "quizzes": ["safety-quiz"]},
                             scenarios=scenarios)
    folder = write_course(tmp_path, manifest, {"p.md": page("p", "Page"), "quiz.yaml": quiz})
    sink = DiagnosticSink()
    course = validate_course(folder, "courses/scenarios", sink)
    # Only the scenario checks: the course has no base_iri, which the xAPI and cmi5 formats warn about.
    return course, [f"{d.location.line}: {d.message} [{d.code}]" for d in sink if d.code.startswith("scenario.")]


def test_an_authored_scenario_is_validated_against_the_course_rules(tmp_path: Path) -> None:
    right = {**AUTHORED, "answers": {"safety-quiz": {"q-use-lift": True}}, "expect": {"status": "passed",
                                                                                     "score": 90.91}}
    course, problems = course_with(tmp_path / "a", [right])
    assert problems == [] and course is not None
    (authored,) = course.manifest.scenarios
    assert authored.answers_for("safety-quiz") == {"q-use-lift": True}
    assert [s.name for s in derive_scenarios(course)][-1] == "one-wrong"

    wrong = {**AUTHORED, "expect": {"status": "passed", "score": 81.82}}  # 8/11 points: 72.73, incomplete
    _, problems = course_with(tmp_path / "b", [wrong])
    assert [p.split(" [")[1] for p in problems] == ["scenario.expect-status]", "scenario.expect-score]"]
    assert "the course rules give 'incomplete'" in problems[0]


def test_authored_answers_name_real_ids_in_the_right_shape(tmp_path: Path) -> None:
    bad = {"name": "pass", "answers": {"safety-quiz": {"q-nope": 1, "q-use-lift": "yes", "q-order": ["a"]},
                                       "no-quiz": {"x": "y"}}, "expect": {"status": "incomplete"}}
    _, problems = course_with(tmp_path, [bad])
    codes = sorted(p.split("[")[1].rstrip("]") for p in problems)
    assert codes == ["scenario.answer-shape", "scenario.answer-shape", "scenario.name-taken",
                     "scenario.unknown-question", "scenario.unknown-quiz"]
    assert all(not p.startswith("0:") for p in problems)  # every one at its line in course.yaml


# ------------------------------------------------------------------------------------ SCORM terms

def test_responses_and_patterns_in_scorm_12_syntax() -> None:
    quiz = quiz_of(sample("data-privacy"))
    questions = {q.id: q for q in quiz.questions}
    special = questions["q-special-category"]
    assert scorm_response(special, ("c-fingerprint", "c-sickness-reason")) == "a,c"
    assert scorm_patterns(special) == ("a,b,c",)
    hours = questions["q-breach-hours"]
    assert isinstance(hours, FillIn)
    assert scorm_patterns(hours) == hours.accepted  # every accepted answer, each its own pattern
    assert scorm_patterns(hours, ["72", "72", "Zweiundsiebzig", "zweiundsiebzig"]) == ("72", "Zweiundsiebzig")
    matching = questions["q-lawful-basis-match"]
    assert isinstance(matching, Matching)
    assert scorm_patterns(matching) == ("a.a,b.b,c.c,d.d",)
    assert scorm_patterns(questions["q-lawful-bases-count"]) == ("6",)
    order = {q.id: q for q in quiz_of(sample("workplace-safety")).questions}["q-evacuation-order"]
    assert isinstance(order, Sequencing)
    assert scorm_patterns(order) == ("b,d,a,e,c",)
    cpr = {q.id: q for q in quiz_of(sample("workplace-safety")).questions}["q-cpr-rate"]
    assert scorm_patterns(cpr) == ()  # 1.2 has no range syntax
    assert survey_interaction("eval", "s-length", "likert", 2).response == "3"


# ------------------------------------------------------------------------------------ assertions

def setv(element: str, value: str) -> ApiEvent:
    return ApiEvent(0, "LMSSetValue", (element, value), "true")


def call(method: str) -> ApiEvent:
    return ApiEvent(0, method, ("",), "true")


INTERACTION = ExpectedInteraction("quiz__q1__1", "choice", "b", "correct", ("b",))
RECORD = {"cmi.core.lesson_status": "incomplete", "cmi.core.score.raw": "", "cmi.core.exit": "suspend",
          "cmi.suspend_data": "1~x", "cmi.interactions.0.id": "quiz__q1__1", "cmi.interactions.0.type": "choice",
          "cmi.interactions.0.student_response": "b", "cmi.interactions.0.result": "correct",
          "cmi.interactions.0.correct_responses.0.pattern": "b"}
EVENTS = (call("LMSInitialize"), setv("cmi.core.lesson_status", "incomplete"), setv("cmi.core.exit", "suspend"),
          setv("cmi.suspend_data", "1~x"), setv("cmi.core.session_time", "0000:00:12.50"), call("LMSFinish"))


SCORM12 = Standard(scorm12_rules.same, scorm12_rules.RULES)


def observed(events: tuple[ApiEvent, ...] = EVENTS, record: dict[str, str] | None = None, status: str = "incomplete",
             score: float | None = 40.0, finished: bool = False,
             interactions: tuple[ExpectedInteraction, ...] = (INTERACTION,)) -> ScenarioObservation:
    """One SCORM 1.2 launch: its calls and the stored record, read by the plug-in into the neutral record."""
    held = read_record(events, record if record is not None else RECORD)
    launch = LaunchObservation("leave after attempt 1", events, held, status, score, finished, interactions)
    return ScenarioObservation("fail", "mastery-override", (launch,))


def judged(seen: ScenarioObservation) -> tuple[Finding, ...]:
    return judge(seen, SCORM12)


def rules(seen: ScenarioObservation) -> list[str]:
    return [f.rule for f in judged(seen)]


def test_a_well_recorded_launch_breaks_no_rule() -> None:
    assert judged(observed()) == ()


def test_the_scorm12_record_reads_into_neutral_terms() -> None:
    held = observed().launches[0].record
    assert (held.completion, held.success, held.status, held.score_percent) == (
        Completion.INCOMPLETE, Success.UNKNOWN, "incomplete", None)
    assert (held.left_suspended, held.state, held.finishes, held.session_time_s) == (True, "1~x", 1, 12.5)
    assert [(i.id, i.type, i.response, i.result, i.patterns) for i in held.interactions] == [
        ("quiz__q1__1", "choice", "b", "correct", ("b",))]
    assert [s.kind for s in held.signals] == [SignalKind.START, SignalKind.COMPLETION, SignalKind.EXIT,
                                              SignalKind.STATE, SignalKind.SESSION_TIME, SignalKind.FINISH]
    passed = read_record(EVENTS, {**RECORD, "cmi.core.lesson_status": "passed", "cmi.core.score.raw": "85"})
    assert (passed.status, passed.score_percent, passed.score_text) == ("passed", 85.0, "85")
    assert read_record(EVENTS, {**RECORD, "cmi.core.lesson_status": "failed"}).status == "failed"
    assert read_record(EVENTS, {**RECORD, "cmi.core.lesson_status": "nonsense"}).status == "unknown"


def test_the_lms_deciding_failed_while_attempts_remain_is_named_with_scenario_profile_and_step() -> None:
    (finding,) = judged(observed(record={**RECORD, "cmi.core.lesson_status": "failed"}))
    assert finding.rule == "lms.status"
    assert "'failed'" in finding.message and "'incomplete' (attempts remain)" in finding.message
    assert finding.step == "scenario 'fail', profile 'mastery-override', step 'leave after attempt 1'"


def test_scores_are_the_rules_score_with_two_decimals() -> None:
    assert rules(observed(record={**RECORD, "cmi.core.score.raw": "44"}, score=44.44)) == ["lms.score"]
    assert rules(observed(record={**RECORD, "cmi.core.score.raw": "44.444"}, score=44.44)) == ["lms.score-format"]
    assert rules(observed(record={**RECORD, "cmi.core.score.raw": "44.44"}, score=44.44)) == []
    final = {**RECORD, "cmi.core.lesson_status": "passed", "cmi.core.exit": ""}
    assert rules(observed(record=final, status="passed", score=90, finished=True)) == ["lms.score"]  # none sent


def test_status_before_score_one_finish_and_session_time() -> None:
    early = (call("LMSInitialize"), setv("cmi.core.lesson_status", "passed"), setv("cmi.core.score.raw", "90"),
             *EVENTS[2:])
    assert "lms.status-before-score" in rules(observed(events=early))
    assert rules(observed(events=(*EVENTS, call("LMSFinish")))) == ["lms.finish-count"]
    assert rules(observed(events=tuple(e for e in EVENTS if e.method != "LMSFinish"))) == ["lms.finish-count"]
    timeless = tuple(e for e in EVENTS if e.arguments[:1] != ("cmi.core.session_time",))
    assert rules(observed(events=timeless)) == ["lms.session-time"]
    odd = tuple(setv("cmi.core.session_time", "12:5") if e.arguments[:1] == ("cmi.core.session_time",) else e
                for e in EVENTS)
    assert rules(observed(events=odd)) == ["lms.session-time"]


def test_leaving_unfinished_must_suspend_and_suspend_data_must_fit() -> None:
    no_suspend = tuple(setv("cmi.core.exit", "") if e.arguments[:1] == ("cmi.core.exit",) else e for e in EVENTS)
    assert rules(observed(events=no_suspend, record={**RECORD, "cmi.core.exit": ""})) == ["lms.exit"]
    assert rules(observed(events=no_suspend, record={**RECORD, "cmi.core.exit": "", "cmi.core.lesson_status":
                                                     "passed", "cmi.core.score.raw": "90"},
                          status="passed", score=90, finished=True)) == []
    huge = "x" * 4097
    assert rules(observed(record={**RECORD, "cmi.suspend_data": huge})) == ["lms.suspend-data-too-long"]


def test_interactions_must_all_be_there_with_every_correct_pattern() -> None:
    fill_in = ExpectedInteraction("quiz__q2__1", "fill-in", "72", "correct", ("72", "72 hours"))
    one_pattern = {**RECORD, "cmi.interactions.1.id": "quiz__q2__1", "cmi.interactions.1.type": "fill-in",
                   "cmi.interactions.1.student_response": "72", "cmi.interactions.1.result": "correct",
                   "cmi.interactions.1.correct_responses.0.pattern": "72"}
    findings = judged(observed(record=one_pattern, interactions=(INTERACTION, fill_in)))
    assert [f.rule for f in findings] == ["lms.interaction"] and "correct responses" in findings[0].message
    assert rules(observed(interactions=())) == ["lms.interactions"]  # one recorded that nobody answered
    wrong_result = {**RECORD, "cmi.interactions.0.result": "wrong", "cmi.interactions.0.student_response": "{b}"}
    assert rules(observed(record=wrong_result)) == ["lms.interaction"]  # braces are fine, the result is not


def test_expected_interaction_from_what_the_robot_gave() -> None:
    quiz = quiz_of(sample("data-privacy"))
    question = {q.id: q for q in quiz.questions}["q-lawful-bases-count"]
    wanted = quiz_interaction(quiz.id, 2, question, 6.0, True)
    assert wanted == ExpectedInteraction("privacy-quiz__q-lawful-bases-count__2", "numeric", "6", "correct", ("6",))


def test_page_problems_and_the_authors_expectation() -> None:
    seen = observed()
    authored = ScenarioObservation("one-wrong", "default", seen.launches,
                                   (PageProblem("launch 1: press Next to 'p2'", "page.image-broken", "img a.svg"),) * 2,
                                   expect_status="passed", expect_score=81.82)
    assert [f.rule for f in judged(authored)] == ["scenario.expect-status", "scenario.expect-score",
                                                  "page.image-broken"]


def test_cmifeedback_holds_255_characters() -> None:
    long = {**RECORD, "cmi.interactions.0.correct_responses.1.pattern": "x" * 256}
    findings = judged(observed(record=long))
    assert [f.rule for f in findings] == ["lms.interaction", "lms.interaction"]
    assert "a value of 256 characters (CMIFeedback holds 255)" in findings[1].message
