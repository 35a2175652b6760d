"""The web format: a static site zip (index.html at the root, no LMS manifest) and its verifier, which
checks that every local src/href of every page is an entry. Real zips built in memory, no mocks."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from courseforge.commands.check import check
from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import Package, PackageFormat
from courseforge.model.report import VerificationReport
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.package import default_packagers, packager_for
from courseforge.stages.package.zipwriter import write_zip
from courseforge.stages.render import RUNTIME_BUNDLE
from courseforge.stages.verify import default_verifiers, verify_package
from tests.unit import packages as pkg

REPO = Path(__file__).resolve().parents[2]
NAME = "build/safety/en/web.zip"

PAGE = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title> Fire safety </title>
<link rel="stylesheet" href="theme/player.css"><link rel="icon" href="data:,"></head>
<body><a href="#main">Skip</a><img src="content/assets/exit%20sign.svg" alt="Exit"
 srcset="content/assets/exit%20sign.svg 1x, content/assets/big.png 2x">
<a href="https://example.org/policy">Policy</a> <a href="mailto:safety@example.org">Mail</a>
<a href="content/more.html?x=1#top">More</a>
<script src="runtime/courseforge.js"></script></body></html>
"""
MORE = b"""<!doctype html><html><head><title>More</title></head><body>
<link rel="stylesheet" href="../theme/player.css"><a href="../index.html#top">Back</a></body></html>"""
SITE = {"index.html": PAGE, "theme/player.css": b"body{}", "runtime/courseforge.js": b"1;",
        "content/assets/exit sign.svg": b"<svg/>", "content/assets/big.png": b"\x89PNG", "content/more.html": MORE}


def verify(files: dict[str, bytes]) -> VerificationReport:
    return verify_package(NAME, write_zip(files))


def codes(report: VerificationReport) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in report.diagnostics]


