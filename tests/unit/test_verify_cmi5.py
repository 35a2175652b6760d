"""``check`` on cmi5: real course structures (tests/fixtures/cmi5, provenance in its PROVENANCE.md) accepted in a
zip or bare as the spec allows, broken ones (real and hand-made) rejected with the rule named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from courseforge.commands.check import check
from courseforge.model.package import PackageFormat
from courseforge.model.report import VerificationReport
from courseforge.stages.package.zipwriter import write_zip
from courseforge.stages.verify import verify_package
from courseforge.stages.verify.cmi5 import verify_course_structure

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "cmi5"
NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
PAGE = b"<!doctype html><title>AU</title>"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def zipped(structure: bytes, *files: str) -> bytes:
    return write_zip({"cmi5.xml": structure, **{name: PAGE for name in files}})


def codes(report: VerificationReport) -> set[str]:
    return {d.code for d in report.diagnostics}


def structure(url: str = "index.html", au_id: str = "https://example.org/course/au", extra: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<courseStructure xmlns="{NS}">
  <course id="https://example.org/course"><title><langstring lang="en">C</langstring></title>
    <description><langstring lang="en">D</langstring></description></course>
  <au id="{au_id}"><title><langstring lang="en">T</langstring></title>
    <description><langstring lang="en">D</langstring></description><url>{url}</url></au>{extra}
</courseStructure>
""".encode()


ZIPPED_VENDORS = [
    ("catapult-lts-001-essentials.xml", ("index.html",), "index.html?paramA=1&paramB=2"),
    ("catapult-multiple_au.xml", tuple(f"index{n}.html" for n in range(1, 8)), "index1.html"),
    ("catapult-masteryscore_framed.xml", ("index.html",), "index.html"),
    ("veracity-lrs-launch-example.xml", ("index.html",), "./index.html"),
    ("articulate-rise-export.xml", ("scormdriver/indexAPI.html",), "scormdriver/indexAPI.html"),
]


@pytest.mark.parametrize(("name", "files", "launch"), ZIPPED_VENDORS)
def test_real_course_structures_are_accepted_in_a_zip(name: str, files: tuple[str, ...], launch: str) -> None:
    report = verify_package(f"{name}.zip", zipped(fixture(name), *files))
    assert report.ok and not report.diagnostics, [d.format() for d in report.diagnostics]
    assert report.format is PackageFormat.CMI5 and report.launch == launch


@pytest.mark.parametrize("name", ["aicc-simple-moveOn-CompletedAndPassed.xml", "aicc-extended-cmi5.xml"])
def test_real_course_structures_with_absolute_urls_are_accepted_bare(name: str) -> None:
    report = verify_course_structure(name, fixture(name))
    assert report.ok and not report.diagnostics, [d.format() for d in report.diagnostics]
    assert report.format is PackageFormat.CMI5
    assert report.launch == "http://course-repository.example.edu/identifiers/courses/02baafcf/aus/4c07/launch.html"


REJECTED = [
    ("catapult-lts-201-1-iris-course-id.xml", {"cmi5.id-not-iri"}),
    ("catapult-lts-203-1-relative-url-no-reference.xml", {"cmi5.url-file-missing"}),
    ("catapult-lts-204-query-string-conflict-endpoint.xml", {"cmi5.url-query-collision"}),
    ("catapult-lts-205-2-duplicated-objective.xml", {"cmi5.id-duplicate", "cmi5.objective-unknown"}),
    ("catapult-lts-205-3-duplicated-au.xml", {"cmi5.id-duplicate"}),
    ("catapult-lts-206-1-invalid-au-url.xml", {"cmi5.url-invalid"}),
    ("catapult-lts-207-1-invalid-courseStructure.xml", {"cmi5.xsd"}),
    ("draft-namespace-structure.xml", {"cmi5.xsd"}),
]


@pytest.mark.parametrize(("name", "expected"), REJECTED)
def test_broken_real_course_structures_are_rejected_in_a_zip_with_the_rule(name: str, expected: set[str]) -> None:
    report = verify_package(f"{name}.zip", zipped(fixture(name), "index.html"))
    assert not report.ok and codes(report) == expected, [d.format() for d in report.diagnostics]
    assert all(d.location.path == f"{name}.zip!cmi5.xml" and d.location.line > 0 and d.hint
               for d in report.diagnostics)


