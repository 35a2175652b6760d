"""SCORM 1.2 packaging: manifest golden file, official-schema validity, byte-identical rebuilds."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import zipfile
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from courseforge.model.package import PackageFormat
from courseforge.model.site import RenderedSite, SiteMetadata
from courseforge.schemas import SCORM12_OFFICIAL, schema_dir
from courseforge.stages.package import PackageInput, packager_for
from courseforge.stages.package.zipwriter import write_zip
from tests.factory import minimal_course

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "manifests"


def site(mastery: float | None = 80) -> RenderedSite:
    meta = SiteMetadata(course_id="fire-safety", version="2.1.0", title="Fire safety", description="Basics.",
                        language="en", duration_minutes=20, mastery_score=mastery)
    files = {"index.html": b"<!doctype html>", "runtime/player.js": b"'use strict';",
             "content/assets/exit sign.svg": b"<svg/>", "theme/course.css": b"body{}"}
    return RenderedSite(meta, files)


def unit(rendered: RenderedSite, locale: str = "en", epoch: int | None = None) -> PackageInput:
    """SCORM 1.2 manifests are made from the site alone; the course beside it is any valid one."""
    return PackageInput(rendered, minimal_course(), locale, "urn:courseforge:", epoch)


def scorm12_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(schema_dir("scorm12") / "courseforge_manifest_driver.xsd")))


def package_bytes(mastery: float | None = 80, epoch: int | None = None) -> bytes:
    return packager_for(PackageFormat.SCORM12).package(unit(site(mastery), "en", epoch)).data


def test_manifest_matches_golden() -> None:
    manifest = packager_for(PackageFormat.SCORM12).package(unit(site(), "en", None)).manifest
    golden = GOLDEN / "fire-safety-scorm12.xml"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_bytes(manifest)
    assert manifest == golden.read_bytes()


def test_manifest_is_valid_against_official_scorm12_schemas() -> None:
    for mastery in (80, None, 72.5):
        package = packager_for(PackageFormat.SCORM12).package(unit(site(mastery), "en", None))
        document = etree.fromstring(package.manifest)
        schema = scorm12_schema()
        assert schema.validate(document), schema.error_log


def test_package_lists_every_file_and_ships_the_official_xsds_at_the_root() -> None:
    with zipfile.ZipFile(io.BytesIO(package_bytes())) as archive:
        names = set(archive.namelist())
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
        for name in SCORM12_OFFICIAL:
            assert archive.read(name) == (schema_dir("scorm12") / name).read_bytes()
    listed = {unquote(f.get("href") or "") for f in manifest.iter("{*}file")}
    assert listed == set(site().files)
    assert names == listed | {"imsmanifest.xml", "metadata.xml", *SCORM12_OFFICIAL}


def test_identifiers_derive_from_course_id_and_version() -> None:
    manifest = etree.fromstring(packager_for(PackageFormat.SCORM12).package(unit(site(), "en", None)).manifest)
    assert manifest.get("identifier") == "fire-safety-2.1.0-en"
    assert manifest.find("{*}organizations").get("default") == "ORG-fire-safety-2.1.0"


def test_rebuild_is_byte_identical_and_honours_source_date_epoch() -> None:
    first, second = package_bytes(), package_bytes()
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    dated = package_bytes(epoch=1_700_000_000)
    assert dated != first
    with zipfile.ZipFile(io.BytesIO(dated)) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}


def test_zip_writer_sorts_entries_whatever_the_input_order() -> None:
    assert write_zip({"b": b"2", "a": b"1"}) == write_zip({"a": b"1", "b": b"2"})


def test_metadata_record_carries_the_locale() -> None:
    german = RenderedSite(dataclasses.replace(site().metadata, language="de", title="Brandschutz"), site().files)
    package = packager_for(PackageFormat.SCORM12).package(unit(german, "de", None))
    with zipfile.ZipFile(io.BytesIO(package.data)) as archive:
        record = etree.fromstring(archive.read("metadata.xml"))
    assert record.findtext("{*}general/{*}language") == "de"
    title = record.find("{*}general/{*}title/{*}langstring")
    assert title is not None and title.text == "Brandschutz"
    assert title.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    manifest = etree.fromstring(package.manifest)
    assert manifest.findtext("{*}metadata/{http://www.adlnet.org/xsd/adlcp_rootv1p2}location") == "metadata.xml"
