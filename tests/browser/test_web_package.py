"""The web package in a real browser, opened from a static server on 127.0.0.1 (no LMS anywhere): it runs
standalone, keeps the learner's place and answers in localStorage, resumes after a reload, and survives a
browser that has no storage or a full one. The package is built from tests/roots/runtime-course by the
real pipeline."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Frame, Page, expect
from runtime_course import go_next, heading

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.pipeline import BuildOptions, build_course
from tests.static_server import serve_folder

pytestmark = pytest.mark.browser

COURSE_DIR = Path(__file__).parents[1] / "roots" / "runtime-course"
STORAGE_KEY = "courseforge:runtime-course:1.0.0:en"
NOT_SAVED = "will not be saved"
REVIEW_ONLY = "for review only"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built web.zip unzipped into a folder a static server serves; yields the site's base URL."""
    sink = DiagnosticSink()
    result = build_course(COURSE_DIR, "tests/roots/runtime-course", BuildOptions(formats=(PackageFormat.WEB,)), sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    root = tmp_path_factory.mktemp("web-site")
    (root / "web.zip").write_bytes(result.packages[0].package.data)
    with zipfile.ZipFile(root / "web.zip") as archive:
        archive.extractall(root / "course")
    head = '<!doctype html><link rel="icon" href="data:,">'
    (root / "blank.html").write_text(f"{head}<title>blank</title>", encoding="utf-8")
    (root / "framed.html").write_text(  # no allow-same-origin: the course's origin is opaque, storage throws
        f'{head}<title>host</title><iframe sandbox="allow-scripts" src="course/index.html" '
        'style="inline-size: 100%; block-size: 90vh"></iframe>', encoding="utf-8")
    with serve_folder(root) as base:
        yield base


@dataclass
class Browsing:
    """One learner's browser profile (its own localStorage), and what its pages reported."""

    context: BrowserContext
    base: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)
        elif message.type == "warning":
            self.warnings.append(message.text)

    def open(self, path: str = "course/index.html") -> Page:
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self.on_console)
        page.goto(self.base + path)
        return page


@pytest.fixture
def browsing(chromium: Browser, site: str) -> Iterator[Browsing]:
    context = chromium.new_context()
    yield Browsing(context, site)
    context.close()


def submit_wrong_answers(frame: Frame) -> None:
    """Answers two questions wrongly and submits anyway (the rest count as wrong)."""
    frame.get_by_role("group", name="Which colour means stop on a traffic light?").get_by_label("Green").check()
    frame.get_by_role("textbox", name="How many legs does a spider have?").fill("6")
    frame.get_by_role("button", name="Submit answers").click()
    frame.get_by_role("button", name="Submit anyway").click()


def saved(page: Page) -> dict[str, object]:
    return dict(json.loads(page.evaluate(f"() => localStorage.getItem({json.dumps(STORAGE_KEY)})")))


def test_the_site_runs_without_an_lms_and_a_reload_resumes_at_the_bookmark_with_the_answers_kept(
        browsing: Browsing) -> None:
    page = browsing.open()
    frame = page.main_frame
    assert heading(frame) == "Introduction"
    expect(frame.get_by_role("status").filter(has_text=NOT_SAVED)).to_be_hidden()  # progress is kept
    expect(frame.get_by_role("status").filter(has_text=REVIEW_ONLY)).to_be_hidden()
    expect(frame.get_by_role("button", name="Exit")).to_be_hidden()  # nowhere to return to
    go_next(frame)
    go_next(frame)
    assert heading(frame) == "Safety check"
    frame.get_by_label("I know where the fire exits are.").check()
    go_next(frame)
    assert heading(frame) == "Final quiz"
    submit_wrong_answers(frame)
    expect(frame.get_by_text("Attempts used: 1 of 2.")).to_be_visible()
    record = saved(page)
    assert (record["bookmark"], record["interactions"]) == ("final-quiz", 2)  # the two answered questions
    assert str(record["state"]).startswith("1~")

    page.reload()
    dialog = frame.get_by_role("dialog", name="Resume where you left off?")
    expect(dialog).to_contain_text("Final quiz")
    dialog.get_by_role("button", name="Resume").click()
    assert heading(frame) == "Final quiz"
    expect(frame.get_by_text("Attempts used: 1 of 2.")).to_be_visible()
    frame.get_by_role("navigation", name="Course contents").get_by_role("link", name="Safety check").click()
    expect(frame.get_by_label("I know where the fire exits are.")).to_be_checked()
    expect(frame.get_by_label("I have read the safety policy.")).not_to_be_checked()
    assert saved(page)["bookmark"] == "safety-check"
    page.close(run_before_unload=True)
    assert browsing.errors == [] and browsing.warnings == []


def test_another_version_or_language_of_the_course_starts_afresh(browsing: Browsing) -> None:
    page = browsing.open()
    go_next(page.main_frame)
    page.evaluate(f"""() => {{
        const other = localStorage.getItem({json.dumps(STORAGE_KEY)});
        localStorage.clear();
        localStorage.setItem("courseforge:runtime-course:0.9.0:en", other);
        localStorage.setItem("courseforge:runtime-course:1.0.0:de", other);
    }}""")
    page.reload()
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert heading(page.main_frame) == "Introduction"
    assert saved(page)["bookmark"] == "intro"
    assert browsing.errors == []


def test_without_storage_the_course_runs_standalone_and_says_progress_is_not_kept(browsing: Browsing) -> None:
    page = browsing.open("framed.html")
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("status").filter(has_text=NOT_SAVED)).to_be_visible()
    frame.get_by_role("button", name="Next").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("Details")
    assert any("courseforge web: localStorage is not available" in w for w in browsing.warnings), browsing.warnings
    # Chromium's own notice: a sandboxed frame may not autofocus (the resume dialog's button would).
    assert [e for e in browsing.errors if not e.startswith("Blocked autofocusing")] == []


FILL_STORAGE = """() => {
  localStorage.setItem("spare", "x".repeat(40));
  let i = 0, size = 1 << 20;
  while (size >= 1) {
    try { localStorage.setItem("filler" + i, "x".repeat(size)); i++; } catch (error) { size = Math.floor(size / 2); }
  }
  localStorage.removeItem("spare");  // room for the adapter's probe, none for the course's record
}"""


def test_a_full_storage_is_warned_about_once_and_the_course_goes_on(browsing: Browsing) -> None:
    page = browsing.open("blank.html")
    page.evaluate(FILL_STORAGE)
    page.goto(browsing.base + "course/index.html")  # the same page: it sees the storage exactly as filled
    frame = page.main_frame
    for title in ("Introduction", "Details", "Safety check"):
        assert heading(frame) == title
        go_next(frame)
    assert heading(frame) == "Final quiz"
    expect(frame.get_by_role("status").filter(has_text=NOT_SAVED)).to_be_hidden()
    failures = [w for w in browsing.warnings if "courseforge web: progress could not be saved" in w]
    assert len(failures) == 1, browsing.warnings
    assert page.evaluate(f"() => localStorage.getItem({json.dumps(STORAGE_KEY)})") is None
    assert browsing.errors == []
