"""The pure launch pieces against the cmi5 spec text: launch URL, LaunchData, preferences, LMS statements, moveOn."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest

from courseforge.lms.cmi5.launch import (
    LaunchSession,
    Learner,
    LearnerPreferences,
    NodeKind,
    launch_data,
    launch_url,
    lms_activity_id,
    resolve_au_url,
)
from courseforge.lms.cmi5.moveon import AuProgress, au_satisfied, satisfied_nodes
from courseforge.lms.cmi5.statements import (
    abandoned_statement,
    iso_duration,
    launched_statement,
    satisfied_statement,
    waived_statement,
    xapi_timestamp,
)
from courseforge.lms.cmi5.structure import CourseStructure, parse_course_structure
from courseforge.lms.cmi5.vocabulary import (
    CATEGORY_CMI5,
    CATEGORY_MOVEON,
    EXT_LAUNCH_MODE,
    EXT_LAUNCH_PARAMETERS,
    EXT_LAUNCH_URL,
    EXT_MASTERY_SCORE,
    EXT_MOVE_ON,
    EXT_REASON,
    EXT_SESSION_ID,
    AudioPreference,
    LaunchMode,
    MoveOn,
    Verb,
    WaiveReason,
)

TEST_PACKAGE = Path(__file__).parent / "cmi5_au"
QUIZ = "https://courseforge.example/test/cmi5/au/quiz"
WELCOME = "https://courseforge.example/test/cmi5/au/welcome"
BLOCK = "https://courseforge.example/test/cmi5/block/assessment"
LEARNER = Learner("https://lms.example/learners", "learner-7")
REGISTRATION = uuid.UUID("760e3480-ba55-4991-94b0-01820dbd23a2")
SESSION = uuid.UUID("11111111-2222-4333-8444-555555555555")
LAUNCH_ORDER = ["endpoint", "fetch", "actor", "registration", "activityId"]
LAUNCHED_AT = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


@pytest.fixture(scope="module")
def course() -> CourseStructure:
    return parse_course_structure((TEST_PACKAGE / "cmi5.xml").read_bytes())


def quiz_session(course: CourseStructure, mode: LaunchMode = LaunchMode.NORMAL) -> LaunchSession:
    au = course.assignable_unit(QUIZ)
    return LaunchSession(SESSION, REGISTRATION, LEARNER, course, au, mode,
                         resolve_au_url(au.url, "http://127.0.0.1:9/packages/p1/"), LAUNCHED_AT,
                         return_url="http://127.0.0.1:9/lms/done?x=1")


def test_lms_ids_are_stable_distinct_and_never_the_publisher_id() -> None:
    first = lms_activity_id("https://c", QUIZ, NodeKind.AU)
    assert first == lms_activity_id("https://c", QUIZ, NodeKind.AU)
    assert first != QUIZ
    assert len({first, lms_activity_id("https://c", QUIZ, NodeKind.BLOCK),
                lms_activity_id("https://other", QUIZ, NodeKind.AU)}) == 3
    assert first.startswith("urn:uuid:") and uuid.UUID(first.removeprefix("urn:uuid:"))


def test_relative_au_urls_resolve_against_the_served_package() -> None:
    assert resolve_au_url("index.html?page=quiz", "http://127.0.0.1:9/packages/p1/") == \
        "http://127.0.0.1:9/packages/p1/index.html?page=quiz"
    assert resolve_au_url("https://cdn.example/au.html", "http://127.0.0.1:9/packages/p1/") == \
        "https://cdn.example/au.html"


def test_launch_url_encodes_every_value_and_keeps_the_au_query(course: CourseStructure) -> None:
    session = quiz_session(course)
    url = launch_url(session.au_url, endpoint="http://127.0.0.1:9/xAPI/", fetch="http://127.0.0.1:9/cmi5/fetch/a?b=c",
                     actor=LEARNER.actor(), registration=REGISTRATION, activity_id=session.activity_id)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://127.0.0.1:9/packages/p1/index.html"
    raw = dict(pair.split("=", 1) for pair in parts.query.split("&"))
    # URL-encoded (§8.1): no raw ':', '/', '?', '{', '"' or space survives in a value
    for name in ("endpoint", "fetch", "actor", "activityId"):
        assert not set(raw[name]) & set(':/?{}" &='), (name, raw[name])
    values = {name: value[0] for name, value in parse_qs(parts.query, strict_parsing=True).items()}
    assert values == {
        "page": "quiz",
        "endpoint": "http://127.0.0.1:9/xAPI/",
        "fetch": "http://127.0.0.1:9/cmi5/fetch/a?b=c",
        "actor": json.dumps(LEARNER.actor(), separators=(",", ":")),
        "registration": str(REGISTRATION),
        "activityId": session.activity_id,
    }
    assert json.loads(values["actor"]) == {"objectType": "Agent", "account": {"homePage": LEARNER.home_page,
                                                                              "name": "learner-7"}}
    assert [name for name, _ in parse_qsl(parts.query)] == ["page", *LAUNCH_ORDER]


def test_launch_data_carries_every_field_the_spec_lists(course: CourseStructure) -> None:
    session = quiz_session(course, LaunchMode.BROWSE)
    document = launch_data(session, entitlement_alternate="alt-9")
    assert document == {
        "contextTemplate": {
            "contextActivities": {"grouping": [{"objectType": "Activity", "id": QUIZ}]},
            "extensions": {EXT_SESSION_ID: str(SESSION)},
        },
        "launchMode": "Browse",
        "launchMethod": "OwnWindow",
        "moveOn": "CompletedAndPassed",
        "masteryScore": 0.8,
        "launchParameters": '{"difficulty": "hard"}',
        "returnURL": "http://127.0.0.1:9/lms/done?x=1",
        "entitlementKey": {"courseStructure": "courseforge-test-key", "alternate": "alt-9"},
    }


def test_launch_data_leaves_out_what_the_structure_does_not_set(course: CourseStructure) -> None:
    au = course.assignable_unit(WELCOME)
    session = LaunchSession(SESSION, REGISTRATION, LEARNER, course, au, LaunchMode.NORMAL, au.url, LAUNCHED_AT)
    assert set(launch_data(session)) == {"contextTemplate", "launchMode", "launchMethod", "moveOn"}
    assert launch_data(session)["moveOn"] == "NotApplicable"


def test_learner_preferences_document() -> None:
    preferences = LearnerPreferences(("en-US", "fr-FR", "fr-BE"), AudioPreference.OFF)
    assert preferences.document() == {"languagePreference": "en-US,fr-FR,fr-BE", "audioPreference": "off"}
    assert LearnerPreferences().document() == {}


def cmi5_context_ok(statement: dict[str, object], grouping: str, session_id: uuid.UUID) -> None:
    context = statement["context"]
    assert isinstance(context, dict)
    assert context["registration"] == str(REGISTRATION)
    assert {"objectType": "Activity", "id": CATEGORY_CMI5} in context["contextActivities"]["category"]
    assert context["contextActivities"]["grouping"] == [{"objectType": "Activity", "id": grouping}]
    assert context["extensions"][EXT_SESSION_ID] == str(session_id)


def test_launched_statement(course: CourseStructure) -> None:
    session = quiz_session(course)
    statement_id = uuid.uuid4()
    statement = launched_statement(session, statement_id=statement_id)
    assert statement["id"] == str(statement_id)
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/launched"
    assert statement["actor"] == LEARNER.actor()
    assert statement["object"] == {"objectType": "Activity", "id": session.activity_id,
                                   "definition": {"type": "http://adlnet.gov/expapi/activities/assessment"}}
    assert statement["timestamp"] == "2024-05-06T07:08:09.123Z"
    assert "result" not in statement
    cmi5_context_ok(statement, QUIZ, SESSION)
    extensions = statement["context"]["extensions"]
    assert extensions[EXT_LAUNCH_MODE] == "Normal"
    assert extensions[EXT_LAUNCH_URL] == "http://127.0.0.1:9/packages/p1/index.html?page=quiz"
    assert extensions[EXT_MOVE_ON] == "CompletedAndPassed"
    assert extensions[EXT_LAUNCH_PARAMETERS] == '{"difficulty": "hard"}'
    assert extensions[EXT_MASTERY_SCORE] == 0.8
    assert CATEGORY_MOVEON not in str(statement)


def test_abandoned_statement_duration_runs_from_launch_to_last_statement(course: CourseStructure) -> None:
    session = quiz_session(course)
    statement = abandoned_statement(session, last_activity=LAUNCHED_AT + timedelta(seconds=75, milliseconds=500),
                                    timestamp=LAUNCHED_AT + timedelta(hours=1), statement_id=uuid.uuid4())
    assert statement["verb"]["id"] == Verb.ABANDONED.value == "https://w3id.org/xapi/adl/verbs/abandoned"
    assert statement["result"] == {"duration": "PT75.500S"}
    assert statement["object"]["id"] == session.activity_id
    cmi5_context_ok(statement, QUIZ, SESSION)


def test_waived_statement(course: CourseStructure) -> None:
    own_session = uuid.uuid4()
    statement = waived_statement(course=course, au=course.assignable_unit(QUIZ), learner=LEARNER,
                                 registration=REGISTRATION, session_id=own_session, reason=WaiveReason.TESTED_OUT,
                                 timestamp=LAUNCHED_AT, statement_id=uuid.uuid4())
    assert statement["verb"]["id"] == "https://w3id.org/xapi/adl/verbs/waived"
    assert statement["result"] == {"success": True, "completion": True, "extensions": {EXT_REASON: "Tested Out"}}
    assert {"objectType": "Activity", "id": CATEGORY_MOVEON} in statement["context"]["contextActivities"]["category"]
    cmi5_context_ok(statement, QUIZ, own_session)


def test_satisfied_statements_name_the_lms_block_and_course_ids(course: CourseStructure) -> None:
    block = next(course.blocks())
    for node, kind, activity_type in ((block, NodeKind.BLOCK, "block"), (course, NodeKind.COURSE, "course")):
        statement = satisfied_statement(course=course, node=node, learner=LEARNER, registration=REGISTRATION,
                                        session_id=SESSION, timestamp=LAUNCHED_AT, statement_id=uuid.uuid4())
        assert statement["verb"]["id"] == "https://w3id.org/xapi/adl/verbs/satisfied"
        assert statement["object"] == {
            "objectType": "Activity", "id": lms_activity_id(course.id, node.id, kind),
            "definition": {"type": f"https://w3id.org/xapi/cmi5/activitytype/{activity_type}"},
        }
        assert statement["object"]["id"] != node.id
        assert "result" not in statement
        cmi5_context_ok(statement, node.id, SESSION)


def test_time_formats() -> None:
    assert xapi_timestamp(datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)) == "2024-01-02T03:04:05.006Z"
    assert iso_duration(timedelta(seconds=3)) == "PT3S"
    assert iso_duration(timedelta(milliseconds=1250)) == "PT1.250S"


NONE, C, P, W = AuProgress(), AuProgress(completed=True), AuProgress(passed=True), AuProgress(waived=True)
CP = AuProgress(completed=True, passed=True)


@pytest.mark.parametrize(("move_on", "progress", "satisfied"), [
    (MoveOn.NOT_APPLICABLE, NONE, True),
    (MoveOn.PASSED, NONE, False), (MoveOn.PASSED, C, False), (MoveOn.PASSED, P, True), (MoveOn.PASSED, W, True),
    (MoveOn.COMPLETED, NONE, False), (MoveOn.COMPLETED, P, False), (MoveOn.COMPLETED, C, True),
    (MoveOn.COMPLETED, W, True),
    (MoveOn.COMPLETED_AND_PASSED, C, False), (MoveOn.COMPLETED_AND_PASSED, P, False),
    (MoveOn.COMPLETED_AND_PASSED, CP, True), (MoveOn.COMPLETED_AND_PASSED, W, True),
    (MoveOn.COMPLETED_OR_PASSED, NONE, False), (MoveOn.COMPLETED_OR_PASSED, C, True),
    (MoveOn.COMPLETED_OR_PASSED, P, True), (MoveOn.COMPLETED_OR_PASSED, W, True),
])
def test_move_on_table(move_on: MoveOn, progress: AuProgress, satisfied: bool) -> None:
    assert au_satisfied(move_on, progress) is satisfied


def test_block_and_course_satisfaction_follow_their_aus(course: CourseStructure) -> None:
    assert satisfied_nodes(course, {}) == ()
    assert satisfied_nodes(course, {QUIZ: C}) == ()
    block = next(course.blocks())
    assert satisfied_nodes(course, {QUIZ: CP}) == (block, course)
    assert satisfied_nodes(course, {QUIZ: W}) == (block, course)
