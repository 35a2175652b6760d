"""SCORM 2004 4th edition packaging: golden manifest, validity against the official ADL schemas offline,
the sequencing the SCO relies on, control files at the root, byte-identical rebuilds."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import etree

from courseforge.model.course import CompletionRules
from courseforge.model.package import PackageFormat
from courseforge.model.site import RenderedSite, SiteMetadata
from courseforge.schemas import DRIVER, SCORM2004, schema_dir, scorm2004_official
from courseforge.stages.package import PackageInput, packager_for
from courseforge.stages.package.scorm2004 import build_manifest, build_metadata, normalized_measure
from courseforge.stages.verify import verify_package
from courseforge.standards.scorm2004 import ADLCP, IMSSS
from tests.factory import minimal_course

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "manifests"
SS = f"{{{IMSSS}}}"


def site(mastery: float | None = 80, language: str = "en") -> RenderedSite:
    meta = SiteMetadata(course_id="fire-safety", version="2.1.0", title="Fire safety", description="Basics.",
                        language=language, duration_minutes=20, mastery_score=mastery)
    files = {"index.html": b"<!doctype html>", "runtime/player.js": b"'use strict';",
             "content/assets/exit sign.svg": b"<svg/>", "theme/course.css": b"body{}"}
    return RenderedSite(meta, files)


def package(mastery: float | None = 80, epoch: int | None = None) -> bytes:
    unit = PackageInput(site(mastery), minimal_course(), "en", "urn:courseforge:", epoch)
    return packager_for(PackageFormat.SCORM2004).package(unit).data


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    """The official 4th edition set through our driver, compiled with the network off."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(schema_dir(SCORM2004) / DRIVER), parser))


def manifest_of(mastery: float | None = 80, completion: CompletionRules | None = None) -> etree._Element:
    return etree.fromstring(build_manifest(site(mastery), "en", completion or CompletionRules()))


def test_manifest_matches_golden() -> None:
    manifest = build_manifest(site(), "en", CompletionRules())
    golden = GOLDEN / "fire-safety-scorm2004.xml"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_bytes(manifest)
    assert manifest == golden.read_bytes()


@pytest.mark.parametrize("mastery", [80, None, 72.5, 100, 0])
@pytest.mark.parametrize("completion", [CompletionRules(), CompletionRules(pages="none"),
                                        CompletionRules(pages="none", surveys=("feedback",))],
                         ids=["pages", "nothing-required", "survey"])
def test_manifest_is_valid_against_the_official_4th_edition_schemas(
        schema: etree.XMLSchema, mastery: float | None, completion: CompletionRules) -> None:
    assert schema.validate(manifest_of(mastery, completion)), schema.error_log


def test_the_schema_check_is_real(schema: etree.XMLSchema) -> None:
    """The driver rejects what the ADL schemas reject (a measure outside -1..1, a threshold flag that is not a
    boolean); a misspelt adlcp:scormtype passes it (foreign attributes are lax), which is why check looks."""
    valid = build_manifest(site(), "en", CompletionRules())
    for old, new in ((b">0.8<", b">1.8<"), (b'completedByMeasure="true"', b'completedByMeasure="yes"')):
        assert old in valid
        assert not schema.validate(etree.fromstring(valid.replace(old, new)))
    assert schema.validate(etree.fromstring(valid.replace(b"adlcp:scormType", b"adlcp:scormtype")))


def test_metadata_says_scorm_2004_4th_edition_and_links_a_valid_lom_record(schema: etree.XMLSchema) -> None:
    root = manifest_of()
    assert root.findtext("{*}metadata/{*}schema") == "ADL SCORM"
    assert root.findtext("{*}metadata/{*}schemaversion") == "2004 4th Edition"
    assert root.findtext(f"{{*}}metadata/{{{ADLCP}}}location") == "metadata.xml"
    record = etree.fromstring(build_metadata(site(language="de").metadata))
    assert schema.validate(record), schema.error_log
    assert record.findtext("{*}general/{*}language") == "de"
    assert record.find("{*}general/{*}title/{*}string").get("language") == "de"
    assert record.findtext("{*}educational/{*}typicalLearningTime/{*}duration") == "PT20M"


def test_one_sco_item_launching_the_entry_page() -> None:
    root = manifest_of()
    items = root.findall(".//{*}item")
    resources = root.findall(".//{*}resource")
    assert len(items) == 1 and len(resources) == 1
    assert items[0].get("identifierref") == resources[0].get("identifier")
    assert resources[0].get(f"{{{ADLCP}}}scormType") == "sco"
    assert resources[0].get("href") == "index.html"


