"""The cmi5 AU runtime in a real browser against courseforge's cmi5 LMS (strict mode: every statement judged by
the cmi5 rules before it is stored) over real HTTP, driven like a learner.

The package is built from tests/roots/runtime-course by the real pipeline; the LMS imports its cmi5.xml,
registers a learner and launches the AU (launched statement, LMS.LaunchData, one-time fetch URL, returnURL).
Stored statements are also checked by @learninglocker/xapi-validation. A statement the strict LMS refused
would show as a console error of the runtime ("the LRS refused statement ..."), so no console error means
the cmi5 rules accepted every statement.
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cmi5_host import Cmi5TestLms, cmi5_lms, wait_for
from playwright.sync_api import Browser, BrowserContext, Page, expect

from courseforge.diagnostics import DiagnosticSink
from courseforge.lms.cmi5.service import Launch
from courseforge.model.package import PackageFormat
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.preview.harness.plugins.xapi_statements import StatementValidator, ValidatorMissing
from courseforge.standards.cmi5 import (
    CATEGORY_CMI5,
    CATEGORY_MOVEON,
    EXT_MASTERY_SCORE,
    EXT_PROGRESS,
    EXT_SESSION_ID,
    RESUME_STATE_ID,
    LaunchMode,
    Verb,
)
from tests.chromium import missing

pytestmark = pytest.mark.browser

COURSE_DIR = Path(__file__).parents[1] / "roots" / "runtime-course"
BASE_IRI = "https://courses.example.com/"
AU_IRI = BASE_IRI + "runtime-course/au"
QUIZ = "final-quiz"
DEFINED = {verb.value for verb in Verb}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sink = DiagnosticSink()
    options = BuildOptions(formats=(PackageFormat.CMI5,), base_iri=BASE_IRI)
    result = build_course(COURSE_DIR, "tests/roots/runtime-course", options, sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    folder = tmp_path_factory.mktemp("cmi5-package")
    zip_path = folder / "cmi5.zip"
    zip_path.write_bytes(result.packages[0].package.data)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder / "site")
    return folder / "site"


@pytest.fixture
def lms(site: Path, tmp_path: Path) -> Iterator[Cmi5TestLms]:
    with cmi5_lms(site, tmp_path / "lrs.sqlite") as running:
        yield running


@pytest.fixture(scope="module")
def validator() -> StatementValidator:
    try:
        return StatementValidator.find()
    except ValidatorMissing as error:
        missing(str(error).splitlines()[0])


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context()
    yield context
    context.close()


def open_course(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # "Failed to load resource" is Chrome's line for any HTTP error answer (the State API's 404 on a first
    # launch): the browser's, not the course's. A refused statement is the runtime's own console error.
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.goto(url)
    expect(page.get_by_role("heading", level=1).or_(page.get_by_role("dialog"))).to_be_visible()
    # The first screen is in the page before the tracker has connected; the player exists once it has.
    page.wait_for_function("() => Boolean(window.courseforge && window.courseforge.player)")
    return page, errors


def heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def go_next(page: Page) -> None:
    page.get_by_role("button", name="Next").click()


def group(page: Page, name: str) -> Any:
    return page.get_by_role("group", name=name)


def answer_quiz(page: Page, right: bool = True) -> None:
    group(page, "Which colour means stop on a traffic light?").get_by_label("Red" if right else "Blue").check()
    for label in ("2", "3"):
        group(page, "Which of these numbers are prime?").get_by_label(label, exact=True).check()
    group(page, "The Earth orbits the Sun.").get_by_label("True" if right else "False", exact=True).check()
    page.get_by_role("textbox", name="What is the capital of France?").fill("paris" if right else "rome")
    page.get_by_role("textbox", name="How many legs does a spider have?").fill("8" if right else "6")
    for label, option in {"Dog": "Woof", "Cat": "Meow", "Cow": "Moo", "Boil the water": "1",
                          "Put a tea bag in the cup": "2", "Pour the water": "3"}.items():
        page.get_by_label(label, exact=True).select_option(label=option)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("status").filter(has_text="Your score")).to_be_visible()


def do_the_course(page: Page) -> None:
    go_next(page)
    go_next(page)
    page.get_by_label("I know where the fire exits are.").check()
    page.get_by_label("I have read the safety policy.").check()
    go_next(page)
    answer_quiz(page)
    go_next(page)
    group(page, "The course was useful.").get_by_label("Agree", exact=True).check()
    page.get_by_label("Any other comments?").fill("Clear and short.")
    page.get_by_role("button", name="Submit survey").click()
    expect(page.get_by_role("status").filter(has_text="Thank you")).to_be_visible()


def exit_to_lms(page: Page, lms: Cmi5TestLms) -> None:
    """The player's Exit control: terminated first, then the LMS's returnURL replaces the course."""
    page.get_by_role("button", name="Exit").click()
    page.wait_for_url(lms.return_url)
    expect(page.get_by_role("heading", name="Back in the LMS")).to_be_visible()


def verbs(statements: list[dict[str, Any]]) -> list[str]:
    return [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]


def categories(statement: dict[str, Any]) -> set[str]:
    return {a["id"] for a in statement["context"].get("contextActivities", {}).get("category", [])}


def ended(lms: Cmi5TestLms, registration: uuid.UUID, count: int = 1) -> list[dict[str, Any]]:
    return wait_for(lambda: (found := lms.statements(registration)) and verbs(found).count("terminated") >= count
                    and found, "terminated")


def assert_cmi5_shape(stored: list[dict[str, Any]], launches: list[Launch]) -> None:
    """What the strict LMS does not enforce but cmi5 asks: defined vs allowed categories, the session id,
    the context template's publisher id, durations where required, UTC timestamps."""
    sessions = {str(launch.session.session_id) for launch in launches}
    activity_ids = {launch.session.activity_id for launch in launches}
    for statement in stored:
        context = statement["context"]
        assert context["extensions"][EXT_SESSION_ID] in sessions
        assert statement["timestamp"].endswith(("Z", "+00:00"))
        name = statement["verb"]["id"].rsplit("/", 1)[-1]
        if name in ("launched", "satisfied"):
            continue  # the LMS's own (satisfied is about the course: its grouping is the course's)
        assert {"objectType": "Activity", "id": AU_IRI} in context["contextActivities"]["grouping"]
        if statement["verb"]["id"] in DEFINED:
            assert statement["object"]["id"] in activity_ids
            judged = name in ("completed", "passed", "failed")
            assert categories(statement) == ({CATEGORY_CMI5, CATEGORY_MOVEON} if judged else {CATEGORY_CMI5})
            if name != "initialized":
                assert statement["result"]["duration"].startswith("PT")
        else:
            assert CATEGORY_CMI5 not in categories(statement) and CATEGORY_MOVEON not in categories(statement)


