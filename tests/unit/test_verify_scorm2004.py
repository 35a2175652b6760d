"""`check` on SCORM 2004 packages: real multi-SCO vendor packages with sequencing are accepted; hand-made broken
ones are rejected with the rule named, one package per rule. Zips are built in memory with the files the
manifest lists and the official 4th edition control files at the root."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from courseforge.commands.check import check
from courseforge.diagnostics import Severity
from courseforge.model.package import PackageFormat
from courseforge.model.report import VerificationReport
from courseforge.schemas import SCORM2004, schema_bytes, scorm2004_official
from courseforge.stages.verify import verify_package
from courseforge.stages.verify.hrefs import resolve
from courseforge.stages.verify.sequencing import objective_key
from tests.unit import packages as pkg

NAME = "vendor/course.zip"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "scorm2004"
VENDOR = sorted(FIXTURES.glob("*.imsmanifest.xml"))

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.golf.v1" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd
    http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd
    http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd
    http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd
    http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>2004 4th Edition</schemaversion>
  </metadata>
  <organizations default="ORG1">
    <organization identifier="ORG1">
      <title>Golf explained</title>
      <item identifier="ITEM1" identifierref="RES1">
        <title>Playing the game</title>
        <imsss:sequencing IDRef="content">
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="playing" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure>
              <imsss:mapInfo targetObjectiveID="com.example.golf.playing" writeSatisfiedStatus="true"/>
            </imsss:primaryObjective>
            <imsss:objective objectiveID="passed"/>
          </imsss:objectives>
          <adlseq:objectives>
            <adlseq:objective objectiveID="playing">
              <adlseq:mapInfo targetObjectiveID="com.example.golf.playing" writeRawScore="true"/>
            </adlseq:objective>
          </adlseq:objectives>
        </imsss:sequencing>
      </item>
      <item identifier="ITEM2">
        <title>Test</title>
        <item identifier="ITEM3" identifierref="RES2">
          <title>Post test</title>
          <adlcp:completionThreshold completedByMeasure="true" minProgressMeasure="1.0"/>
          <imsss:sequencing IDRef="content"/>
        </item>
        <imsss:sequencing>
          <imsss:sequencingRules>
            <imsss:postConditionRule>
              <imsss:ruleConditions>
                <imsss:ruleCondition condition="satisfied"/>
              </imsss:ruleConditions>
              <imsss:ruleAction action="exitParent"/>
            </imsss:postConditionRule>
          </imsss:sequencingRules>
        </imsss:sequencing>
      </item>
      <imsss:sequencing>
        <imsss:controlMode choice="true" flow="true"/>
      </imsss:sequencing>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES1" type="webcontent" adlcp:scormType="sco" href="playing.html">
      <file href="playing.html"/>
      <dependency identifierref="SHARED"/>
    </resource>
    <resource identifier="RES2" type="webcontent" adlcp:scormType="sco" href="test.html">
      <file href="test.html"/>
      <dependency identifierref="SHARED"/>
    </resource>
    <resource identifier="SHARED" type="webcontent" adlcp:scormType="asset" xml:base="shared/">
      <file href="scorm.js"/>
    </resource>
  </resources>
  <imsss:sequencingCollection>
    <imsss:sequencing ID="content">
      <imsss:sequencingRules>
        <imsss:preConditionRule>
          <imsss:ruleConditions>
            <imsss:ruleCondition condition="satisfied" referencedObjective="%20passed"/>
          </imsss:ruleConditions>
          <imsss:ruleAction action="skip"/>
        </imsss:preConditionRule>
      </imsss:sequencingRules>
      <imsss:objectives>
        <imsss:primaryObjective objectiveID="passed "/>
      </imsss:objectives>
      <imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>
    </imsss:sequencing>
  </imsss:sequencingCollection>
</manifest>
"""
CONTENT = {"playing.html": b"<!doctype html><title>Playing</title>", "test.html": b"<!doctype html><title>Test</title>",
           "shared/scorm.js": b"window.API_1484_11;"}


def control_files() -> dict[str, bytes]:
    return {name: schema_bytes(SCORM2004, name) for name in scorm2004_official()}