@pytest.mark.parametrize(("percent", "measure"), [(80, "0.8"), (72.5, "0.725"), (100, "1"), (0, "0"),
                                                   (66.666, "0.6667"), (66.665, "0.6667"), (12.34567, "0.1235")])
def test_mastery_score_becomes_min_normalized_measure_never_below_the_authors(percent: float, measure: str) -> None:
    assert normalized_measure(percent) == measure
    primary = manifest_of(percent).find(f".//{SS}primaryObjective")
    assert primary is not None and primary.get("satisfiedByMeasure") == "true"
    assert primary.findtext(f"{SS}minNormalizedMeasure") == measure


def test_unscored_course_has_no_primary_objective_to_satisfy_by_measure() -> None:
    root = manifest_of(None)
    assert root.find(f".//{SS}objectives") is None
    assert root.find(f".//{SS}deliveryControls") is not None


def test_the_sco_sets_completion_and_success_itself() -> None:
    """With the defaults (false) the sequencer would mark an attempt completed and satisfied when it ends
    without them, which would pass a learner who left unfinished."""
    for mastery in (80, None):
        controls = manifest_of(mastery).find(f".//{{*}}item/{SS}sequencing/{SS}deliveryControls")
        assert controls is not None
        assert (controls.get("completionSetByContent"), controls.get("objectiveSetByContent")) == ("true", "true")


@pytest.mark.parametrize(("completion", "threshold"), [
    (CompletionRules(), True),
    (CompletionRules(pages="none"), False),
    (CompletionRules(pages="none", checklists=("ready",)), True),
    (CompletionRules(pages="none", surveys=("feedback",)), True),
])
def test_completion_threshold_only_where_the_course_measures_progress(completion: CompletionRules,
                                                                      threshold: bool) -> None:
    found = manifest_of(80, completion).find(f".//{{*}}item/{{{ADLCP}}}completionThreshold")
    assert (found is not None) is threshold
    if found is not None:
        assert (found.get("completedByMeasure"), found.get("minProgressMeasure")) == ("true", "1.0")


def test_organization_allows_choice_and_flow() -> None:
    control = manifest_of().find(f"{{*}}organizations/{{*}}organization/{SS}sequencing/{SS}controlMode")
    assert control is not None and (control.get("choice"), control.get("flow")) == ("true", "true")


def test_identifiers_derive_from_course_id_and_version_like_scorm12() -> None:
    root = manifest_of()
    assert root.get("identifier") == "fire-safety-2.1.0-en"
    assert root.find("{*}organizations").get("default") == "ORG-fire-safety-2.1.0"
    scorm12 = etree.fromstring(packager_for(PackageFormat.SCORM12).package(
        PackageInput(site(), minimal_course(), "en", "urn:courseforge:")).manifest)
    assert scorm12.find("{*}organizations").get("default") == root.find("{*}organizations").get("default")


def test_package_lists_every_file_and_ships_the_official_control_files_unchanged() -> None:
    official = scorm2004_official()
    assert {"imscp_v1p1.xsd", "adlcp_v1p3.xsd", "adlseq_v1p3.xsd", "adlnav_v1p3.xsd", "imsss_v1p0.xsd",
            "xml.xsd", "lom.xsd", "common/anyElement.xsd"} <= set(official)
    assert DRIVER not in official
    with zipfile.ZipFile(io.BytesIO(package())) as archive:
        names = set(archive.namelist())
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
        for name in official:
            assert archive.read(name) == (schema_dir(SCORM2004) / name).read_bytes(), name
    listed = {unquote(f.get("href") or "") for f in manifest.iter("{*}file")}
    assert listed == set(site().files)
    assert names == listed | {"imsmanifest.xml", "metadata.xml", *official}


def test_rebuild_is_byte_identical_and_honours_source_date_epoch() -> None:
    first, second = package(), package()
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    dated = package(epoch=1_700_000_000)
    assert dated != first
    with zipfile.ZipFile(io.BytesIO(dated)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}


@pytest.mark.parametrize("mastery", [80, None])
def test_our_own_package_passes_check_without_a_finding(mastery: float | None) -> None:
    report = verify_package("build/fire-safety/en/scorm2004.zip", package(mastery))
    assert report.format is PackageFormat.SCORM2004
    assert report.diagnostics == (), [d.format() for d in report.diagnostics]
    assert (report.launch, report.title) == ("index.html", "Fire safety")