def test_a_normal_session_records_the_cmi5_sequence_and_exits_to_the_return_url(
        context: BrowserContext, lms: Cmi5TestLms, validator: StatementValidator) -> None:
    registration = lms.register(languages=("de-DE", "fr"))
    launch = lms.launch(registration)
    page, errors = open_course(context, launch.url)
    expect(page.get_by_role("status").filter(has_text="not recorded")).to_have_count(0)
    assert page.evaluate("courseforge.player.tracker.getLanguagePreference()") == ["de-DE", "fr"]
    do_the_course(page)
    exit_to_lms(page, lms)
    stored = ended(lms, registration)

    names = verbs(stored)
    own = [name for name in names if name not in ("launched", "satisfied")]
    assert names[0] == "launched" and own[0] == "initialized" and own[-1] == "terminated"
    assert own.count("completed") == own.count("passed") == 1 and "failed" not in own
    assert {"experienced", "progressed", "answered"} <= set(own)
    assert own.count("answered") == 9  # 7 quiz questions + 2 survey items
    assert names.count("satisfied") == 1  # the course: its one AU's moveOn (CompletedAndPassed) is met
    assert_cmi5_shape(stored, [launch])
    assert [p.format() for p in validator.validate(stored)] == []

    passed = next(s for s in stored if s["verb"]["id"] == Verb.PASSED)
    assert passed["result"]["score"] == {"scaled": 1, "raw": 100, "min": 0, "max": 100}
    assert passed["result"]["success"] is True and "completion" not in passed["result"]
    assert passed["context"]["extensions"][EXT_MASTERY_SCORE] == 0.8
    completed = next(s for s in stored if s["verb"]["id"] == Verb.COMPLETED)
    assert completed["result"]["completion"] is True and "success" not in completed["result"]
    assert "score" not in completed["result"] and "extensions" not in completed["result"]
    progress = [s["result"]["extensions"][EXT_PROGRESS] for s in stored if verbs([s]) == ["progressed"]]
    assert progress == sorted(set(progress)) and progress[0] > 0 and progress[-1] < 100
    assert all(isinstance(value, int) for value in progress)

    answered = {s["object"]["id"]: s for s in stored if verbs([s]) == ["answered"]}
    colour = answered[f"{AU_IRI}/{QUIZ}/q-colour"]
    assert colour["object"]["definition"]["interactionType"] == "choice"
    assert colour["object"]["definition"]["correctResponsesPattern"] == ["red"]
    assert colour["context"]["contextActivities"]["parent"][0]["id"] == f"{AU_IRI}/{QUIZ}"
    assert colour["result"] == {"response": "red", "success": True, "duration": colour["result"]["duration"]}

    state = lms.state(launch, RESUME_STATE_ID)
    assert state["bookmark"] == "feedback" and state["state"] and state["interactions"] == 9
    assert state["sent"] == {"completed": True, "passed": True}
    assert errors == []


