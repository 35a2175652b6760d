"""Every screen of every sample package, in every language, reflows at 320 px (WCAG 1.4.10).

The preview robot checks the screens a scenario reaches; this looks at all of them at once, without an
LMS: long words (German compounds in a heading) must wrap instead of making the page scroll sideways.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.pipeline import ALL_LOCALES, BuildOptions, build_course

pytestmark = pytest.mark.browser

REPO = Path(__file__).parents[2]
NARROW = {"width": 320, "height": 800}
WIDEST = """() => {
  for (const screen of document.querySelectorAll('[data-screen]')) screen.hidden = false;
  const wide = [...document.querySelectorAll('.cf-main *')]
    .filter((el) => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX === 'visible')
    .map((el) => el.tagName.toLowerCase() + ': ' + (el.textContent || '').trim().slice(0, 60));
  return {width: document.documentElement.scrollWidth, wide: wide.slice(0, 5)};
}"""


@pytest.mark.parametrize("course_id", ["workplace-safety", "data-privacy"])
def test_every_screen_of_every_locale_fits_320_px(chromium: Browser, tmp_path: Path, course_id: str) -> None:
    sink = DiagnosticSink()
    options = BuildOptions(locales=(ALL_LOCALES,), locales_dir=REPO / "locales", formats=(PackageFormat.WEB,))
    built = build_course(REPO / "courses" / course_id, f"courses/{course_id}", options, sink)
    assert built is not None, [d.format() for d in sink]
    context = chromium.new_context(viewport=NARROW)
    try:
        for each in built.packages:
            folder = tmp_path / each.package.locale
            zipfile.ZipFile(io.BytesIO(each.package.data)).extractall(folder)
            page = context.new_page()
            page.goto((folder / "index.html").as_uri())
            found = page.evaluate(WIDEST)
            page.close()
            assert found["width"] <= NARROW["width"], f"{course_id} {each.package.locale}: {found}"
    finally:
        context.close()
