"""The review LMS in real Chromium: a reviewer logs in, launches the sample course's SCORM 1.2 and cmi5 packages
as learners, and the attempts page shows what the LMS recorded; resume, reset, a second learner and a second
version. Everything over real HTTP on 127.0.0.1 (uvicorn), scorm-again in the LMS page, the embedded LRS."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, FrameLocator, Page, expect

from tests.review.review_lms import REVIEWER_PASSWORD, RunningLms, wait_for, with_page_text

pytestmark = pytest.mark.browser
SAMPLE_TITLE = "Workplace Safety Induction"


@pytest.fixture
def page(chromium: Browser, lms: RunningLms) -> Iterator[Page]:
    context = chromium.new_context(base_url=lms.url)
    page = context.new_page()
    page.goto("/")  # the catalog sends a visitor without a session to the login page
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("Name").fill("reviewer")
    page.get_by_label("Password").fill(REVIEWER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Catalog")).to_be_visible()
    yield page
    context.close()


def content(page: Page, *frames: str) -> FrameLocator:
    """The course inside the player page's frames (``#lms`` the LMS page, then its content frame)."""
    located = page.frame_locator("#lms")
    for selector in frames:
        located = located.frame_locator(selector)
    return located


def launch(page: Page, sha256: str, learner: str) -> FrameLocator:
    """Launch a version as ``learner`` from its page; the course's frame, once it shows a screen (or, resuming,
    its offer to go back to the bookmark)."""
    page.goto(f"/versions/{sha256}?learner={learner}")
    page.get_by_role("button", name=f"Launch {SAMPLE_TITLE} as {learner}").click()
    expect(page.locator("header .who")).to_have_text(f"learning as {learner}")
    course = content(page, "#sco")
    expect(course.locator(":is(h1, dialog[open]):visible").first).to_be_visible()
    return course


def leave_player(page: Page) -> None:
    """Back to the version's page as a learner does, from the player's bar (the course's window goes away)."""
    page.get_by_role("link", name=f"{SAMPLE_TITLE}").click()
    expect(page.get_by_role("heading", level=2, name="Learner")).to_be_visible()


def attempt_text(page: Page, sha256: str, learner: str, number: int, expected: str) -> str:
    """The attempt's article once the LMS shows ``expected`` in it (what the content sent on leaving travels by
    beacon and may arrive after the page was made)."""
    article = page.locator(f"article.attempt[data-attempt='{number}']")

    def shown() -> bool:
        page.goto(f"/versions/{sha256}?learner={learner}")
        return article.count() == 1 and expected in article.inner_text()

    wait_for(shown, f"attempt {number} shows {expected!r}")
    return article.inner_text()


