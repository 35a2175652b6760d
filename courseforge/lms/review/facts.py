"""What the review LMS's catalog shows of a package, read from the package's own manifest.

The verify stage judges the package first (:func:`read_package`): only a package it passed is read here,
so the manifest is known to be well-formed and of the format the verifier named. The facts come from the
manifest each standard defines (imsmanifest.xml and its LOM record, tincan.xml, cmi5.xml through the cmi5
LMS's own course-structure reader), never from anything courseforge-specific, so vendor packages read the
same way. A course's identity, the key its versions share, is the manifest's own id with the version and
language the manifest states removed (``workplace-safety-1.0.0-en`` -> ``workplace-safety``), or the
activity/course IRI for xAPI and cmi5.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from courseforge.lms.cmi5.structure import LangText, parse_course_structure
from courseforge.model.package import PackageFormat
from courseforge.model.report import VerificationReport
from courseforge.stages.verify.parse import safe_parser

SCORM_MANIFEST = "imsmanifest.xml"
TINCAN_MANIFEST = "tincan.xml"
CMI5_MANIFEST = "cmi5.xml"
WEB_PAGE = "index.html"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class PackageFacts:
    """One package as the catalog lists it."""

    format: PackageFormat
    course: str
    """The id every version of this course shares (with locale and format: the version key)."""
    locale: str
    """The language the manifest states ("" when it states none)."""
    title: str
    description: str = ""
    duration: str = ""
    """The typical learning time as the manifest writes it (ISO 8601, ``PT45M``), "" when not stated."""
    objectives: tuple[str, ...] = ()
    """The objectives the manifest names (cmi5 objectives, SCORM 2004 objective ids)."""
    launch: str = ""
    """The entry the LMS launches, relative to the package root."""


class UnreadableFacts(ValueError):
    """A package the verifier passed whose manifest still lacks what the catalog needs (its id)."""


def read_facts(report: VerificationReport, data: bytes) -> PackageFacts:
    """The catalog facts of a package ``report`` (from :func:`courseforge.stages.verify.verify_package`)
    found valid; ``data`` is its zip."""
    if report.format is None or not report.ok:
        raise UnreadableFacts("only a package that passed verification can be read")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        reader = READERS[report.format]
        return reader(archive, report)


def _xml(archive: zipfile.ZipFile, entry: str) -> etree._Element | None:
    if entry not in archive.NameToInfo:
        return None
    return etree.fromstring(archive.read(entry), safe_parser())


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _path(element: etree._Element | None, *names: str) -> etree._Element | None:
    """The first descendant reached by child local names (namespaces differ between LOM editions)."""
    for name in names:
        if element is None:
            return None
        element = next((child for child in element if _local(child) == name), None)
    return element


def _text(element: etree._Element | None) -> str:
    return "" if element is None else " ".join("".join(str(t) for t in element.itertext()).split())


def _language_of(element: etree._Element | None) -> str:
    """A langstring's language attribute (LOM 1.2: ``xml:lang``; IEEE LOM: ``language``; tincan: ``lang``)."""
    if element is None:
        return ""
    return element.get(XML_LANG) or element.get("language") or element.get("lang") or ""


def _without_suffix(identifier: str, *suffixes: str) -> str:
    for suffix in reversed(suffixes):
        if suffix and identifier.endswith(f"-{suffix}") and len(identifier) > len(suffix) + 1:
            identifier = identifier[: -len(suffix) - 1]
    return identifier


# ------------------------------------------------------------------------------------ SCORM


def _lom(archive: zipfile.ZipFile, manifest: etree._Element) -> etree._Element | None:
    """The manifest's LOM record: inline under <metadata>, or the file adlcp:location names."""
    metadata = _path(manifest, "metadata")
    if metadata is None:
        return None
    inline = _path(metadata, "lom")
    if inline is not None:
        return inline
    location = _text(_path(metadata, "location"))
    return _xml(archive, location) if location and location in archive.NameToInfo else None


