"""``courseforge serve --watch`` end to end: the real command as a subprocess in a copy of the sample project (real
watchdog events from real file writes, the in-process rebuild, the review LMS on 127.0.0.1 with its SQLite file and
package store), a reviewer in Debian's Chromium playing the course's SCORM 1.2 package in the LMS frame.

The tests of this module share one running command and go in order: an edit reaches the open player, a broken
course.yaml shows its diagnostics while the last good version stays launchable, the fix clears them, Ctrl-C stops.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, FrameLocator, Page, expect

from tests.review.review_lms import REVIEWER_PASSWORD, log_in, wait_for
from tests.review.test_watch import SAFETY, SAFETY_MANIFEST, WAIT_S, append_sentence, break_manifest
from tests.sample_project import copy_sample_project

pytestmark = pytest.mark.browser

WELCOME_PAGE = Path("courses/workplace-safety/pages/welcome.md")
"""The first screen a new attempt shows."""
COMMAND = [sys.executable, "-m", "courseforge", "serve"]
FIRST_BUILD_S = 90.0
"""Both sample courses in every locale and format, published, on a loaded 2-core machine."""
OVERLAY = f"#courseforge-live-diagnostics-{SAFETY}"


@dataclass
class Served:
    """The running command: its URL, its project, its stderr lines as they come, the admin's API token."""

    process: subprocess.Popen[str]
    url: str
    root: Path
    token: str
    errors: list[str] = field(default_factory=list)

    def read_errors(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.errors.append(line.rstrip("\n"))

    def stderr_has(self, text: str) -> bool:
        return any(text in line for line in list(self.errors))

    def versions(self, course: str = SAFETY, locale: str = "en", package_format: str = "scorm12") -> list[int]:
        with httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}) as client:
            packages = client.get("/api/v1/packages").json()["packages"]
        return sorted(int(p["version"]) for p in packages
                      if p["course"] == course and p["locale"] == locale and p["format"] == package_format)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = copy_sample_project(tmp_path_factory.mktemp("serve-watch") / "project")
    token = subprocess.run([*COMMAND, "--add-user", "boss", "--role", "admin", "-q"], cwd=root, check=True,
                           text=True, capture_output=True).stdout.strip()
    subprocess.run([*COMMAND, "--add-user", "reviewer", "--password-stdin", "-q"], cwd=root, check=True, text=True,
                   input=REVIEWER_PASSWORD + "\n", capture_output=True)
    process = subprocess.Popen([*COMMAND, "--watch", "--port", "0"], cwd=root, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        running = Served(process, url, root, token)
        threading.Thread(target=running.read_errors, daemon=True).start()
        for course in (SAFETY, "data-privacy"):
            wait_for(lambda course=course: running.stderr_has(f"{course} rebuilt in "),  # type: ignore[misc]
                     f"the first build of {course} was published", FIRST_BUILD_S)
        yield running
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=WAIT_S)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()


@pytest.fixture(scope="module")
def logged_in(chromium: Browser, served: Served) -> Iterator[BrowserContext]:
    """A reviewer logged in (the session cookie is the context's)."""
    made = chromium.new_context(base_url=served.url)
    page = made.new_page()
    log_in(page)
    page.close()
    yield made
    made.close()


@pytest.fixture
def context(logged_in: BrowserContext) -> Iterator[BrowserContext]:
    """The reviewer's browser; the pages a test opened are closed after it, whatever happened (each holds a live
    stream per course, and Chromium opens at most six connections to one host)."""
    yield logged_in
    for page in logged_in.pages:
        page.close()


def course_frame(page: Page) -> FrameLocator:
    return page.frame_locator("#lms").frame_locator("#sco")


def play_newest(context: BrowserContext, learner: str, locale: str = "en") -> Page:
    """The player of the newest SCORM 1.2 version in ``locale``, launched from its page, showing the first screen."""
    page = context.new_page()
    page.goto(f"/latest?course={SAFETY}&locale={locale}&format=scorm12&learner={learner}")
    page.get_by_role("button", name=re.compile(r"^Launch .+ as")).click()
    expect(course_frame(page).get_by_role("heading", level=1).first).to_be_visible(timeout=WAIT_S * 1000)
    return page


def shows(page: Page, sentence: str) -> bool:
    """The player's course frame has ``sentence`` (False while the page or a frame is being replaced)."""
    try:
        return course_frame(page).get_by_text(sentence).count() > 0
    except Exception:  # Playwright raises while a navigation replaces the frame's document
        return False