def test_a_scorm_attempt_is_recorded_resumed_reset_and_kept_per_learner_and_version(
        page: Page, lms: RunningLms, sample_packages: dict[str, bytes]) -> None:
    sha = str(lms.published(sample_packages["scorm12"])["sha256"])
    course = launch(page, sha, "Ann")
    for _ in range(2):
        course.get_by_role("button", name="Next").click()
    third_screen = course.get_by_role("heading", level=1).inner_text()
    leave_player(page)

    recorded = attempt_text(page, sha, "Ann", 1, "#1, #2, #3")
    attempt = page.locator("article.attempt[data-attempt='1']")
    expect(attempt.locator("dd.status")).to_have_text("incomplete (lesson_status 'incomplete')")
    expect(attempt.locator("dd.exit")).to_have_text("suspended: the next launch resumes this attempt")
    expect(attempt.locator("dl.suspend")).to_contain_text("Screens visited")
    bookmark = attempt.locator("dd.bookmark").inner_text()
    assert bookmark and bookmark != "—"
    assert " of 4096 characters." in recorded

    course = launch(page, sha, "Ann")  # the same attempt, resumed at the bookmark
    dialog = course.locator("#cf-resume")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(third_screen)
    dialog.locator("[data-role='resume']").click()
    expect(course.get_by_role("heading", level=1)).to_have_text(third_screen)
    leave_player(page)
    wait_for(lambda: lms.server.lms.database.latest_attempt(sha, "ITEM-workplace-safety-1.0.0", "Ann") is not None,
             "the attempt is stored")
    resumed = lms.server.lms.database.latest_attempt(sha, "ITEM-workplace-safety-1.0.0", "Ann")
    assert resumed is not None and resumed.number == 1 and resumed.resumed
    assert "2 launches; resumed" in attempt_text(page, sha, "Ann", 1, "2 launches")

    page.get_by_role("button", name="Reset attempt (start a new one)").click()
    expect(page.locator("article.attempt[data-attempt='2']")).to_contain_text("Not launched yet")
    expect(page.locator("article.attempt[data-attempt='1']")).to_contain_text("#1, #2, #3")
    fresh = launch(page, sha, "Ann")  # a fresh attempt: no resume offer
    expect(fresh.locator("#cf-resume")).to_be_hidden()
    leave_player(page)

    page.get_by_label("Try the course as").fill("Bob")
    page.get_by_role("button", name="Switch learner").click()
    expect(page.get_by_role("heading", name="Attempts of Bob")).to_be_visible()
    expect(page.get_by_text("No attempts yet.")).to_be_visible()

    second = lms.published(with_page_text(sample_packages["scorm12"], "What changed in version 2."))
    assert second["version"] == 2
    page.goto("/")
    expect(page.locator(f"tr[data-sha256='{second['sha256']}']")).to_contain_text("version 2")
    expect(page.locator(f"tr[data-sha256='{sha}']")).to_contain_text("version 1")
    changed = launch(page, str(second["sha256"]), "Ann")  # version 2 has attempts of its own
    expect(changed.get_by_text("What changed in version 2.")).to_be_attached()
    leave_player(page)
    assert [a.number for a in lms.server.lms.database.attempts(str(second["sha256"]), "Ann")] == [1]
    assert [a.number for a in lms.server.lms.database.attempts(sha, "Ann")] == [1, 2]
    page.goto(f"/versions/{sha}?learner=Ann")  # version 1 is still there, with its attempts
    expect(page.locator("article.attempt")).to_have_count(2)


def test_a_cmi5_launch_goes_through_the_lrs_and_its_statements_are_shown(
        page: Page, lms: RunningLms, sample_packages: dict[str, bytes]) -> None:
    sha = str(lms.published(sample_packages["cmi5"])["sha256"])
    course = launch(page, sha, "Cem")
    course.get_by_role("button", name="Next").click()
    host = page.frame_locator("#lms")
    launch_url = host.locator("#sco").get_attribute("src") or ""
    query = parse_qs(urlsplit(launch_url).query)
    assert query["endpoint"][0].startswith(f"{lms.url}/__lms/cmi5/")
    assert query["fetch"][0].startswith(lms.url) and query["registration"][0]
    with httpx.Client() as client:  # the fetch URL hands out its token once (cmi5 §8.2.3): the AU took it
        assert "error-code" in client.post(query["fetch"][0]).json()

    course.get_by_role("button", name="Exit").click()  # terminated, then the AU goes to the returnURL
    expect(page).to_have_url(f"{lms.url}/versions/{sha}")
    attempt_text(page, sha, "Cem", 1, "terminated")
    attempt = page.locator("article.attempt[data-attempt='1']")
    expect(attempt.locator("dd.status")).to_contain_text("statements: initialized")
    held = attempt.locator("table.values").text_content() or ""
    assert f"registration{query['registration'][0]}" in held.replace("\n", "").replace(" ", "")
    sent = attempt.locator("ol.timeline").text_content() or ""
    assert "statements" in sent and "terminated" in sent
    assert lms.server.lms.database.learners(sha) == ["Cem"]


@pytest.mark.parametrize(("package_format", "status"), [("scorm2004", "incomplete (completion_status 'incomplete'"),
                                                        ("xapi", "incomplete (statements initialized, experienced")])
def test_scorm_2004_and_xapi_launch_too(page: Page, lms: RunningLms, sample_packages: dict[str, bytes],
                                        package_format: str, status: str) -> None:
    sha = str(lms.published(sample_packages[package_format])["sha256"])
    course = launch(page, sha, "Dee")
    course.get_by_role("button", name="Next").click()
    leave_player(page)
    attempt_text(page, sha, "Dee", 1, "#1, #2")
    expect(page.locator("article.attempt[data-attempt='1'] dd.status")).to_contain_text(status)
