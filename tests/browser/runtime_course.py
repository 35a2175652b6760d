"""The runtime course (tests/roots/runtime-course) as the xAPI and cmi5 runtime tests drive it: the package
built by the real pipeline and unzipped, a page opened with its errors collected, and a learner's steps
(``heading``, ``go_next`` and ``group`` also in the frame a SCORM LMS page holds the course in). Imported by
the browser tests as ``runtime_course``."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Frame, Page, expect

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.pipeline import BuildOptions, build_course

COURSE_DIR = Path(__file__).parents[1] / "roots" / "runtime-course"
BASE_IRI = "https://courses.example.com/"


def unzipped_package(package_format: PackageFormat, folder: Path) -> Path:
    """The course built as ``package_format`` (activity ids under :data:`BASE_IRI`), its zip unzipped into
    ``folder``/site."""
    sink = DiagnosticSink()
    options = BuildOptions(formats=(package_format,), base_iri=BASE_IRI)
    result = build_course(COURSE_DIR, "tests/roots/runtime-course", options, sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    zip_path = folder / f"{package_format.value}.zip"
    zip_path.write_bytes(result.packages[0].package.data)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder / "site")
    return folder / "site"


def collect_errors(page: Page) -> list[str]:
    """The page's uncaught errors and console errors, as they come. Chrome logs every HTTP error answer as
    "Failed to load resource" (the State API's 404 on a first launch, refused connections while the LRS is
    down): the browser's, not the course's. A statement the LRS refused is the runtime's own console error."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    return errors


def open_course(context: BrowserContext, url: str) -> tuple[Page, list[str]]:
    """A new page at ``url``, once the player runs, with the errors it logs from then on."""
    page = context.new_page()
    errors = collect_errors(page)
    page.goto(url)
    expect(page.get_by_role("heading", level=1).or_(page.get_by_role("dialog"))).to_be_visible()
    # The first screen is in the page before the tracker has connected; the player exists once it has.
    page.wait_for_function("() => Boolean(window.courseforge && window.courseforge.player)")
    return page, errors


def heading(view: Page | Frame) -> str:
    """The screen's title (the player's one ``<h1>``), in the course page or the LMS frame holding it."""
    return view.get_by_role("heading", level=1).inner_text()


def go_next(view: Page | Frame) -> None:
    view.get_by_role("button", name="Next").click()


def group(view: Page | Frame, name: str) -> Any:
    return view.get_by_role("group", name=name)


def answer_all_right(page: Page) -> None:
    """Every quiz answer right (the capital with spaces around and in lower case: still right), submitted."""
    group(page, "Which colour means stop on a traffic light?").get_by_label("Red").check()
    for label in ("2", "3"):
        group(page, "Which of these numbers are prime?").get_by_label(label, exact=True).check()
    group(page, "The Earth orbits the Sun.").get_by_label("True", exact=True).check()
    page.get_by_role("textbox", name="What is the capital of France?").fill("  paris ")
    page.get_by_role("textbox", name="How many legs does a spider have?").fill("8")
    for label, option in {"Dog": "Woof", "Cat": "Meow", "Cow": "Moo", "Boil the water": "1",
                          "Put a tea bag in the cup": "2", "Pour the water": "3"}.items():
        page.get_by_label(label, exact=True).select_option(label=option)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("status").filter(has_text="Your score")).to_have_text("Your score: 100%. You passed.")


def do_the_course(page: Page) -> None:
    """From the first screen: every screen, the checklist ticked, the quiz passed, the survey sent."""
    go_next(page)
    go_next(page)
    assert heading(page) == "Safety check"
    page.get_by_label("I know where the fire exits are.").check()
    page.get_by_label("I have read the safety policy.").check()
    go_next(page)
    answer_all_right(page)
    go_next(page)
    group(page, "The course was useful.").get_by_label("Agree", exact=True).check()
    page.get_by_label("Any other comments?").fill("Clear and short.")
    page.get_by_role("button", name="Submit survey").click()
    expect(page.get_by_role("status").filter(has_text="Thank you")).to_be_visible()


def verbs(statements: list[dict[str, Any]]) -> list[str]:
    return [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]
