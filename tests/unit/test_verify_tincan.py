"""``check`` on Tin Can packages: real tincan.xml files (tests/fixtures/tincan, provenance in its PROVENANCE.md)
accepted, a BOM included; broken hand-made packages rejected with the rule named."""

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

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tincan"
NS = "http://projecttincan.com/tincan.xsd"
PAGE = b"<!doctype html><title>Course</title>"
BOM = b"\xef\xbb\xbf"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def zipped(manifest: bytes, *files: str, extra: dict[str, bytes] | None = None) -> bytes:
    return write_zip({"tincan.xml": manifest, **{name: PAGE for name in files}, **(extra or {})})


def codes(report: VerificationReport) -> set[str]:
    return {d.code for d in report.diagnostics}


def tincan(activities: str, namespace: str = NS) -> bytes:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    body = f"<tincan{xmlns}><activities>{activities}</activities></tincan>"
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}'.encode()


def activity(activity_id: str = "https://example.org/course", launch: str | None = "index.html",
             kind: str = "http://adlnet.gov/expapi/activities/course", name: str = "Course") -> str:
    launch_element = f'<launch lang="en">{launch}</launch>' if launch is not None else ""
    return (f'<activity id="{activity_id}" type="{kind}"><name lang="en">{name}</name>'
            f'<description lang="en">About it.</description>{launch_element}</activity>')


VENDORS = [
    ("rustici-golf-example.xml", "index.html", "Tin Can Golf Example"),
    ("rustici-tetris.xml", "tetris.html", "Tin Can Tetris Example"),
    ("storyline-track-slide.xml", "index_lms.html", "Cornerstone_Disconnect_7"),
    ("adapt-xapi-demo.xml", "index.html", "Why do we need to license?"),
]


@pytest.mark.parametrize(("name", "launch", "title"), VENDORS)
def test_real_tincan_packages_are_accepted(name: str, launch: str, title: str) -> None:
    report = verify_package(f"{name}.zip", zipped(fixture(name), launch))
    assert report.ok and not report.diagnostics, [d.format() for d in report.diagnostics]
    assert (report.format, report.launch, report.title) == (PackageFormat.XAPI, launch, title)


def test_a_utf8_bom_is_fine() -> None:
    report = verify_package("golf.zip", zipped(BOM + fixture("rustici-golf-example.xml"), "index.html"))
    assert report.ok and not report.diagnostics, [d.format() for d in report.diagnostics]
    assert report.format is PackageFormat.XAPI


@pytest.mark.parametrize(("name", "launch", "code"), [
    ("watershed-external-launch.xml", "http://xapigo.com/golf/index.html", "tincan.launch-external"),
    ("module-parser-langstring-launch.xml", "index.html", "tincan.launch-langstring"),
])
def test_vendor_variants_are_accepted_with_a_warning(name: str, launch: str, code: str) -> None:
    report = verify_package(f"{name}.zip", zipped(fixture(name), "index.html"))
    assert report.ok and codes(report) == {code}, [d.format() for d in report.diagnostics]
    assert report.launch == launch


def test_a_tin_can_0_9_prototype_is_rejected_for_its_activity_id() -> None:
    report = verify_package("old.zip", zipped(fixture("rustici-golf-0.9.xml"), "index.html"))
    assert not report.ok
    assert codes(report) == {"tincan.activity-id", "tincan.activity-type"}
    error = next(d for d in report.diagnostics if d.code == "tincan.activity-id")
    assert "scorm.com/GolfExample_TCAPI" in error.message and "no scheme" in error.message
    assert error.location.path == "old.zip!tincan.xml" and error.location.line == 4


def test_our_own_package_shape_is_accepted() -> None:
    report = verify_package("ours.zip", zipped(tincan(activity()), "index.html"))
    assert report.ok and not report.diagnostics and report.launch == "index.html" and report.title == "Course"


