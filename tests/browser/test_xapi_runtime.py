"""The xAPI (Tin Can) runtime in a real browser against courseforge's LRS over real HTTP, driven like a learner.

The package is built from tests/roots/runtime-course by the real pipeline and launched with the Tin Can
launch query (endpoint, auth, actor, registration, activity_id). The LRS runs on another 127.0.0.1 port
(cross-origin, as LRSs often are) and can really stop. What was stored is read back through the LRS's own
Statement and State resources; every statement is checked by @learninglocker/xapi-validation and by the
preview's Tin Can rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from runtime_course import (
    BASE_IRI,
    answer_all_right,
    do_the_course,
    go_next,
    group,
    heading,
    open_course,
    unzipped_package,
    verbs,
)
from xapi_host import ACTOR, AUTH, TinCanLms, new_registration, tincan_lms, wait_for

from courseforge.model.package import PackageFormat
from courseforge.stages.preview.harness.plugins import xapi_statements
from courseforge.stages.preview.harness.plugins.xapi_statements import StatementValidator, session_problems
from courseforge.standards.xapi import PROGRESS_EXTENSION, STATE_ID, ActivityType, Verb

pytestmark = pytest.mark.browser

COURSE_IRI = BASE_IRI + "runtime-course"
QUIZ = "final-quiz"
SCREENS = ("intro", "details", "safety-check", QUIZ, "feedback")


@pytest.fixture(scope="module")
def package_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unzipped_package(PackageFormat.XAPI, tmp_path_factory.mktemp("xapi-package"))


@pytest.fixture
def lms(package_dir: Path, tmp_path: Path) -> Iterator[TinCanLms]:
    yield from tincan_lms(package_dir, tmp_path / "lrs.sqlite", COURSE_IRI)


def leave(page: Page) -> None:
    """The learner closes the course: pagehide must finish the session (keepalive)."""
    page.goto("about:blank")


def by_object(statements: list[dict[str, Any]], verb: Verb) -> dict[str, dict[str, Any]]:
    return {s["object"]["id"].removeprefix(COURSE_IRI + "/"): s for s in statements if s["verb"]["id"] == verb}


def terminated(lms: TinCanLms, registration: str, count: int = 1) -> list[dict[str, Any]]:
    return wait_for(lambda: (found := lms.statements(registration))
                    and verbs(found).count("terminated") >= count and found, what="terminated")


def judge(validator: StatementValidator, lms: TinCanLms, registration: str,
          stored: list[dict[str, Any]], sessions: list[list[dict[str, Any]]]) -> list[str]:
    """Every problem the independent validator and the Tin Can rules find (``sessions``: stored per launch)."""
    problems = [p.format() for p in validator.validate(stored)]
    for session in sessions:
        problems += [p.format() for p in session_problems(lms.sent, session, stored, actor=ACTOR,
                                                          registration=registration, activity_id=COURSE_IRI)]
    return problems


def split_sessions(stored: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Per launch, in the order the runtime made them (the preview plug-in's own reading)."""
    return [list(session) for session in xapi_statements.split_sessions(xapi_statements.in_made_order(stored))]