def zipped(manifest: str, content: Mapping[str, bytes] = CONTENT, drop: tuple[str, ...] = ()) -> bytes:
    files = {"imsmanifest.xml": manifest.encode("utf-8"), **control_files(), **content}
    return pkg.build_zip({name: data for name, data in files.items() if name not in drop})


def edited(*pairs: str) -> str:
    """The valid manifest with edits (old, new, ...), each of which must apply once."""
    text = MANIFEST
    for old, new in zip(pairs[::2], pairs[1::2], strict=True):
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
    return text


def verify(data: bytes) -> VerificationReport:
    return verify_package(NAME, data)


def codes(report: VerificationReport) -> list[str]:
    return [d.code for d in report.diagnostics]


def listed_files(manifest: bytes) -> dict[str, bytes]:
    """Every file a manifest lists, resolved with xml:base, as a placeholder of the right kind."""
    root = etree.fromstring(manifest)
    files: dict[str, bytes] = {}
    for resource in root.iter("{*}resource"):
        bases = [b for node in (root.find("{*}resources"), resource)
                 if node is not None and (b := node.get("{http://www.w3.org/XML/1998/namespace}base"))]
        for file in resource.iter("{*}file"):
            target = resolve(file.get("href") or "", [*bases, *filter(None, [file.get(
                "{http://www.w3.org/XML/1998/namespace}base")])])
            files[target.path] = f"placeholder for {target.path}".encode()
    return files


# --- the accepted packages ---------------------------------------------------------------------------------


def test_hand_made_multi_sco_package_with_a_sequencing_collection_is_accepted() -> None:
    report = verify(zipped(MANIFEST))
    assert report.diagnostics == (), [d.format() for d in report.diagnostics]
    assert report.format is PackageFormat.SCORM2004
    assert (report.launch, report.title) == ("playing.html", "Golf explained")


@pytest.mark.parametrize("fixture", VENDOR, ids=[p.name.split(".")[0] for p in VENDOR])
def test_real_vendor_packages_with_sequencing_are_accepted(fixture: Path) -> None:
    """ADL's own 4th edition test content: multi-SCO, clusters, sequencing collections, global objectives,
    adlseq objective maps, %-escaped objective ids (provenance in each fixture's comment)."""
    manifest = fixture.read_bytes()
    assert b"Provenance: adlnet/SCORM-2004-4ed-Test-Suite" in manifest
    report = verify(pkg.build_zip({"imsmanifest.xml": manifest, **control_files(), **listed_files(manifest)}))
    assert report.format is PackageFormat.SCORM2004
    assert report.error_count == 0 and report.warnings == 0, [d.format() for d in report.diagnostics]
    assert report.launch == "resources/SequencingTest.htm"


def test_vendor_fixtures_cover_multi_sco_sequencing() -> None:
    """The fixtures are what the acceptance test claims: several SCOs, a collection, global objective maps."""
    roots = [etree.fromstring(path.read_bytes()) for path in VENDOR]
    assert len(VENDOR) >= 3
    assert any(root.find("{*}sequencingCollection") is not None for root in roots)
    assert all(len([i for i in root.iter("{*}item") if i.get("identifierref")]) >= 3 for root in roots)
    assert any(any(True for _ in root.iter("{http://www.adlnet.org/xsd/adlseq_v1p3}mapInfo")) for root in roots)


@pytest.mark.parametrize(("a", "b"), [(" ob%20j%201     ", "    ob%20%20%20j%20%201  "), ("passed ", "%20passed")])
def test_objective_ids_compare_as_adl_compares_them(a: str, b: str) -> None:
    assert objective_key(a) == objective_key(b)


@pytest.mark.parametrize("version", ["2004 3rd Edition", "CAM 1.3"])
def test_earlier_editions_are_judged_with_a_warning(version: str) -> None:
    report = verify(zipped(edited("2004 4th Edition", version)))
    assert codes(report) == ["manifest.schemaversion"]
    assert report.diagnostics[0].severity is Severity.WARNING and "earlier edition" in report.diagnostics[0].message