def test_an_edit_shows_in_the_open_player_as_a_new_version(served: Served,
                                                                            context: BrowserContext) -> None:
    version_page = context.new_page()
    version_page.goto(f"/latest?course={SAFETY}&locale=en&format=scorm12")
    old_version_url = version_page.url
    page = play_newest(context, "Ann")
    before = served.versions()
    sentence = "Sign the visitors' book every time you enter the site."
    saved = append_sentence(served.root, WELCOME_PAGE, sentence)
    while not shows(page, sentence):
        assert time.monotonic() - saved < WAIT_S, "the open player never showed the edit"
        time.sleep(0.01)
    assert served.versions() == [*before, before[-1] + 1]
    assert served.versions("data-privacy") == [1], "a course the edit did not touch got a new version"
    expect(page.locator("header .who")).to_have_text("learning as Ann")
    expect(page.locator("header .home")).to_contain_text(f"v{before[-1] + 1}")
    version_page.wait_for_url(lambda url: url != old_version_url, timeout=WAIT_S * 1000)
    expect(version_page.locator("h1 .version")).to_have_text(f"version {before[-1] + 1}")
    version_page.close()
    wait_for(lambda: served.stderr_has(f"{SAFETY} rebuilt in ") and any(
        f"en v{before[-1] + 1} (scorm12" in line for line in served.errors), "the rebuild's line on stderr")
    page.close()


def test_an_edit_reaches_an_open_translations_player_once_the_translation_is_stored(served: Served,
                                                                                    context: BrowserContext) -> None:
    """The source language is rebuilt and shown first; a German player, told at the same time, goes to the German
    version of the same rebuild (the untranslated sentence in the source language), not to its previous one."""
    page = play_newest(context, "Di", locale="de")
    before = served.versions(locale="de")
    sentence = "Keep fire doors closed unless you are passing through."
    saved = append_sentence(served.root, WELCOME_PAGE, sentence)
    while not shows(page, sentence):
        assert time.monotonic() - saved < WAIT_S, "the open German player never showed the edit"
        time.sleep(0.01)
    assert served.versions(locale="de") == [*before, before[-1] + 1]
    expect(page.locator("header .home")).to_contain_text(f"v{before[-1] + 1}")
    page.close()


def test_a_broken_course_yaml_shows_why_on_the_open_pages_and_the_last_good_version_still_plays(
        served: Served, context: BrowserContext) -> None:
    player = play_newest(context, "Bo")
    catalog = context.new_page()
    catalog.goto("/")
    versions = served.versions()
    good = break_manifest(served.root)
    where = f"{SAFETY_MANIFEST.as_posix()}:3:12: error: malformed YAML"
    for page in (player, catalog):
        overlay = page.locator(OVERLAY)
        expect(overlay).to_be_visible(timeout=WAIT_S * 1000)
        expect(overlay).to_contain_text(where)
        expect(overlay).to_contain_text("this is still the last good build")
    wait_for(lambda: served.stderr_has(where), "the diagnostic on stderr in file:line form")
    assert served.stderr_has(f"{SAFETY}: the rebuild failed; still serving its last good build")
    assert served.versions() == versions

    again = play_newest(context, "Cy")  # the last good version is launchable while the build is broken
    expect(again.locator(OVERLAY)).to_contain_text(where)

    (served.root / SAFETY_MANIFEST).write_text(good, encoding="utf-8")
    for page in (player, catalog, again):
        expect(page.locator(OVERLAY)).to_be_hidden(timeout=WAIT_S * 1000)
    expect(course_frame(player).get_by_role("heading", level=1).first).to_be_visible()
    wait_for(lambda: served.stderr_has(f"{SAFETY}: builds again"), "the recovery on stderr")
    assert served.versions() == versions, "the fixed course.yaml is the last good one: nothing new to store"
    for page in (player, catalog, again):
        page.close()


@pytest.mark.parametrize(("arguments", "expected"), [
    (["--watch"], "--watch rebuilds a project's courses: no courseforge.yaml in"),
    (["--watch", "--add-user", "ann"], "--watch serves the LMS; --add-user and --add-token only manage users"),
])
def test_watch_outside_a_project_or_with_user_management_is_a_usage_error(tmp_path: Path, arguments: list[str],
                                                                          expected: str) -> None:
    run = subprocess.run([*COMMAND, "--db", str(tmp_path / "r.sqlite"), "--store", str(tmp_path / "p"), *arguments],
                         cwd=tmp_path, capture_output=True, text=True, timeout=WAIT_S)
    assert run.returncode == 2 and expected in run.stderr, run.stderr
    assert not (tmp_path / "r.sqlite").exists()


def test_ctrl_c_stops_the_server_and_the_watcher_with_live_streams_open(served: Served,
                                                                       context: BrowserContext) -> None:
    page = play_newest(context, "Di")
    expect(page.locator("header .who")).to_have_text("learning as Di")
    asked = time.monotonic()
    served.process.send_signal(signal.SIGINT)
    code = served.process.wait(timeout=WAIT_S)
    stopped_after = time.monotonic() - asked
    assert code == 130, served.errors
    assert stopped_after < 1.5, f"stopping took {stopped_after:.2f} s: the open live streams held uvicorn"
    wait_for(lambda: served.stderr_has("aborted"), "the interrupted command's last line")
    assert not served.stderr_has("Traceback"), "\n".join(served.errors)
    page.close()