def test_learner_passes_and_the_lrs_holds_the_whole_record(
        context: BrowserContext, lms: TinCanLms, validator: StatementValidator) -> None:
    registration = new_registration()
    page, errors = open_course(context, lms.launch_url(registration))
    expect(page.get_by_role("status").filter(has_text="will not be saved")).to_have_count(0)
    do_the_course(page)
    leave(page)
    stored = terminated(lms, registration)

    names = verbs(stored)
    assert names[0] == "initialized" and names[-1] == "terminated"
    assert names.count("completed") == names.count("passed") == 1 and "failed" not in names
    assert names.index("completed") < names.index("passed")
    assert judge(validator, lms, registration, stored, [stored]) == []

    experienced = [s["object"] for s in stored if s["verb"]["id"] == Verb.EXPERIENCED]
    assert [o["id"].removeprefix(COURSE_IRI + "/") for o in experienced] == list(SCREENS)
    assert experienced[3]["definition"] == {"type": ActivityType.ASSESSMENT, "name": {"en": "Final quiz"}}

    passed = next(s for s in stored if s["verb"]["id"] == Verb.PASSED)
    assert passed["result"]["score"] == {"scaled": 1, "raw": 100, "min": 0, "max": 100}
    assert (passed["result"]["success"], passed["result"]["completion"]) == (True, True)
    assert passed["result"]["duration"].startswith("PT") and passed["object"]["id"] == COURSE_IRI
    assert passed["context"]["registration"] == registration
    progress = [s["result"]["extensions"][PROGRESS_EXTENSION] for s in stored if s["verb"]["id"] == Verb.PROGRESSED]
    assert progress == sorted(set(progress)) and progress[0] > 0 and progress[-1] < 100
    assert all("score" not in s.get("result", {}) for s in stored if s["verb"]["id"] not in RESULTS)

    answered = by_object(stored, Verb.ANSWERED)
    assert set(answered) == {f"{QUIZ}/{q}" for q in ("q-colour", "q-primes", "q-orbit", "q-capital", "q-legs",
                                                     "q-sounds", "q-tea")} | {"feedback/useful", "feedback/comments"}
    colour = answered[f"{QUIZ}/q-colour"]
    assert colour["object"]["definition"] == {
        "type": ActivityType.INTERACTION, "interactionType": "choice",
        "name": {"en": "Which colour means stop on a traffic light?"},
        "description": {"en": "Which colour means stop on a traffic light?"},
        "correctResponsesPattern": ["red"],
        "choices": [{"id": "red", "description": {"en": "Red"}}, {"id": "green", "description": {"en": "Green"}},
                    {"id": "blue", "description": {"en": "Blue"}}]}
    assert colour["context"]["contextActivities"]["parent"][0]["id"] == f"{COURSE_IRI}/{QUIZ}"
    assert colour["context"]["contextActivities"]["grouping"] == [{"objectType": "Activity", "id": COURSE_IRI}]
    patterns = {path: s["object"]["definition"].get("correctResponsesPattern") for path, s in answered.items()}
    responses = {path: s["result"]["response"] for path, s in answered.items()}
    assert patterns == {
        f"{QUIZ}/q-colour": ["red"], f"{QUIZ}/q-primes": ["two[,]three"], f"{QUIZ}/q-orbit": ["true"],
        f"{QUIZ}/q-capital": ["Paris"], f"{QUIZ}/q-legs": ["8"],
        f"{QUIZ}/q-sounds": ["dog[.]woof[,]cat[.]meow[,]cow[.]moo"], f"{QUIZ}/q-tea": ["boil[,]bag[,]pour"],
        "feedback/useful": None, "feedback/comments": None}
    assert responses == {**{k: v[0] for k, v in patterns.items() if v}, f"{QUIZ}/q-capital": "paris",
                         "feedback/useful": "3", "feedback/comments": "Clear and short."}
    sounds = answered[f"{QUIZ}/q-sounds"]["object"]["definition"]
    assert sounds["source"][0] == {"id": "dog", "description": {"en": "Dog"}}
    assert sounds["target"][1] == {"id": "woof", "description": {"en": "Woof"}}
    useful = answered["feedback/useful"]
    assert useful["object"]["definition"]["interactionType"] == "likert"
    assert useful["object"]["definition"]["scale"][3] == {"id": "3", "description": {"en": "Agree"}}
    assert "success" not in useful["result"]
    assert answered["feedback/comments"]["object"]["definition"]["interactionType"] == "long-fill-in"
    assert all(s["result"]["success"] for path, s in answered.items() if path.startswith(QUIZ))

    state = lms.state(registration, STATE_ID)
    assert state["bookmark"] == "feedback" and state["state"] and state["interactions"] == 9
    assert state["sent"] == {"completed": True, "passed": True}
    assert len({s["id"] for s in lms.sent}) == len(stored)  # everything sent was stored, nothing twice
    assert errors == []


RESULTS = (Verb.PASSED, Verb.FAILED)