def test_asset_only_package_is_valid_but_warned() -> None:
    report = verify(zipped(re.sub(r'adlcp:scormType="sco"', 'adlcp:scormType="asset"', MANIFEST)))
    assert codes(report) == ["manifest.no-sco"]
    assert report.diagnostics[0].severity is Severity.WARNING and "adlcp:scormType" in report.diagnostics[0].message


# --- one broken package per rule: the code, a word of the message, and where it points ---------------------

BROKEN: list[tuple[str, str, str, str]] = [
    ("default-org", edited('default="ORG1"', 'default="ORG9"'), "manifest.default-org", "ORG9"),
    ("default-org-is-item", edited('default="ORG1"', 'default="ITEM1"'), "manifest.default-org", "an item"),
    ("dangling-item", edited('identifierref="RES2"', 'identifierref="RES9"'), "manifest.dangling-ref", "RES9"),
    ("dangling-dependency", edited('<dependency identifierref="SHARED"/>', '<dependency identifierref="LIB"/>'),
     "manifest.dangling-ref", "depends on 'LIB'"),
    ("duplicate-id", edited('identifier="RES2"', 'identifier="RES1"'), "manifest.duplicate-id", "used twice"),
    ("file-missing", edited('<file href="test.html"/>', '<file href="tests.html"/>'), "manifest.file-missing",
     "tests.html"),
    ("launch-outside", edited('href="test.html">', 'href="https://cdn.example.com/test.html">'), "path.external",
     "a launch href must be"),
    ("scormtype-missing", edited(' adlcp:scormType="asset"', ""), "manifest.scormtype-missing", "SHARED"),
    ("scormtype-12-spelling", edited('adlcp:scormType="asset"', 'adlcp:scormtype="asset"'),
     "manifest.scormtype-missing", "resource 'SHARED'"),
    ("schema-vocabulary", edited('action="skip"', 'action="jump"'), "manifest.schema", "imsss:ruleAction"),
    ("leaf-item-launches-nothing", edited(' identifierref="RES2"', ""), "manifest.item-ref", "launches nothing"),
    ("cluster-launches", edited('<item identifier="ITEM2">', '<item identifier="ITEM2" identifierref="RES2">'),
     "manifest.item-ref", "holds other items"),
    ("no-sco-launched", edited('identifierref="RES1"', 'identifierref="SHARED"', 'identifierref="RES2"',
                               'identifierref="SHARED"'), "manifest.no-sco", "no item that launches a SCO"),
    ("idref-dangling", edited('IDRef="content">', 'IDRef="contents">'), "sequencing.idref", "'contents'"),
    ("collection-member-without-id", edited('<imsss:sequencing ID="content">', "<imsss:sequencing>",
                                            'IDRef="content">', ">", 'IDRef="content"', ""),
     "sequencing.collection", "has no ID"),
    ("id-on-item-sequencing", edited('<imsss:sequencing IDRef="content"/>', '<imsss:sequencing ID="local"/>'),
     "sequencing.collection", "only members of the sequencingCollection"),
    ("idref-on-collection-member", edited('<imsss:sequencing ID="content">',
                                          '<imsss:sequencing ID="content" IDRef="content">'),
     "sequencing.collection", "cannot reference another"),
    ("duplicate-objective-id", edited('objectiveID="passed"', 'objectiveID="%20playing"'),
     "sequencing.objective-id", "used twice"),
    ("mapped-primary-without-id", edited(' objectiveID="playing" satisfiedByMeasure', " satisfiedByMeasure",
                                         '<adlseq:objective objectiveID="playing">',
                                         '<adlseq:objective objectiveID="passed">'),
     "sequencing.objective-id", "has no objectiveID"),
    ("referenced-objective-dangling", edited('<imsss:ruleCondition condition="satisfied"/>',
                                             '<imsss:ruleCondition condition="satisfied" '
                                             'referencedObjective="practice"/>'),
     "sequencing.objective-ref", "'practice'"),
    ("collection-reference-dangling-for-its-user", edited('<imsss:objective objectiveID="passed"/>',
                                                          '<imsss:objective objectiveID="etiquette"/>'),
     "sequencing.objective-ref", "as used by item 'ITEM1'"),
    ("adlseq-objective-dangling", edited('<adlseq:objective objectiveID="playing">',
                                         '<adlseq:objective objectiveID="putting">'),
     "sequencing.objective-ref", "adlseq:objective 'putting'"),
    ("map-read-twice", edited('<imsss:objective objectiveID="passed"/>',
                              '<imsss:objective objectiveID="passed">'
                              '<imsss:mapInfo targetObjectiveID="g1" readSatisfiedStatus="true"/>'
                              '<imsss:mapInfo targetObjectiveID="g2" readSatisfiedStatus="true"/></imsss:objective>'),
     "sequencing.map", "readSatisfiedStatus"),
    ("map-written-twice", edited('<imsss:objective objectiveID="passed"/>',
                                 '<imsss:objective objectiveID="passed"><imsss:mapInfo '
                                 'targetObjectiveID="com.example.golf.playing" writeSatisfiedStatus="true"/>'
                                 '</imsss:objective>'),
     "sequencing.map", "writeSatisfiedStatus"),
    ("exit-parent-at-root", edited('<imsss:controlMode choice="true" flow="true"/>',
                                   '<imsss:controlMode choice="true" flow="true"/><imsss:sequencingRules>'
                                   '<imsss:postConditionRule><imsss:ruleConditions><imsss:ruleCondition '
                                   'condition="always"/></imsss:ruleConditions><imsss:ruleAction action="previous"/>'
                                   '</imsss:postConditionRule></imsss:sequencingRules>'),
     "sequencing.rule-action", "'previous'"),
]


