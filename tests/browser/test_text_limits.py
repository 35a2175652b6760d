"""Text answers are held to the package's standard in a real browser: the page is the same for every format, and
the format's runtime caps each text input's maxlength at its standard's limit as it loads (standalone too: the
adapter ships whether or not an LMS answers), keeping a survey item's own shorter limit; the learner cannot type
past it, and a value set by script is cut to it before it is recorded. Each package is built from
tests/roots/runtime-course by the real pipeline and opened from a static server, with no LMS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext
from runtime_course import go_next, heading, open_course, unzipped_package

from courseforge.model.package import PackageFormat
from courseforge.standards import profile_for
from tests.static_server import serve_folder

pytestmark = pytest.mark.browser

TEXT_ANSWERS = ("What is the capital of France?", "How many legs does a spider have?")


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context()
    yield context
    context.close()


@pytest.mark.parametrize("package_format", list(PackageFormat), ids=lambda value: value.value)
def test_text_inputs_are_capped_at_the_formats_limit(package_format: PackageFormat, tmp_path: Path,
                                                     context: BrowserContext) -> None:
    limit = profile_for(package_format).text_response_limit
    site = unzipped_package(package_format, tmp_path)
    with serve_folder(site) as base:
        page, errors = open_course(context, base + "index.html")
        boxes = [page.get_by_role("textbox", name=name, include_hidden=True) for name in TEXT_ANSWERS]
        comments = page.get_by_label("Any other comments?")
        assert [box.evaluate("input => input.maxLength") for box in boxes] == [limit, limit]
        assert comments.evaluate("area => area.maxLength") == limit
        own = page.evaluate("""limit => {
          const item = document.createElement("div"), area = document.createElement("textarea");
          item.setAttribute("data-item", "own");
          area.maxLength = 20;
          item.appendChild(area);
          document.body.appendChild(item);
          courseforge.dom.limitText(document, limit);
          area.value = "x".repeat(30);
          return [area.maxLength, courseforge.dom.answerText(area).length];
        }""", limit)
        assert own == [20, 20]  # an item's own shorter limit stays, and holds for a value set by script
        assert errors == []


def test_the_learner_cannot_type_past_scorm_12s_limit(tmp_path: Path, context: BrowserContext) -> None:
    site = unzipped_package(PackageFormat.SCORM12, tmp_path)
    with serve_folder(site) as base:
        page, errors = open_course(context, base + "index.html")
        for _ in range(3):
            go_next(page)
        assert heading(page) == "Final quiz"
        box = page.get_by_role("textbox", name=TEXT_ANSWERS[0])
        box.press_sequentially("z" * 260)
        assert box.input_value() == "z" * 255
        box.evaluate("input => { input.value = 'x'.repeat(300); }")
        assert box.evaluate("input => courseforge.dom.answerText(input)") == "x" * 255
        assert errors == []
