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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cmi5_host import Cmi5TestLms, cmi5_lms, wait_for
from playwright.sync_api import BrowserContext, Page, expect
from runtime_course import (
    BASE_IRI,
    collect_errors,
    do_the_course,
    go_next,
    heading,
    open_course,
    unzipped_package,
    verbs,
)

from courseforge.lms.cmi5.service import Launch
from courseforge.model.package import PackageFormat
from courseforge.stages.preview.harness.plugins.xapi_statements import StatementValidator
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

pytestmark = pytest.mark.browser

AU_IRI = BASE_IRI + "runtime-course/au"
QUIZ = "final-quiz"
DEFINED = {verb.value for verb in Verb}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unzipped_package(PackageFormat.CMI5, tmp_path_factory.mktemp("cmi5-package"))


@pytest.fixture
def lms(site: Path, tmp_path: Path) -> Iterator[Cmi5TestLms]:
    with cmi5_lms(site, tmp_path / "lrs.sqlite") as running:
        yield running


def exit_to_lms(page: Page, lms: Cmi5TestLms) -> None:
    """The player's Exit control: terminated first, then the LMS's returnURL replaces the course."""
    page.get_by_role("button", name="Exit").click()
    page.wait_for_url(lms.return_url)
    expect(page.get_by_role("heading", name="Back in the LMS")).to_be_visible()


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
    errors = collect_errors(page)
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