@pytest.fixture(scope="module")
def built() -> Package:
    sink = DiagnosticSink()
    result = build_course(REPO / "courses" / "workplace-safety", "courses/workplace-safety",
                          BuildOptions(formats=(PackageFormat.WEB,), source_date_epoch=0), sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    [item] = result.packages
    assert item.report.format is PackageFormat.WEB and item.report.diagnostics == ()
    return item.package


def test_web_is_a_registered_format_and_its_verifier_is_the_last() -> None:
    assert PackageFormat.WEB in default_packagers()
    assert [v.format for v in default_verifiers()][-1] is PackageFormat.WEB


def test_the_site_zip_has_index_html_at_its_root_and_nothing_of_an_lms(built: Package) -> None:
    with zipfile.ZipFile(io.BytesIO(built.data)) as archive:
        names = archive.namelist()
        html = archive.read("index.html").decode()
    assert built.filename == "web.zip" and built.manifest == b""
    assert "index.html" in names and RUNTIME_BUNDLE in names and "theme/player.css" in names
    assert not [n for n in names if n.endswith((".xml", ".xsd", ".dtd"))]  # no manifest, no schemas
    assert all(name.startswith(("index.html", "runtime/", "theme/", "content/")) for name in names), names
    assert f'<script src="{RUNTIME_BUNDLE}"></script>' in html


def test_the_bundle_carries_the_web_adapter_and_no_lms_adapter(built: Package) -> None:
    with zipfile.ZipFile(io.BytesIO(built.data)) as archive:
        runtime = archive.read(RUNTIME_BUNDLE).decode()
    assert 'name:"web"' in runtime and "localStorage" in runtime
    assert "LMSInitialize" not in runtime and "API_1484_11" not in runtime and "cf.xapi" not in runtime


def test_same_sources_same_bytes() -> None:
    def build() -> bytes:
        sink = DiagnosticSink()
        result = build_course(REPO / "courses" / "data-privacy", "courses/data-privacy",
                              BuildOptions(formats=(PackageFormat.WEB,), source_date_epoch=1_700_000_000), sink)
        assert result is not None
        return result.packages[0].package.data
    assert build() == build()


def test_check_accepts_a_site_and_names_its_launch_and_title() -> None:
    report = verify(SITE)
    assert report.format is PackageFormat.WEB
    assert (report.launch, report.title) == ("index.html", "Fire safety")
    assert report.diagnostics == ()  # fragments, queries, data:, https: and mailto: URLs need no entry


@pytest.mark.parametrize(("page_text", "code", "needle"), [
    (b'<img src="content/assets/missing.png">', "html.file-missing", "content/assets/missing.png"),
    (b'<script src="runtime/Courseforge.js"></script>', "html.file-missing", "runtime/Courseforge.js"),
    (b'<link rel="stylesheet" href="file:///C:/course/theme.css">', "path.absolute", "file:///C:/course/theme.css"),
    (b'<img src="C:\\course\\logo.png">', "path.absolute", "C:\\course\\logo.png"),
    (b'<a href="/intranet/next.html">next</a>', "path.absolute", "/intranet/next.html"),
    (b'<video poster="../poster.jpg"></video>', "path.parent", "../poster.jpg"),
    (b'<img srcset="content/assets/big.png 1x, content/assets/huge.png 2x">', "html.file-missing", "huge.png"),
])
def test_a_page_that_loads_what_is_not_in_the_zip_is_refused_with_the_rule_named(page_text: bytes, code: str,
                                                                                  needle: str) -> None:
    page = b"<!doctype html><title>t</title><body>\n" + page_text + b"\n</body>"
    report = verify({**SITE, "content/more.html": b"<p>ok</p>", "index.html": page})
    assert report.format is PackageFormat.WEB and report.failed()
    [diagnostic] = report.diagnostics
    assert diagnostic.code == code and needle in diagnostic.message, diagnostic.format()
    assert diagnostic.location.path == f"{NAME}!index.html" and diagnostic.location.line == 2
    assert diagnostic.hint


def test_a_wrong_case_is_pointed_at_the_file_that_is_there() -> None:
    page = b'<!doctype html><script src="runtime/Courseforge.js"></script>'
    report = verify({**SITE, "content/more.html": b"", "index.html": page})
    assert "runtime/courseforge.js" in report.diagnostics[0].hint


def test_pages_in_folders_resolve_from_their_folder() -> None:
    more = b'<!doctype html><img src="assets/exit%20sign.svg"><img src="../theme/player.css"><a href="gone.html">x</a>'
    report = verify({**SITE, "content/more.html": more})
    assert [(d.code, d.location.path) for d in report.diagnostics] == [
        ("html.file-missing", f"{NAME}!content/more.html")]
    assert "content/gone.html" in report.diagnostics[0].message


def test_an_empty_or_garbled_index_is_still_a_site_with_nothing_to_load() -> None:
    for page in (b"", b"\x00\xff<<<", b"   "):
        report = verify({"index.html": page, "theme/a.css": b""})
        assert report.format is PackageFormat.WEB and report.diagnostics == (), codes(report)


def test_a_zip_with_an_lms_manifest_is_never_judged_as_a_site() -> None:
    """A SCORM package has an index.html too; even with its manifest broken it is judged as SCORM."""
    scorm = pkg.package_files()
    report = verify_package("vendor.zip", write_zip({**scorm, "index.html": PAGE}))
    assert report.format is PackageFormat.SCORM12
    broken = verify_package("vendor.zip", write_zip({**scorm, "imsmanifest.xml": b"<manifest", "index.html": PAGE}))
    assert broken.format is None and [d.code for d in broken.diagnostics] == ["manifest.malformed"]


def test_a_scorm_package_that_lost_its_manifest_is_a_site_with_a_warning_saying_so() -> None:
    report = verify_package("vendor.zip", pkg.without("imsmanifest.xml"))
    assert report.format is PackageFormat.WEB and not report.failed()
    [diagnostic] = report.diagnostics
    assert diagnostic.code == "web.schemas-without-manifest" and "adlcp_rootv1p2.xsd" in diagnostic.message
    assert "imsmanifest.xml" in diagnostic.hint


def test_a_site_zipped_with_its_folder_is_told_to_zip_the_contents() -> None:
    report = verify({f"course/{name}": data for name, data in SITE.items()})
    assert report.format is None
    [diagnostic] = report.diagnostics
    assert diagnostic.code == "manifest.missing" and "index.html" in diagnostic.message
    assert "course/index.html" in diagnostic.hint


def test_the_check_command_accepts_the_built_site(built: Package, tmp_path: Path) -> None:
    path = tmp_path / "web.zip"
    path.write_bytes(built.data)
    result = CliRunner().invoke(check, [str(path)])
    assert result.exit_code == 0, result.output
    assert "OK (web," in result.output and "launch index.html" in result.output


def test_the_packager_is_the_web_one() -> None:
    packager = packager_for(PackageFormat.WEB)
    assert packager.profile.format is PackageFormat.WEB and packager.profile.manifest == ""
    assert packager.profile.runtime_adapter == ("runtime/web.js",)