BROKEN = {
    "wrong root": (b'<?xml version="1.0"?><manifest xmlns="http://projecttincan.com/tincan.xsd"/>',
                   {"tincan.root"}),
    "no namespace": (tincan(activity(), namespace=""), {"tincan.namespace"}),
    "another namespace": (tincan(activity(), namespace="http://example.org/tincan"), {"tincan.namespace"}),
    "no activities": (tincan(""), {"tincan.no-activities"}),
    "no launch": (tincan(activity(launch=None)), {"tincan.no-launch"}),
    "two launches": (tincan(activity() + activity("https://example.org/course/2")), {"tincan.launch-count"}),
    "relative id": (tincan(activity("course/1")), {"tincan.activity-id"}),
    "id with a space": (tincan(activity("https://example.org/my course")), {"tincan.activity-id"}),
    "no id": (tincan(activity().replace(' id="https://example.org/course"', "")), {"tincan.activity-id"}),
    "duplicate id": (tincan(activity() + activity(launch=None)), {"tincan.duplicate-id"}),
    "launch file missing": (tincan(activity(launch="start.html")), {"manifest.file-missing"}),
    "empty launch": (tincan(activity(launch="")), {"tincan.launch-empty"}),
    "launch above the root": (tincan(activity(launch="../index.html")), {"path.parent"}),
    "absolute file launch": (tincan(activity(launch="file:///C:/course/index.html")), {"path.absolute"}),
    "script launch": (tincan(activity(launch="javascript:alert(1)")), {"path.script-url"}),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_packages_are_rejected_with_the_rule_named(case: str) -> None:
    manifest, expected = BROKEN[case]
    report = verify_package(f"{case}.zip", zipped(manifest, "index.html"))
    assert not report.ok, case
    assert {d.code for d in report.diagnostics if d.severity == "error"} == expected, \
        [d.format() for d in report.diagnostics]
    assert all(d.hint for d in report.diagnostics)


def test_a_launch_file_in_another_case_is_named() -> None:
    report = verify_package("case.zip", zipped(tincan(activity(launch="Index.html")), "index.html"))
    missing = next(d for d in report.diagnostics if d.code == "manifest.file-missing")
    assert "'index.html'" in missing.hint and "case-sensitive" in missing.hint


def test_a_second_tincan_xml_is_a_second_package() -> None:
    data = zipped(tincan(activity()), "index.html", extra={"other/tincan.xml": tincan(activity())})
    assert codes(verify_package("two.zip", data)) == {"tincan.extra-manifest"}


def test_what_the_pages_load_must_be_in_the_package() -> None:
    page = b'<!doctype html><script src="js/app.js"></script><img src="media/Logo.png"><a href="#top">top</a>'
    data = zipped(tincan(activity()), extra={"index.html": page, "js/app.js": b"", "media/logo.png": b"\x89PNG"})
    report = verify_package("pages.zip", data)
    assert codes(report) == {"html.file-missing"}
    (missing,) = report.diagnostics
    assert "media/Logo.png" in missing.message and "'media/logo.png'" in missing.hint


def test_a_launch_with_query_and_fragment_names_its_file() -> None:
    report = verify_package("q.zip", zipped(tincan(activity(launch="index.html?mode=lms#start")), "index.html"))
    assert report.ok and report.launch == "index.html?mode=lms#start"


def test_malformed_and_hostile_tincan_xml_are_refused_unexpanded() -> None:
    malformed = verify_package("bad.zip", zipped(b"<tincan><activities>", "index.html"))
    assert codes(malformed) == {"manifest.malformed"}
    assert "tincan.xml is not well-formed" in malformed.diagnostics[0].message
    bomb = (b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]>'
            b'<tincan xmlns="http://projecttincan.com/tincan.xsd">&b;</tincan>')
    assert codes(verify_package("bomb.zip", zipped(bomb, "index.html"))) == {"manifest.entities"}


def test_check_command_judges_a_tincan_zip(tmp_path: Path) -> None:
    good = tmp_path / "golf.zip"
    good.write_bytes(zipped(BOM + fixture("rustici-golf-example.xml"), "index.html"))
    bad = tmp_path / "old.zip"
    bad.write_bytes(zipped(fixture("rustici-golf-0.9.xml"), "index.html"))
    ok = CliRunner().invoke(check, [str(good), "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["packages"][0]["format"] == "xapi"
    failed = CliRunner().invoke(check, [str(bad)])
    assert failed.exit_code == 1 and "[tincan.activity-id]" in failed.output