def _scorm_objectives(manifest: etree._Element) -> tuple[str, ...]:
    ids = (element.get("objectiveID", "").strip() for element in manifest.iter()
           if _local(element) in ("primaryObjective", "objective"))
    return tuple(dict.fromkeys(i for i in ids if i))


def _scorm(archive: zipfile.ZipFile, report: VerificationReport) -> PackageFacts:
    manifest = _xml(archive, SCORM_MANIFEST)
    if manifest is None or not manifest.get("identifier", "").strip():
        raise UnreadableFacts(f"{SCORM_MANIFEST} has no identifier")
    lom = _lom(archive, manifest)
    general = _path(lom, "general")
    title_string = _first_child(_path(general, "title"))
    locale = _text(_path(general, "language")) or _language_of(title_string)
    duration = _text(_path(lom, "educational", "typicalLearningTime", "duration")) or _text(
        _path(lom, "educational", "typicallearningtime", "datetime"))
    identifier = manifest.get("identifier", "").strip()
    return PackageFacts(
        format=report.format or PackageFormat.SCORM12,
        course=_without_suffix(identifier, manifest.get("version", "").strip(), locale),
        locale=locale, title=report.title or _text(title_string) or identifier,
        description=_text(_first_child(_path(general, "description"))), duration=duration,
        objectives=_scorm_objectives(manifest), launch=report.launch or "")


def _first_child(element: etree._Element | None) -> etree._Element | None:
    return None if element is None else next((child for child in element if _local(child)), None)


# ------------------------------------------------------------------------------------ xAPI, cmi5


def _launchable(manifest: etree._Element) -> Iterator[etree._Element]:
    for activity in manifest.iter():
        if _local(activity) == "activity" and _path(activity, "launch") is not None:
            yield activity


def _tincan(archive: zipfile.ZipFile, report: VerificationReport) -> PackageFacts:
    manifest = _xml(archive, TINCAN_MANIFEST)
    activity = next(_launchable(manifest), None) if manifest is not None else None
    if activity is None or not activity.get("id", "").strip():
        raise UnreadableFacts(f"{TINCAN_MANIFEST} has no launchable activity with an id")
    name = _path(activity, "name")
    return PackageFacts(
        format=PackageFormat.XAPI, course=activity.get("id", "").strip(),
        locale=_language_of(name) or _language_of(_path(activity, "launch")),
        title=report.title or _text(name), description=_text(_path(activity, "description")),
        launch=report.launch or _text(_path(activity, "launch")))


def _first(text: LangText) -> tuple[str, str]:
    return text[0] if text else ("", "")


def _cmi5(archive: zipfile.ZipFile, report: VerificationReport) -> PackageFacts:
    structure = parse_course_structure(archive.read(CMI5_MANIFEST))
    language, title = _first(structure.title)
    objectives = tuple(_first(objective.title)[1] or objective.id for objective in structure.objectives)
    return PackageFacts(
        format=PackageFormat.CMI5, course=structure.id, locale=language, title=report.title or title,
        description=_first(structure.description)[1], objectives=objectives, launch=report.launch or "")


# ------------------------------------------------------------------------------------ a web site


def _web(archive: zipfile.ZipFile, report: VerificationReport) -> PackageFacts:
    """A plain site has no manifest: its title names it, its page's ``lang`` is its locale."""
    title = report.title or "untitled site"
    page = etree.fromstring(archive.read(WEB_PAGE), etree.HTMLParser()) if WEB_PAGE in archive.NameToInfo else None
    locale = (page.get("lang") or "") if page is not None else ""
    return PackageFacts(format=PackageFormat.WEB, course=SLUG.sub("-", title.lower()).strip("-") or "site",
                        locale=locale, title=title, launch=report.launch or WEB_PAGE)


READERS = {PackageFormat.SCORM12: _scorm, PackageFormat.SCORM2004: _scorm, PackageFormat.XAPI: _tincan,
           PackageFormat.CMI5: _cmi5, PackageFormat.WEB: _web}