def test_browse_and_review_send_no_completion_and_keep_no_results(
        context: BrowserContext, lms: Cmi5TestLms, validator: StatementValidator) -> None:
    for mode in (LaunchMode.BROWSE, LaunchMode.REVIEW):
        registration = lms.register(name=f"browser-{mode.value}")
        launch = lms.launch(registration, mode)
        page, errors = open_course(context, launch.url)
        expect(page.get_by_role("status").filter(has_text="not recorded")).to_be_visible()
        do_the_course(page)
        exit_to_lms(page, lms)
        stored = ended(lms, registration)
        own = [name for name in verbs(stored) if name not in ("launched", "satisfied")]
        assert own[0] == "initialized" and own[-1] == "terminated", own
        assert not {"completed", "passed", "failed", "answered"} & set(own), own
        assert "satisfied" not in verbs(stored)
        assert_cmi5_shape(stored, [launch])
        assert [p.format() for p in validator.validate(stored)] == []
        assert lms.state(launch, RESUME_STATE_ID) is None  # nothing of this session kept as the learner's
        assert errors == []


NO_PAGEHIDE = "window.addEventListener('pagehide', (event) => event.stopImmediatePropagation(), true);"
"""Runs before the player's own listener: the page goes away as a crashed tab does, without pagehide."""


def test_a_reload_within_the_session_fetches_no_second_token_and_sends_no_second_initialized(
        context: BrowserContext, lms: Cmi5TestLms) -> None:
    registration = lms.register()
    launch = lms.launch(registration)
    page = context.new_page()
    page.add_init_script(NO_PAGEHIDE)
    fetches: list[str] = []
    page.on("request", lambda request: fetches.append(request.method) if request.url == launch.fetch_url else None)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.goto(launch.url)
    go_next(page)
    wait_for(lambda: verbs(lms.statements(registration)).count("experienced") >= 2, "the first screens")
    page.reload()
    page.get_by_role("dialog").get_by_role("button", name="Resume").click()
    assert heading(page) == "Details"
    go_next(page)
    exit_to_lms(page, lms)
    stored = ended(lms, registration)
    names = verbs(stored)
    assert fetches == ["POST"]  # the token came back from sessionStorage; a second fetch would be refused
    assert names.count("initialized") == 1 and names.count("terminated") == 1
    assert names.count("experienced") == 4  # intro, details, details again after the reload, safety check
    assert_cmi5_shape(stored, [launch])
    assert errors == []


def test_a_relaunch_never_repeats_a_verdict_of_the_registration(
        context: BrowserContext, lms: Cmi5TestLms, validator: StatementValidator) -> None:
    registration = lms.register()
    first = lms.launch(registration)
    page, errors = open_course(context, first.url)
    do_the_course(page)
    exit_to_lms(page, lms)
    ended(lms, registration)

    second = lms.launch(registration)  # done already: the State API says completed and passed were sent
    page, more_errors = open_course(context, second.url)
    page.get_by_role("dialog").get_by_role("button", name="Resume").click()
    page.get_by_role("button", name="Previous").click()
    exit_to_lms(page, lms)
    stored = ended(lms, registration, 2)
    names = verbs(stored)
    assert names.count("completed") == names.count("passed") == 1 and names.count("initialized") == 2
    assert_cmi5_shape(stored, [first, second])
    assert [p.format() for p in validator.validate(stored)] == []
    assert errors == more_errors == []
