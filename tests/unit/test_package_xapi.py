"""xAPI (Tin Can) packaging: tincan.xml by the structural rules (there is no public XSD), its one launchable
activity valid as an xAPI activity for @learninglocker/xapi-validation, ids the same in every locale, the
package's own check clean, only its own runtime adapter shipped, byte-identical rebuilds."""

from __future__ import annotations

import dataclasses
import io
import os
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.model.site import RenderedSite, SiteMetadata
from courseforge.pipeline import BuildOptions, build_course
from courseforge.stages.package import PackageInput, packager_for
from courseforge.stages.preview.harness.plugins.xapi_statements import StatementValidator, ValidatorMissing
from courseforge.stages.verify import verify_package
from courseforge.standards.xapi import TINCAN_NS, ActivityType
from tests.factory import minimal_course

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "manifests"
BASE = "https://learning.example.com/courses/"
ROOTS = Path(__file__).resolve().parents[1] / "roots"


def site(language: str = "en", title: str = "Fire safety", entry: str = "index.html",
         description: str = "Basics & more.") -> RenderedSite:
    meta = SiteMetadata(course_id="minimal", version="1.0.0", title=title, description=description,
                        language=language, duration_minutes=5, mastery_score=80)
    return RenderedSite(meta, {entry: b"<!doctype html>", "runtime/player.js": b"'use strict';"}, entry)


def unit(rendered: RenderedSite | None = None, locale: str = "en", epoch: int | None = None) -> PackageInput:
    return PackageInput(rendered or site(), minimal_course(), locale, BASE, epoch)


def tincan_of(package_unit: PackageInput) -> etree._Element:
    return etree.fromstring(packager_for(PackageFormat.XAPI).package(package_unit).manifest)


def test_tincan_xml_matches_golden() -> None:
    golden = GOLDEN / "minimal-tincan.xml"
    manifest = packager_for(PackageFormat.XAPI).package(unit()).manifest
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_bytes(manifest)
    assert manifest == golden.read_bytes()


def test_one_launchable_course_activity_in_the_package_language() -> None:
    for language in ("en", "de", "ar"):
        root = tincan_of(unit(site(language, title="Brandschutz & Räumung"), locale=language))
        assert root.tag == f"{{{TINCAN_NS}}}tincan"
        (activity,) = root.iterfind(f"{{{TINCAN_NS}}}activities/{{{TINCAN_NS}}}activity")
        assert (activity.get("id"), activity.get("type")) == (f"{BASE}minimal", ActivityType.COURSE)
        texts = {etree.QName(e).localname: (e.text, e.get("lang")) for e in activity}
        assert texts == {"name": ("Brandschutz & Räumung", language), "description": ("Basics & more.", language),
                         "launch": ("index.html", language)}


def test_an_empty_description_is_left_out_and_the_entry_is_escaped() -> None:
    root = tincan_of(unit(site(description="", entry="start page.html")))
    names = [etree.QName(e).localname for e in root.iter() if isinstance(e.tag, str)]
    assert "description" not in names
    assert root.findtext(f".//{{{TINCAN_NS}}}launch") == "start%20page.html"


def test_the_activity_is_a_valid_xapi_activity() -> None:
    """What an LMS stores from tincan.xml (id, type, name and description language maps), as an xAPI
    Activity object: @learninglocker/xapi-validation checks the IRIs and the language tags."""
    try:
        validator = StatementValidator.find()
    except ValidatorMissing as error:
        pytest.skip(str(error).splitlines()[0])
    activities = []
    for language in ("en", "de-CH", "ar"):
        element = tincan_of(unit(site(language), locale=language)).find(f".//{{{TINCAN_NS}}}activity")
        assert element is not None
        definition = {"type": element.get("type"),
                      **{etree.QName(e).localname: {e.get("lang"): e.text} for e in element
                         if etree.QName(e).localname in ("name", "description")}}
        activities.append({"objectType": "Activity", "id": element.get("id"), "definition": definition})
    statements = [{"id": "6f1c2f4e-5d3a-4b7e-9c1a-2b3c4d5e6f70", "timestamp": "2024-01-01T00:00:00.000Z",
                   "actor": {"objectType": "Agent", "mbox": "mailto:learner@example.com"},
                   "verb": {"id": "http://adlnet.gov/expapi/verbs/launched", "display": {"en-US": "launched"}},
                   "object": activity} for activity in activities]
    assert validator.validate(statements) == ()
    broken = [{**statements[0], "object": {**activities[0], "definition": {"name": {"not a tag": "x"}}}}]
    assert validator.validate(broken)  # the check is real: a bad language tag is found


def test_package_holds_the_site_and_tincan_xml_and_verifies() -> None:
    package = packager_for(PackageFormat.XAPI).package(unit())
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        assert sorted(archive.namelist()) == ["index.html", "runtime/player.js", "tincan.xml"]
        assert archive.read("tincan.xml") == package.manifest
    assert package.filename == "xapi.zip" and package.format is PackageFormat.XAPI
    report = verify_package("xapi.zip", package.data)
    assert report.ok and not report.diagnostics, [d.format() for d in report.diagnostics]
    assert (report.format, report.launch, report.title) == (PackageFormat.XAPI, "index.html", "Fire safety")


def test_rebuild_is_byte_identical_and_ids_follow_the_base_iri() -> None:
    packager = packager_for(PackageFormat.XAPI)
    assert packager.package(unit()).data == packager.package(unit()).data
    stamped = packager.package(unit(epoch=1_700_000_000)).data
    with zipfile.ZipFile(io.BytesIO(stamped)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    other = etree.fromstring(packager.package(dataclasses.replace(unit(), base_iri="urn:courseforge:")).manifest)
    assert other.find(f".//{{{TINCAN_NS}}}activity").get("id") == "urn:courseforge:minimal"


def test_a_built_package_ships_only_the_xapi_adapter_and_the_items_texts() -> None:
    sink = DiagnosticSink()
    options = BuildOptions(formats=(PackageFormat.XAPI,), base_iri=BASE)
    result = build_course(ROOTS / "runtime-course", "tests/roots/runtime-course", options, sink)
    assert result is not None and not sink.failed(), [d.format() for d in sink]
    (built,) = result.packages
    with zipfile.ZipFile(io.BytesIO(built.package.data)) as archive:
        html = archive.read("index.html").decode()
        runtime = "".join(archive.read(name).decode() for name in archive.namelist() if name.startswith("runtime/"))
    # However render lays the runtime out (one file per module or a bundle): the xAPI adapter is in, after
    # its client, and no other standard's adapter is.
    assert 0 <= runtime.index("cf.xapi=") < runtime.index('name:"xapi"')
    assert all(f'name:"{other}"' not in runtime for other in ("scorm12", "scorm2004", "cmi5", "web"))
    assert '"texts":{"feedback":{"comments":{"prompt":"Any other comments?"}' in html
    assert '"q-colour":{"choices":{"blue":"Blue","green":"Green","red":"Red"},' \
           '"prompt":"Which colour means stop on a traffic light?"}' in html