@pytest.mark.parametrize(("manifest", "code", "needle"), [case[1:] for case in BROKEN],
                         ids=[case[0] for case in BROKEN])
def test_broken_package_is_rejected_with_the_rule_named(manifest: str, code: str, needle: str) -> None:
    report = verify(zipped(manifest))
    found = [d for d in report.diagnostics if d.code == code]
    assert found, f"expected {code}, got:\n" + "\n".join(d.format() for d in report.diagnostics)
    assert any(needle in d.message for d in found), [d.message for d in found]
    assert found[0].location.path == f"{NAME}!imsmanifest.xml" and found[0].location.line > 0
    assert found[0].hint and found[0].severity is Severity.ERROR


def test_a_scorm_version_the_manifest_contradicts_is_named() -> None:
    report = verify(zipped(edited("2004 4th Edition", "1.2")))
    assert codes(report) == ["manifest.schemaversion"]
    assert "a SCORM 2004 4th edition manifest says '2004 4th Edition'" in report.diagnostics[0].message


def test_a_missing_control_file_is_named() -> None:
    report = verify(zipped(MANIFEST, drop=("imsss_v1p0util.xsd",)))
    assert codes(report) == ["manifest.xsd-missing"]
    assert "imsss_v1p0.xsd imports 'imsss_v1p0util.xsd'" in report.diagnostics[0].message


def test_lom_schema_folders_are_control_files_but_other_leftovers_are_unlisted() -> None:
    report = verify(zipped(MANIFEST, {**CONTENT, "notes/old.html": b"x", "drafts/extra.xsd": b"<x/>"}))
    unlisted = sorted(d.location.path for d in report.diagnostics if d.code == "manifest.file-unlisted")
    assert unlisted == [f"{NAME}!drafts/extra.xsd", f"{NAME}!notes/old.html"]


def test_the_check_command_judges_scorm_2004_packages(tmp_path: Path) -> None:
    good, bad = tmp_path / "golf.zip", tmp_path / "broken.zip"
    good.write_bytes(zipped(MANIFEST))
    bad.write_bytes(zipped(edited('IDRef="content">', 'IDRef="contents">')))
    result = CliRunner().invoke(check, ["--json", str(good), str(bad)])
    assert result.exit_code == 1, result.output
    document = json.loads(result.output)
    by_name = {Path(p["package"]).name: p for p in document["packages"]}
    assert by_name["golf.zip"]["format"] == "scorm2004" and by_name["golf.zip"]["errors"] == 0
    assert [d["code"] for d in by_name["broken.zip"]["diagnostics"]] == ["sequencing.idref"]
    assert CliRunner().invoke(check, [str(good)]).exit_code == 0
