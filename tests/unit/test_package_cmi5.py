"""cmi5 packaging: cmi5.xml against the official CourseStructure.xsd and the cmi5 LMS's own import checks,
moveOn and masteryScore from the course rules, ids the same in every locale, byte-identical rebuilds."""

from __future__ import annotations

import dataclasses
import io
import os
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from courseforge.diagnostics import DiagnosticSink
from courseforge.lms.cmi5.structure import AssignableUnit, parse_course_structure
from courseforge.model.course import Course
from courseforge.model.package import PackageFormat
from courseforge.model.site import RenderedSite, SiteMetadata
from courseforge.pipeline import validate_course
from courseforge.schemas import schema_dir
from courseforge.stages.package import PackageInput, packager_for
from courseforge.stages.package.cmi5 import move_on
from courseforge.stages.verify import verify_package
from courseforge.standards.cmi5 import COURSE_STRUCTURE_XSD, LaunchMethod, MoveOn, mastery_score
from tests.factory import base_manifest, minimal_course, page, write_course

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "manifests"
BASE = "https://learning.example.com/courses/"
QUIZ = {"kind": "quiz", "id": "final", "title": "Final",
        "questions": [{"id": "q1", "type": "true-false", "prompt": "Yes?", "answer": True}]}


def site(language: str = "en", title: str = "Fire safety", entry: str = "index.html") -> RenderedSite:
    meta = SiteMetadata(course_id="minimal", version="1.0.0", title=title, description="Basics & more.",
                        language=language, duration_minutes=5, mastery_score=80)
    return RenderedSite(meta, {entry: b"<!doctype html>", "runtime/player.js": b"'use strict';"}, entry)


def unit(course: Course | None = None, rendered: RenderedSite | None = None, locale: str = "en",
         epoch: int | None = None) -> PackageInput:
    return PackageInput(rendered or site(), course or minimal_course(), locale, BASE, epoch)


def structure_of(package_unit: PackageInput) -> bytes:
    return packager_for(PackageFormat.CMI5).package(package_unit).manifest


def course_with(tmp_path: Path, **overrides: Any) -> Course:
    files: dict[str, Any] = {"pages/intro.md": page("intro", "Intro"), "quizzes/final.yaml": QUIZ}
    manifest = base_manifest("rules", ["pages/intro.md", "quizzes/final.yaml"], **overrides)
    folder = write_course(tmp_path, manifest, files)
    sink = DiagnosticSink()
    course = validate_course(folder, "rules", sink)
    assert course is not None and not sink.failed(), [d.format() for d in sink]
    return course


def test_course_structure_matches_golden() -> None:
    golden = GOLDEN / "minimal-cmi5.xml"
    structure = structure_of(unit())
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_bytes(structure)
    assert structure == golden.read_bytes()


def test_course_structure_is_valid_against_the_official_schema_and_the_lms_import() -> None:
    schema = etree.XMLSchema(etree.parse(str(schema_dir("cmi5") / COURSE_STRUCTURE_XSD)))
    for language in ("en", "de", "ar"):
        xml = structure_of(unit(rendered=site(language, title="Brandschutz & Räumung")))
        assert schema.validate(etree.fromstring(xml)), schema.error_log
        parsed = parse_course_structure(xml, in_package=True)  # the preview LMS's own import, semantic rules too
        assert parsed.id == f"{BASE}minimal"
        assert parsed.title == ((language, "Brandschutz & Räumung"),)
        (au,) = parsed.children
        assert isinstance(au, AssignableUnit)
        assert au.id == f"{BASE}minimal/au"
        assert au.url == "index.html"
        assert au.launch_method is LaunchMethod.ANY_WINDOW
        assert au.move_on is MoveOn.COMPLETED_AND_PASSED
        assert au.mastery_score == Decimal("0.8")


def test_ids_are_the_same_in_every_locale_and_only_texts_change() -> None:
    english = parse_course_structure(structure_of(unit(rendered=site("en", "Fire safety"))))
    german = parse_course_structure(structure_of(unit(rendered=site("de", "Brandschutz"), locale="de")))
    assert english.id == german.id
    assert [au.id for au in english.assignable_units()] == [au.id for au in german.assignable_units()]
    assert english.title != german.title


def test_move_on_follows_the_course_rules(tmp_path: Path) -> None:
    scored = course_with(tmp_path / "a", mastery={"score": 75, "quizzes": ["final"]})
    passed_only = course_with(tmp_path / "b", mastery={"score": 75, "quizzes": ["final"]},
                              completion={"pages": "none"})
    unscored = course_with(tmp_path / "c")
    assert move_on(scored) is MoveOn.COMPLETED_AND_PASSED
    assert move_on(passed_only) is MoveOn.PASSED
    assert move_on(unscored) is MoveOn.COMPLETED
    au = next(parse_course_structure(structure_of(unit(unscored))).assignable_units())
    assert au.move_on is MoveOn.COMPLETED
    assert au.mastery_score is None  # nothing scored: no masteryScore at all


@pytest.mark.parametrize(("percent", "expected"), [(80, "0.8"), (100, "1"), (0, "0"), (66.666, "0.6667"),
                                                     (72.5, "0.725"), (33.33333, "0.3333")])
def test_mastery_score_is_scaled_with_at_most_four_decimals(tmp_path: Path, percent: float, expected: str) -> None:
    course = course_with(tmp_path, mastery={"score": percent, "quizzes": ["final"]})
    root = etree.fromstring(structure_of(unit(course)))
    assert root.find("{*}au").get("masteryScore") == expected
    assert mastery_score(percent) == Decimal(expected)


def test_the_entry_url_is_escaped_and_relative(tmp_path: Path) -> None:
    xml = structure_of(unit(rendered=site(entry="start page.html")))
    au = next(parse_course_structure(xml, in_package=True).assignable_units())
    assert au.url == "start%20page.html"


def test_package_holds_the_site_and_cmi5_xml_at_the_root_and_verifies() -> None:
    package = packager_for(PackageFormat.CMI5).package(unit())
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        assert sorted(archive.namelist()) == ["cmi5.xml", "index.html", "runtime/player.js"]
        assert archive.read("cmi5.xml") == package.manifest
    assert package.filename == "cmi5.zip" and package.format is PackageFormat.CMI5
    report = verify_package("cmi5.zip", package.data)
    assert report.ok and report.format is PackageFormat.CMI5, [d.format() for d in report.diagnostics]
    assert report.launch == "index.html" and report.title == "Fire safety"


def test_rebuild_is_byte_identical_and_honours_source_date_epoch() -> None:
    packager = packager_for(PackageFormat.CMI5)
    assert packager.package(unit()).data == packager.package(unit()).data
    stamped = packager.package(unit(epoch=1_700_000_000)).data
    with zipfile.ZipFile(io.BytesIO(stamped)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    other = packager.package(dataclasses.replace(unit(), base_iri="urn:courseforge:"))
    assert parse_course_structure(other.manifest).id == "urn:courseforge:minimal"
