"""xAPI (Tin Can) packager: tincan.xml (one launchable activity, the course) at the zip root beside the site.

The activity id is the project's base IRI plus the course id, the same in every locale (tracking ids are
never translated); name, description and launch carry the package's language. The launch is the site's
entry, relative to tincan.xml. The statements' other activities (screens, questions) are the course IRI
plus a path, made by the runtime; tincan.xml lists only the course, which is all an LMS needs to import
and launch it (Rustici's own packages list more, and so may others: the verifier accepts both).
"""

from __future__ import annotations

from urllib.parse import quote

from lxml import etree

from courseforge.model.package import Package
from courseforge.stages.package import PackageInput
from courseforge.stages.package.zipwriter import write_zip
from courseforge.standards.xapi import MANIFEST, PROFILE, TINCAN_NS, ActivityType


def course_iri(unit: PackageInput) -> str:
    return f"{unit.base_iri}{unit.course.id}"


def _element(parent: etree._Element, name: str, text: str | None = None, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{TINCAN_NS}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def build_tincan(unit: PackageInput) -> bytes:
    """tincan.xml for one locale's package."""
    meta = unit.site.metadata
    root = etree.Element(f"{{{TINCAN_NS}}}tincan", nsmap={None: TINCAN_NS})  # type: ignore[dict-item]
    activities = _element(root, "activities")
    activity = _element(activities, "activity", id=course_iri(unit), type=ActivityType.COURSE.value)
    _element(activity, "name", meta.title, lang=meta.language)
    if meta.description:
        _element(activity, "description", meta.description, lang=meta.language)
    _element(activity, "launch", quote(unit.site.entry, safe="/"), lang=meta.language)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


class XapiPackager:
    profile = PROFILE

    def package(self, unit: PackageInput) -> Package:
        manifest = build_tincan(unit)
        files = dict(unit.site.files)
        files[MANIFEST] = manifest
        data = write_zip(files, unit.source_date_epoch)
        return Package(PROFILE.format, unit.course.id, unit.locale, manifest, data)
