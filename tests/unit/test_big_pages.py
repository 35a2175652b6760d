"""A player page over the 8 MiB an XML manifest may be (a 1,000-page course's index.html is about 13 MiB) is
judged by the page limit in every format: the build verifies, and only a page past ``max_page_bytes`` goes
unchecked, with a warning, never an error."""

from __future__ import annotations

import io
import random
import re
import zipfile
from dataclasses import replace

import pytest

from courseforge.diagnostics import DiagnosticSink, Severity
from courseforge.model.package import Package, PackageFormat
from courseforge.model.zip_limits import DEFAULT_LIMITS, MIB
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.verify import Limits, verify_package
from courseforge.stages.verify.pages import check_references, page
from tests.factory import base_manifest, write_course
from tests.factory import page as page_source

PAGE_BYTES = 9 * MIB
"""Over ``max_manifest_bytes`` (8 MiB) and libxml2's 10 MB text node once rendered with its markup."""
DIAGRAM = b"\x89PNG\r\n\x1a\n" + random.Random(2).randbytes(2_000)
PAGES_CHECKED = {PackageFormat.WEB, PackageFormat.XAPI}
"""The formats whose verifier reads the package's pages (no manifest lists their files)."""


def prose(size: int) -> str:
    """Seeded lines of made-up words: compresses like text (about 2.4:1), unlike a repeated sentence."""
    rng = random.Random(7)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
             for _ in range(3_000)]
    lines, written = [], 0
    while written < size:
        line = " ".join(rng.choices(words, k=12))
        lines.append(line)
        written += len(line) + 1
    return "\n".join(lines)


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[PackageFormat, Package]:
    """Every format of a course whose one page is a 9 MiB listing followed by an image."""
    root = tmp_path_factory.mktemp("big")
    body = f"Below is the whole log.\n\n```\n{prose(PAGE_BYTES)}\n```\n\n![The wiring diagram](../assets/d.png)\n"
    course = write_course(root, base_manifest("big-page", ["pages/log.md"]),
                          {"pages/log.md": page_source("log", "The log", body)})
    (course / "assets").mkdir()
    (course / "assets" / "d.png").write_bytes(DIAGRAM)
    sink = DiagnosticSink()
    built = build_course(course, "courses/big-page",
                         BuildOptions(source_date_epoch=0, base_iri="https://courses.example.com/"), sink)
    assert built is not None, [d.format() for d in sink]
    assert list(sink) == [], [d.format() for d in sink]
    return {item.package.format: item.package for item in built.packages}


def test_every_format_builds_and_verifies_a_player_page_over_the_manifest_limit(
        packages: dict[PackageFormat, Package]) -> None:
    assert set(packages) == set(PackageFormat)
    for package_format, package in packages.items():
        report = verify_package(package.filename, package.data)
        assert report.diagnostics == (), (package_format, [d.format() for d in report.diagnostics])
        assert report.format is package_format
        with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
            assert archive.getinfo("index.html").file_size > DEFAULT_LIMITS.max_manifest_bytes


def test_a_page_past_the_page_limit_is_left_unchecked_with_a_warning_and_the_package_still_claimed(
        packages: dict[PackageFormat, Package]) -> None:
    limits = replace(DEFAULT_LIMITS, max_page_bytes=MIB)
    for package_format, package in packages.items():
        report = verify_package(package.filename, package.data, limits=limits)
        found = [(d.severity, d.code) for d in report.diagnostics]
        expected = [(Severity.WARNING, "html.too-large")] if package_format in PAGES_CHECKED else []
        assert found == expected, (package_format, [d.format() for d in report.diagnostics])
        assert report.format is package_format
    web = verify_package("web.zip", packages[PackageFormat.WEB].data, limits=limits)
    assert web.launch == "index.html"
    assert re.fullmatch(r"index\.html is 9(\.\d)? MiB; references are checked in pages up to 1 MiB, so this "
                        r"page's are not", web.diagnostics[0].message)


def test_the_page_limit_is_its_own_and_far_above_the_manifest_limit() -> None:
    assert isinstance(DEFAULT_LIMITS, Limits)
    assert DEFAULT_LIMITS.max_page_bytes >= 64 * MIB > DEFAULT_LIMITS.max_manifest_bytes


def test_references_after_a_text_node_past_libxml2s_cap_are_still_checked() -> None:
    text = prose(11_000_000).encode()
    huge = b"<html><body><pre>" + text + b"</pre><img src='content/gone.png' alt=''></body></html>"
    sink = DiagnosticSink()
    check_references(page("p.zip!index.html", huge), "index.html", {"index.html": "index.html"}, sink)
    assert [d.code for d in sink] == ["html.file-missing"]
