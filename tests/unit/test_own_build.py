"""What verify finds too large in a package courseforge just built is reported at the source it came from:
the asset, the longest page for the player page, course.yaml for the package as a whole or its manifest."""

from __future__ import annotations

from courseforge.diagnostics import Diagnostic, Location, Severity
from courseforge.model.course import Page
from courseforge.stages.verify.own_build import for_sources
from tests.factory import minimal_course


def finding(code: str, entry: str = "") -> Diagnostic:
    path = "courses/minimal/en/scorm12.zip" + (f"!{entry}" if entry else "")
    return Diagnostic(Severity.ERROR, code, "too much", Location(path))


def test_size_findings_move_to_their_source_and_others_stay() -> None:
    course = minimal_course()
    longest = max((s for s in course.screens if isinstance(s, Page)), key=lambda page: len(page.body))
    found = for_sources(course, [finding("zip.bomb", "content/assets/map.png"), finding("zip.bomb", "index.html"),
                                 finding("zip.too-large"), finding("manifest.too-large", "imsmanifest.xml"),
                                 finding("html.file-missing", "index.html")])
    assert [(d.code, d.location) for d in found] == [
        ("build.package-limit", Location(f"{course.course_dir}/assets/map.png")),
        ("build.package-limit", longest.origin),
        ("build.package-limit", course.manifest.origin),
        ("build.package-limit", course.manifest.origin),
        ("html.file-missing", Location("courses/minimal/en/scorm12.zip!index.html")),
    ]
    assert "split the course" in found[2].hint and "split this page" in found[1].hint
