"""The player against the asynchronous tracker contract (runtime/tracking.js), in a real browser.

The LMS side here is a small tracker written for the test, registered through the public
``courseforge.tracking.register`` before the player boots (the package's own SCORM 1.2 adapter finds no API,
so the next adapter is tried): it answers slowly, as a network LMS does, launches in review mode and gives a
return URL, as cmi5 can. What it sees is exactly what the player asked of it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.pipeline import BuildOptions, build_course
from tests.static_server import serve_folder

pytestmark = pytest.mark.browser

COURSE_DIR = Path(__file__).parents[1] / "roots" / "runtime-course"

TEST_LMS = """
window.testLms = {commits: [], inFlight: 0, maxInFlight: 0, finishes: 0, statuses: [], scores: [], views: []};
document.addEventListener("DOMContentLoaded", function () {
  var lms = window.testLms;
  function later(ms, value) {
    return new Promise(function (resolve) { setTimeout(function () { resolve(value); }, ms); });
  }
  var tracker = {
    mode: "test",
    initialize: function () { lms.initialized = Date.now(); return later(200, true); },
    getBookmark: function () { return ""; },
    getState: function () { return ""; },
    getMasteryScore: function () { return null; },
    getLaunchMode: function () { return "review"; },
    interactionCount: function () { return 0; },
    continueInteractions: function () {},
    saveState: function (text) { lms.state = text; },
    setBookmark: function (id) { lms.bookmark = id; },
    screenViewed: function (view) { lms.views.push(view); },
    recordInteraction: function () {},
    setScore: function (score) { lms.scores.push(score); },
    setStatus: function (result) { lms.statuses.push(result); },
    commit: function () {
      var sent = lms.state;
      lms.inFlight += 1;
      lms.maxInFlight = Math.max(lms.maxInFlight, lms.inFlight);
      return later(150).then(function () { lms.inFlight -= 1; lms.commits.push(sent); });
    },
    finish: function () {
      lms.finishes += 1;
      console.log("test LMS: finish " + lms.finishes);
      return later(100);
    },
    exitUrl: function () { return new URL("../exit.html", location.href).href; }
  };
  window.courseforge.tracking.register({name: "test", connect: function () { return Promise.resolve(tracker); }});
}, true);
"""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    sink = DiagnosticSink()
    result = build_course(COURSE_DIR, "tests/roots/runtime-course", BuildOptions(formats=(PackageFormat.SCORM12,)),
                          sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    root = tmp_path_factory.mktemp("player-tracker")
    (root / "package.zip").write_bytes(result.packages[0].package.data)
    with zipfile.ZipFile(root / "package.zip") as archive:
        archive.extractall(root / "course")
    (root / "exit.html").write_text('<!doctype html><link rel="icon" href="data:,"><title>LMS</title>'
                                    "<h1>Back in the LMS</h1>", encoding="utf-8")
    with serve_folder(root) as url:
        yield url


@pytest.fixture
def page(chromium: Browser, base: str) -> Iterator[Page]:
    context = chromium.new_context()
    page = context.new_page()
    page.add_init_script(TEST_LMS)
    page.goto(base + "course/index.html")
    yield page
    context.close()


def lms(page: Page) -> dict[str, Any]:
    return dict(page.evaluate("() => window.testLms"))


def test_the_player_starts_once_connected_and_says_a_review_records_nothing(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Introduction")
    expect(page.get_by_role("status").filter(has_text="This session is for review only: your answers and results are "
                                                      "not recorded.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="will not be saved")).to_be_hidden()
    seen = lms(page)
    assert seen["views"] == [{"id": "intro", "title": "Introduction", "index": 0, "total": 5, "kind": "page"}]
    assert seen["scores"] == [None] and seen["statuses"][0]["final"] is False


def test_commits_run_one_at_a_time_and_the_last_carries_the_last_state(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Introduction")
    for _ in range(4):  # four checkpoints while the first commits are still on their way
        page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your feedback")
    page.wait_for_function("() => window.testLms.inFlight === 0 && window.testLms.commits.slice(-1)[0] === "
                           "window.testLms.state")
    seen = lms(page)
    assert seen["maxInFlight"] == 1
    assert 2 <= len(seen["commits"]) <= 5
    assert [(v["id"], v["index"], v["kind"]) for v in seen["views"]] == [
        ("intro", 0, "page"), ("details", 1, "page"), ("safety-check", 2, "checklist"), ("final-quiz", 3, "quiz"),
        ("feedback", 4, "survey")]
    # progress: 8 steps of required work (5 screens, 2 required checklist items, 1 survey), in hundredths.
    assert [s["progress"] for s in seen["statuses"]] == [0.13, 0.25, 0.38, 0.5, 0.63]
    page.get_by_role("navigation", name="Course contents").get_by_role("link", name="Safety check").click()
    page.get_by_label("I know where the fire exits are.").check()
    page.get_by_label("I have read the safety policy.").check()
    assert lms(page)["statuses"][-1]["progress"] == 0.88 and not lms(page)["statuses"][-1]["completed"]


def test_exit_finishes_the_session_once_then_goes_to_the_return_url(page: Page) -> None:
    finishes: list[str] = []
    page.on("console", lambda message: finishes.append(message.text) if "test LMS: finish" in message.text else None)
    exit_button = page.get_by_role("button", name="Exit")
    expect(exit_button).to_be_visible()
    page.get_by_role("button", name="Next").click()
    exit_button.click()
    page.wait_for_url("**/exit.html")
    expect(page.get_by_role("heading", level=1)).to_have_text("Back in the LMS")
    assert finishes == ["test LMS: finish 1"]  # pagehide came after the exit's finish: not finished again
