"""The cmi5 LMS over real HTTP on 127.0.0.1: fetch, LaunchData, strict mode rules, satisfied, abandoned, waived."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.lrs.cmi5_au.au_client import (
    QUIZ,
    WELCOME,
    XAPI_HEADERS,
    ScriptedAu,
    launch,
    register,
    stored_statements,
    verbs,
)
from tests.lrs.cmi5_au.server import ADMIN_AUTH, RunningHost, running_host

SESSION_EXT = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"
REASON_EXT = "https://w3id.org/xapi/cmi5/result/extensions/reason"
PASS = {"success": True, "duration": "PT5S", "score": {"scaled": 0.9}}
FAIL = {"success": False, "duration": "PT5S", "score": {"scaled": 0.5}}
DONE = {"completion": True, "duration": "PT5S"}
END = {"duration": "PT9S"}


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHost]:
    with running_host(tmp_path_factory.mktemp("cmi5") / "lrs.sqlite") as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def start(http: httpx.Client, host: RunningHost, au: str = QUIZ, mode: str = "Normal",
          registration: str | None = None) -> tuple[str, ScriptedAu]:
    registration = registration or register(http, host)
    return registration, ScriptedAu.start(http, launch(http, host, registration, au, mode))


def test_fetch_is_post_only_and_one_time(http: httpx.Client, host: RunningHost) -> None:
    url = launch(http, host, register(http, host))
    fetch = httpx.URL(url).params["fetch"]
    assert http.get(fetch).status_code == 405
    first = http.post(fetch)
    assert first.status_code == 200 and first.headers["content-type"] == "application/json"
    token = first.json()["auth-token"]
    second = http.post(fetch)
    assert second.status_code == 200 and second.headers["content-type"] == "application/json"
    assert second.json()["error-code"] == "1" and second.json()["error-text"]
    forged = http.post(fetch + "x")
    assert forged.status_code == 200 and forged.json()["error-code"] == "2"
    # the token is a credential the LRS accepts, and only this one
    about = http.get(httpx.URL(url).params["endpoint"] + "statements", headers={**XAPI_HEADERS,
                                                                                "Authorization": f"Basic {token}"})
    assert about.status_code == 200
    wrong = http.get(httpx.URL(url).params["endpoint"] + "statements",
                     headers={**XAPI_HEADERS, "Authorization": f"Basic {token[:-4]}AAA="})
    assert wrong.status_code == 401


def test_launch_data_preferences_and_launched(http: httpx.Client, host: RunningHost) -> None:
    registration, au = start(http, host)
    assert au.launch_data["launchMode"] == "Normal"
    assert au.launch_data["moveOn"] == "CompletedAndPassed"
    assert au.launch_data["masteryScore"] == 0.8
    assert au.launch_data["returnURL"] == f"{host.base_url}/done"
    assert au.launch_data["entitlementKey"] == {"courseStructure": "courseforge-test-key"}
    assert au.launch_data["contextTemplate"]["contextActivities"]["grouping"][0]["id"] == QUIZ
    assert au.params["activityId"] != QUIZ
    assert urls_match(au.params["endpoint"], f"{host.base_url}/xAPI/")
    preferences = http.get(f"{au.endpoint}agents/profile", headers=au.headers(),
                           params={"agent": au.params["actor"], "profileId": "cmi5LearnerPreferences"})
    assert preferences.json() == {"languagePreference": "fr-FR,en-US", "audioPreference": "off"}
    (launched,) = stored_statements(http, host, registration)
    assert launched["verb"]["id"] == "http://adlnet.gov/expapi/verbs/launched"
    assert launched["context"]["extensions"][SESSION_EXT] == au.session_id
    assert launched["context"]["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/launchurl"] == \
        f"{host.package_url}index.html?page=quiz"


def urls_match(first: str, second: str) -> bool:
    return first.rstrip("/") == second.rstrip("/")


def test_a_normal_session_satisfies_block_and_course(http: httpx.Client, host: RunningHost) -> None:
    registration, au = start(http, host)
    for verb, result in (("initialized", None), ("completed", DONE), ("passed", PASS), ("terminated", END)):
        response = au.send(au.statement(verb, result=result))
        assert response.status_code == 200, response.text
    stored = stored_statements(http, host, registration)
    assert verbs(stored) == ["launched", "initialized", "completed", "passed", "satisfied", "satisfied",
                             "terminated"]
    block, course = stored[4], stored[5]
    assert block["object"]["definition"]["type"] == "https://w3id.org/xapi/cmi5/activitytype/block"
    assert course["object"]["definition"]["type"] == "https://w3id.org/xapi/cmi5/activitytype/course"
    assert {block["context"]["extensions"][SESSION_EXT], course["context"]["extensions"][SESSION_EXT]} == \
        {au.session_id}
    after = au.send(au.statement("experienced", cmi5=False))
    assert after.status_code == 400 and "[cmi5.after-terminated]" in after.text


def test_completed_alone_does_not_satisfy_completed_and_passed(http: httpx.Client, host: RunningHost) -> None:
    registration, au = start(http, host)
    for verb, result in (("initialized", None), ("completed", DONE), ("terminated", END)):
        assert au.send(au.statement(verb, result=result)).status_code == 200
    assert "satisfied" not in verbs(stored_statements(http, host, registration))
    au2 = ScriptedAu.start(http, launch(http, host, registration))
    for verb, result in (("initialized", None), ("passed", PASS)):
        assert au2.send(au2.statement(verb, result=result)).status_code == 200
    assert verbs(stored_statements(http, host, registration))[-2:] == ["satisfied", "satisfied"]


# (launch mode, statements accepted first, the offending statement, the rule it breaks)
Step = tuple[str, dict[str, Any] | None, dict[str, Any]]
OK: dict[str, Any] = {}
INIT: Step = ("initialized", None, OK)
RULES: list[tuple[str, str, list[Step], Step, str]] = [
    ("completed first", "Normal", [], ("completed", DONE, OK), "cmi5.before-initialized"),
    ("allowed first", "Normal", [], ("experienced", None, {"cmi5": False}), "cmi5.before-initialized"),
    ("initialized without category", "Normal", [], ("initialized", None, {"cmi5": False}), "cmi5.category-missing"),
    ("after terminated", "Normal", [INIT, ("terminated", END, OK)], ("completed", DONE, OK),
     "cmi5.after-terminated"),
    ("initialized twice", "Normal", [INIT], INIT, "cmi5.verb-repeated"),
    ("passed then failed", "Normal", [INIT, ("passed", PASS, OK)], ("failed", FAIL, OK), "cmi5.passed-and-failed"),
    ("completed in browse", "Browse", [INIT], ("completed", DONE, OK), "cmi5.launch-mode"),
    ("passed in review", "Review", [INIT], ("passed", PASS, OK), "cmi5.launch-mode"),
    ("passed below mastery", "Normal", [INIT], ("passed", {**PASS, "score": {"scaled": 0.79}}, OK),
     "cmi5.passed-below-mastery"),
    ("failed at mastery", "Normal", [INIT], ("failed", {**FAIL, "score": {"scaled": 0.8}}, OK),
     "cmi5.failed-at-mastery"),
    ("no session id", "Normal", [INIT], ("completed", DONE, {"drop_session": True}), "cmi5.session-id-missing"),
    ("not the launch activity", "Normal", [INIT], ("completed", DONE, {"object_id": "https://example.org/x"}),
     "cmi5.object-not-au"),
    ("score on completed", "Normal", [INIT], ("completed", {**DONE, "score": {"scaled": 1}}, OK),
     "cmi5.score-not-allowed"),
    ("passed without success", "Normal", [INIT], ("passed", {"duration": "PT1S"}, {"moveon": True}), "cmi5.success"),
    ("completed without duration", "Normal", [INIT], ("completed", {"completion": True}, OK),
     "cmi5.duration-missing"),
    ("moveon category missing", "Normal", [INIT], ("completed", DONE, {"moveon": False}), "cmi5.moveon-category"),
    ("LMS verb from the AU", "Normal", [INIT], ("https://w3id.org/xapi/adl/verbs/satisfied", None, OK),
     "cmi5.lms-verb"),
]


def build(au: ScriptedAu, step: Step) -> dict[str, Any]:
    verb, result, options = step
    statement = au.statement(verb, result=result, cmi5=options.get("cmi5", True), moveon=options.get("moveon"),
                             object_id=options.get("object_id"))
    if options.get("drop_session"):
        del statement["context"]["extensions"][SESSION_EXT]
    return statement


@pytest.mark.parametrize(("mode", "before", "offending", "rule"), [case[1:] for case in RULES],
                         ids=[case[0] for case in RULES])
def test_strict_mode_rule_table(http: httpx.Client, host: RunningHost, mode: str, before: list[Step],
                                offending: Step, rule: str) -> None:
    registration, au = start(http, host, mode=mode)
    for step in before:
        response = au.send(build(au, step))
        assert response.status_code == 200, response.text
    statement = build(au, offending)
    response = au.send(statement)
    assert response.status_code == 400
    assert f"[{rule}]" in response.text, response.text
    stored_ids = {stored["id"] for stored in stored_statements(http, host, registration)}
    assert statement["id"] not in stored_ids


def test_registration_rules_span_sessions(http: httpx.Client, host: RunningHost) -> None:
    registration, au = start(http, host)
    for verb, result in (("initialized", None), ("completed", DONE), ("passed", PASS), ("terminated", END)):
        assert au.send(au.statement(verb, result=result)).status_code == 200
    au2 = ScriptedAu.start(http, launch(http, host, registration))
    assert au2.send(au2.statement("initialized")).status_code == 200
    for verb, result, rule in (("completed", DONE, "cmi5.completed-again"), ("passed", PASS, "cmi5.passed-again"),
                               ("failed", FAIL, "cmi5.failed-after-passed")):
        response = au2.send(au2.statement(verb, result=result))
        assert response.status_code == 400 and f"[{rule}]" in response.text, response.text


def test_allowed_statements_and_a_rejected_batch(http: httpx.Client, host: RunningHost) -> None:
    registration, au = start(http, host)
    assert au.send(au.statement("initialized")).status_code == 200
    allowed = au.statement("experienced", cmi5=False, object_id=f"{host.package_url}page-2")
    also_allowed = au.statement("completed", cmi5=False, result={"completion": True})  # cmi5 allowed (§7.1.3)
    assert au.send(allowed, also_allowed).status_code == 200
    batch = [au.statement("completed", result=DONE), au.statement("completed", result=DONE)]
    response = au.send(*batch)
    assert response.status_code == 400 and "statement[1]" in response.text and "[cmi5.verb-repeated]" in response.text
    assert verbs(stored_statements(http, host, registration)) == ["launched", "initialized", "experienced",
                                                                  "completed"]
    retry = au.statement("completed", result=DONE)
    assert au.send(retry).status_code == 200
    assert au.send(retry).status_code == 200  # an identical retry is not a second completed


def test_a_new_session_abandons_the_open_one(http: httpx.Client, host: RunningHost) -> None:
    registration, first = start(http, host)
    assert first.send(first.statement("initialized")).status_code == 200
    second = ScriptedAu.start(http, launch(http, host, registration, WELCOME))
    stored = stored_statements(http, host, registration)
    assert verbs(stored) == ["launched", "initialized", "abandoned", "launched"]
    abandoned = stored[2]
    assert abandoned["context"]["extensions"][SESSION_EXT] == first.session_id
    assert abandoned["result"]["duration"].startswith("PT")
    assert first.send(first.statement("terminated", result=END)).status_code == 401  # its token ended with it
    by_admin = first.send(first.statement("terminated", result=END), auth=ADMIN_AUTH)
    assert by_admin.status_code == 400 and "[cmi5.after-abandoned]" in by_admin.text
    assert http.post(f"{host.base_url}/cmi5/sweep", json={"idleSeconds": 3600}).json() == {"abandoned": []}
    swept = http.post(f"{host.base_url}/cmi5/sweep", json={"idleSeconds": 0}).json()["abandoned"]
    assert second.session_id in swept and first.session_id not in swept  # other tests' open sessions go too
    assert verbs(stored_statements(http, host, registration))[-1] == "abandoned"
    assert http.post(f"{host.base_url}/cmi5/sweep", json={"idleSeconds": 0}).json() == {"abandoned": []}


def test_waiving_the_quiz_satisfies_block_and_course(http: httpx.Client, host: RunningHost) -> None:
    registration = register(http, host)
    response = http.post(f"{host.base_url}/cmi5/registrations/{registration}/waivers",
                         json={"au": QUIZ, "reason": "Tested Out"})
    assert response.status_code == 201, response.text
    session = response.json()["session"]
    stored = stored_statements(http, host, registration)
    assert verbs(stored) == ["waived", "satisfied", "satisfied"]
    assert stored[0]["result"] == {"success": True, "completion": True, "extensions": {REASON_EXT: "Tested Out"}}
    assert {s["context"]["extensions"][SESSION_EXT] for s in stored} == {session}
    again = http.post(f"{host.base_url}/cmi5/registrations/{registration}/waivers",
                      json={"au": QUIZ, "reason": "Administrative"})
    assert again.status_code == 409


def test_statements_outside_cmi5_are_not_judged(http: httpx.Client, host: RunningHost) -> None:
    statement = {"actor": {"mbox": "mailto:someone@example.org"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/"
                                                                            "completed"},
                 "object": {"id": "https://example.org/plain-xapi"}}
    response = http.post(f"{host.base_url}/xAPI/statements", content=json.dumps(statement),
                         headers={**XAPI_HEADERS, "Authorization": ADMIN_AUTH, "Content-Type": "application/json"})
    assert response.status_code == 200, response.text


def test_lms_controls_report_bad_requests(http: httpx.Client, host: RunningHost) -> None:
    base = f"{host.base_url}/cmi5"
    assert http.post(f"{base}/registrations", json={"course": "https://nope", "learner": {"homePage": "https://h",
                                                                                          "name": "n"}}
                     ).status_code == 404
    assert http.post(f"{base}/registrations", content=b"[").status_code == 400
    registration = register(http, host)
    assert http.post(f"{base}/registrations/{registration}/launches", json={"au": "https://nope"}).status_code == 404
    assert http.post(f"{base}/registrations/{registration}/launches",
                     json={"au": QUIZ, "launchMode": "Sometimes"}).status_code == 400


def test_all_not_applicable_course_is_satisfied_at_registration(tmp_path: Path) -> None:
    from courseforge.lms.cmi5.launch import Learner
    from courseforge.lms.cmi5.structure import parse_course_structure

    xml = (Path(__file__).parent / "cmi5_au" / "cmi5.xml").read_text()
    xml = xml.replace('moveOn="CompletedAndPassed"', 'moveOn="NotApplicable"').replace(
        "https://courseforge.example/test/cmi5/course", "https://courseforge.example/test/cmi5/free-course")
    with running_host(tmp_path / "lrs.sqlite") as running, httpx.Client(timeout=10) as client:
        free = parse_course_structure(xml.encode())
        running.host.lms.add_course(free, running.package_url)
        entry = running.host.lms.register(free.id, Learner("https://lms.courseforge.example", "learner-2"))
        stored = stored_statements(client, running, str(entry.id))
        assert verbs(stored) == ["satisfied", "satisfied"]
        assert [s["object"]["definition"]["type"].rsplit("/", 1)[1] for s in stored] == ["block", "course"]


def test_an_au_token_cannot_void(http: httpx.Client, host: RunningHost) -> None:
    registration, au = start(http, host)
    initialized = au.statement("initialized")
    assert au.send(initialized).status_code == 200
    voiding = au.statement("http://adlnet.gov/expapi/verbs/voided", cmi5=False)
    voiding["object"] = {"objectType": "StatementRef", "id": initialized["id"]}
    response = au.send(voiding)
    assert response.status_code == 400 and "[cmi5.voiding]" in response.text, response.text
    assert "initialized" in verbs(stored_statements(http, host, registration))


def test_a_token_is_bound_to_its_session(http: httpx.Client, host: RunningHost) -> None:
    _, first = start(http, host)
    _, other = start(http, host)
    response = other.send(first.statement("initialized"))
    assert response.status_code == 400 and "[cmi5.session-mismatch]" in response.text, response.text


def test_concurrent_passes_store_one_and_satisfy_once(http: httpx.Client, host: RunningHost) -> None:
    from concurrent.futures import ThreadPoolExecutor

    registration, au = start(http, host)
    for verb, result in (("initialized", None), ("completed", DONE)):
        assert au.send(au.statement(verb, result=result)).status_code == 200
    passes = [au.statement("passed", result=PASS) for _ in range(6)]

    def send(statement: dict[str, Any]) -> int:
        with httpx.Client(timeout=10) as own:
            return ScriptedAu(own, au.params, au.token, au.launch_data).send(statement).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        codes = sorted(pool.map(send, passes))
    assert codes == [200, 400, 400, 400, 400, 400]
    assert verbs(stored_statements(http, host, registration)).count("passed") == 1
    assert verbs(stored_statements(http, host, registration)).count("satisfied") == 2


def test_concurrent_launches_leave_one_open_session(http: httpx.Client, host: RunningHost) -> None:
    from concurrent.futures import ThreadPoolExecutor

    registration = register(http, host)

    def one_launch(_: int) -> str:
        with httpx.Client(timeout=10) as own:
            return launch(own, host, registration)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one_launch, range(4)))
    ledger = host.host.lms.ledger(uuid.UUID(registration))
    assert sum(record.open for record in ledger.sessions.values()) == 1
    assert verbs(stored_statements(http, host, registration)).count("abandoned") == 3
