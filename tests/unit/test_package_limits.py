"""A course whose assets alone would make every package fail verify and an LMS's upload is told so by
validate (and so by lint), at the reference that passes the limit, before anything is built."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.model.zip_limits import DEFAULT_LIMITS
from courseforge.pipeline import validate_source
from courseforge.stages.validate.package_limits import PLAYER_FILES, check_package_limits
from courseforge.stages.validate.references import collect_assets
from tests.factory import base_manifest, page, write_course

FALLBACK = Location("courses/c/course.yaml", 3, 1)


def uses(count: int) -> tuple[dict[str, bytes], dict[str, Location]]:
    assets = {f"assets/{index:03}.png": b"x" * 10 for index in range(count)}
    return assets, {path: Location("courses/c/pages/p.md", 10 + index, 1) for index, path in enumerate(assets)}


def test_the_asset_past_the_file_limit_is_named_at_its_reference() -> None:
    limits = replace(DEFAULT_LIMITS, max_entries=PLAYER_FILES + 3)
    assets, first_use = uses(5)
    sink = DiagnosticSink()
    check_package_limits(assets, first_use, FALLBACK, sink, limits)
    [found] = list(sink)
    assert (found.code, found.location) == ("package.too-many-files", Location("courses/c/pages/p.md", 13, 1))
    assert "'assets/003.png' is file 4 of the course's packages" in found.message


def test_the_asset_that_takes_the_course_past_the_size_limit_is_named_once() -> None:
    limits = replace(DEFAULT_LIMITS, max_total_bytes=25)
    assets, first_use = uses(5)
    sink = DiagnosticSink()
    check_package_limits(assets, first_use, FALLBACK, sink, limits)
    [found] = list(sink)
    assert (found.code, found.location) == ("package.too-large", Location("courses/c/pages/p.md", 12, 1))


def test_within_the_limits_nothing_is_said_and_a_branding_image_counts_at_the_fallback() -> None:
    assets, first_use = uses(3)
    sink = DiagnosticSink()
    check_package_limits(assets, first_use, FALLBACK, sink)
    assert list(sink) == []
    sink = DiagnosticSink()
    check_package_limits({**assets, "brand/logo.png": b"x" * 10}, first_use, FALLBACK, sink,
                         replace(DEFAULT_LIMITS, max_entries=PLAYER_FILES + 3))
    assert [(d.code, d.location) for d in sink] == [("package.too-many-files", FALLBACK)]


def test_each_asset_is_first_used_where_the_course_order_first_names_it(tmp_path: Path) -> None:
    body = "Intro.\n\n![A](../assets/a.png)\n\n![B](../assets/b.png)\n"
    course = write_course(tmp_path, base_manifest("c", ["pages/one.md", "pages/two.md"]),
                          {"pages/one.md": page("one", "One", body),
                           "pages/two.md": page("two", "Two", "![B again](../assets/b.png)\n")})
    for name in ("a.png", "b.png"):
        (course / "assets").mkdir(exist_ok=True)
        (course / "assets" / name).write_bytes(b"\x89PNG")
    sink = DiagnosticSink()
    source, validated = validate_source(course, "courses/c", sink)
    assert validated is not None and not sink.failed()
    used = collect_assets({path: s for s in validated.screens for path, sid in validated.screen_paths.items()
                           if sid == s.id}, validated.screen_paths, source, DiagnosticSink())
    assert list(used.files) == ["assets/a.png", "assets/b.png"]
    assert used.first_use == {"assets/a.png": Location("courses/c/pages/one.md", 7, 1),
                              "assets/b.png": Location("courses/c/pages/one.md", 9, 1)}