def test_relaunch_resumes_from_the_state_document(context: BrowserContext, lms: TinCanLms,
                                                  validator: StatementValidator) -> None:
    registration = new_registration()
    page, errors = open_course(context, lms.launch_url(registration))
    go_next(page)
    go_next(page)
    page.get_by_label("I know where the fire exits are.").check()
    leave(page)
    terminated(lms, registration)
    assert lms.state(registration, STATE_ID)["bookmark"] == "safety-check"

    page, more_errors = open_course(context, lms.launch_url(registration))
    dialog = page.get_by_role("dialog", name="Resume where you left off?")
    expect(dialog).to_contain_text("Safety check")
    dialog.get_by_role("button", name="Resume").click()
    assert heading(page) == "Safety check"
    expect(page.get_by_label("I know where the fire exits are.")).to_be_checked()
    leave(page)
    stored = terminated(lms, registration, 2)
    sessions = split_sessions(stored)
    assert len(sessions) == 2 and "completed" not in verbs(stored)
    assert judge(validator, lms, registration, stored, sessions) == []
    assert errors == more_errors == []

    # A new registration is a new attempt: nothing to resume.
    page, _ = open_course(context, lms.launch_url(new_registration()))
    expect(page.get_by_role("dialog", name="Resume where you left off?")).to_have_count(0)
    assert heading(page) == "Introduction"


def queued(page: Page) -> int:
    """Statements waiting in the page's persisted queue (every courseforge.xapi key of localStorage)."""
    return int(page.evaluate("""() => Object.keys(localStorage).filter(k => k.startsWith('courseforge.xapi '))
        .reduce((n, k) => n + JSON.parse(localStorage.getItem(k)).statements.length, 0)"""))


def test_lrs_down_mid_course_loses_nothing_and_duplicates_nothing(
        context: BrowserContext, lms: TinCanLms, validator: StatementValidator) -> None:
    registration = new_registration()
    page, errors = open_course(context, lms.launch_url(registration))
    go_next(page)
    wait_for(lambda: len(lms.statements(registration)) >= 3, what="the first statements")

    lms.stop_lrs()
    go_next(page)
    page.get_by_label("I know where the fire exits are.").check()
    page.get_by_label("I have read the safety policy.").check()
    go_next(page)
    answer_all_right(page)
    assert queued(page) >= 10  # held in localStorage while the LRS is away
    page.close()  # the tab goes away with the LRS still down: the queue stays in localStorage

    lms.start_lrs()
    page, more_errors = open_course(context, lms.launch_url(registration))  # the next launch sends the backlog
    page.get_by_role("dialog").get_by_role("button", name="Resume").click()
    assert heading(page) == "Final quiz"
    go_next(page)
    group(page, "The course was useful.").get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Submit survey").click()
    leave(page)
    stored = terminated(lms, registration, 2)

    sessions = split_sessions(stored)
    assert [verbs(s).count("answered") for s in sessions] == [7, 1]
    assert [verbs(s).count("experienced") for s in sessions] == [4, 2]
    assert verbs(stored).count("completed") == verbs(stored).count("passed") == 1
    assert judge(validator, lms, registration, stored, sessions) == []
    assert {s["id"] for s in lms.sent} == {s["id"] for s in stored}  # every statement made it, once
    assert lms.state(registration, STATE_ID)["sent"] == {"completed": True, "passed": True}
    assert errors == more_errors == []


def test_a_statement_the_lrs_refuses_is_dropped_and_named(context: BrowserContext, lms: TinCanLms) -> None:
    """A 4xx other than 409/429 is a bug in that statement: the rest still goes, the console names it."""
    page, errors = open_course(context, f"{lms.site_url}/pkg/index.html")  # standalone: cf.xapi is loaded
    result = page.evaluate("""async ([endpoint, auth, actor]) => {
        const client = courseforge.xapi.client({endpoint, auth, scope: "refused"});
        const make = (verb) => ({actor, verb: {id: verb}, object: {id: "https://courses.example.com/x"}});
        const good = client.statement(make("http://adlnet.gov/expapi/verbs/experienced"));
        const bad = client.statement(make("not an iri"));
        const last = client.statement(make("http://adlnet.gov/expapi/verbs/experienced"));
        await client.flush();
        return {good: good.id, bad: bad.id, last: last.id, pending: client.pending()};
    }""", [lms.endpoint, AUTH, ACTOR])
    assert result["pending"] == 0
    stored = {s["id"] for s in lms.statements()}
    assert stored == {result["good"], result["last"]}
    assert any(result["bad"] in error and "refused" in error for error in errors), errors