def test_a_bare_structure_with_a_relative_url_is_rejected() -> None:
    name = "catapult-lts-202-2-relative-url-no-zip.xml"
    report = verify_course_structure(name, fixture(name))
    assert codes(report) == {"cmi5.url-relative"}
    (diagnostic,) = report.diagnostics
    assert diagnostic.location.path == name and diagnostic.location.line == 34
    assert verify_package("ok.zip", zipped(fixture(name), "path/1/index.html")).ok  # the same file inside a zip


def test_the_relative_url_file_is_looked_up_by_path_without_query_or_fragment() -> None:
    assert verify_package("q.zip", zipped(structure("start%20here.html?lang=de#intro"), "start here.html")).ok
    report = verify_package("case.zip", zipped(structure("Index.html"), "index.html"))
    (diagnostic,) = report.diagnostics
    assert diagnostic.code == "cmi5.url-file-missing" and "'index.html'" in diagnostic.hint


@pytest.mark.parametrize("url", ["../index.html", "/index.html", "//cdn.example.org/index.html"])
def test_a_relative_url_outside_the_package_is_rejected(url: str) -> None:
    assert codes(verify_package("out.zip", zipped(structure(url), "index.html"))) == {"cmi5.url-outside"}


def test_an_absolute_au_url_in_a_zip_needs_no_file_and_may_carry_its_query() -> None:
    report = verify_package("abs.zip", zipped(structure("https://cdn.example.org/au/start.html?mode=a&amp;x=1")))
    assert report.ok and report.launch == "https://cdn.example.org/au/start.html?mode=a&x=1"


@pytest.mark.parametrize(("url", "code"), [("http://host:99999/x", "cmi5.url-invalid"),
                                           ("index.html?registration=1", "cmi5.url-query-collision"),
                                           ("index.html?activityId=1&amp;fetch=2", "cmi5.url-query-collision")])
def test_hand_made_broken_urls_are_rejected(url: str, code: str) -> None:
    assert codes(verify_package("bad.zip", zipped(structure(url), "index.html"))) == {code}


def test_every_problem_is_reported_at_once() -> None:
    extra = """<au id="https://example.org/course/au"><title><langstring>T</langstring></title>
    <description><langstring>D</langstring></description><url>missing.html</url></au>"""
    report = verify_package("many.zip", zipped(structure(au_id="not an iri", extra=extra), "index.html"))
    assert codes(report) == {"cmi5.id-not-iri", "cmi5.url-file-missing"}
    assert report.error_count == 2


def test_a_doctype_or_entities_are_refused_and_name_cmi5_xml() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa">]>' + structure().split(b"?>", 1)[1]
    report = verify_package("bomb.zip", zipped(bomb, "index.html"))
    assert codes(report) == {"manifest.entities"}
    assert report.diagnostics[0].message.startswith("cmi5.xml declares XML entities")
    malformed = verify_package("broken.zip", zipped(b"<courseStructure>", "index.html"))
    assert codes(malformed) == {"manifest.malformed"}
    assert malformed.diagnostics[0].message.startswith("cmi5.xml is not well-formed")


def test_a_bare_xml_file_must_be_a_course_structure() -> None:
    report = verify_course_structure("imsmanifest.xml", b"<manifest xmlns='http://x'/>")
    assert codes(report) == {"manifest.unknown-format"}
    bom = b"\xef\xbb\xbf" + fixture("aicc-extended-cmi5.xml")
    assert verify_course_structure("bom.xml", bom).ok


def test_check_judges_a_bare_cmi5_xml_and_a_zip(tmp_path: Path) -> None:
    bare = tmp_path / "cmi5.xml"
    bare.write_bytes(fixture("aicc-simple-moveOn-CompletedAndPassed.xml"))
    relative = tmp_path / "relative.xml"
    relative.write_bytes(fixture("catapult-lts-202-2-relative-url-no-zip.xml"))
    package = tmp_path / "essentials.zip"
    package.write_bytes(zipped(fixture("catapult-lts-001-essentials.xml"), "index.html"))
    result = CliRunner().invoke(check, ["--json", str(bare), str(relative), str(package)])
    assert result.exit_code == 1, result.output
    reports = {Path(p["package"]).name: p for p in json.loads(result.output)["packages"]}
    assert reports["cmi5.xml"]["format"] == "cmi5" and reports["cmi5.xml"]["errors"] == 0
    assert [d["code"] for d in reports["relative.xml"]["diagnostics"]] == ["cmi5.url-relative"]
    assert reports["essentials.zip"]["errors"] == 0 and reports["essentials.zip"]["format"] == "cmi5"
