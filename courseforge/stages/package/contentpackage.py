"""IMS Content Packaging pieces both SCORM packagers write: identifiers and element building.

SCORM 1.2 (IMS CP 1.1.2) and SCORM 2004 (IMS CP 1.1.4) differ in namespaces and extensions, not in how a
manifest names its parts: identifiers come from course id and version (stable across builds, unique per
course: LMSs merge packages that share one), and elements are built the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

from lxml import etree

from courseforge.model.site import SiteMetadata


def ncname(*parts: str) -> str:
    """An xs:ID from course id, version (and locale): stable across builds, unique per course."""
    text = "-".join(parts)
    text = re.sub(r"[^A-Za-z0-9._-]", "_", text)
    return text if re.match(r"[A-Za-z_]", text) else f"_{text}"


@dataclass(frozen=True)
class Identifiers:
    manifest: str
    organization: str
    item: str
    resource: str

    @classmethod
    def of(cls, meta: SiteMetadata, locale: str) -> Identifiers:
        return cls(
            manifest=ncname(meta.course_id, meta.version, locale),
            organization=ncname("ORG", meta.course_id, meta.version),
            item=ncname("ITEM", meta.course_id, meta.version),
            resource=ncname("RES", meta.course_id, meta.version),
        )


def sub(parent: etree._Element, namespace: str, tag: str, text: str | None = None,
        **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{namespace}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def href(path: str) -> str:
    """A package path as a URI reference (spaces and non-ASCII %-escaped, folders kept)."""
    return quote(path, safe="/")


def list_files(resource: etree._Element, namespace: str, paths: Iterable[str]) -> None:
    """One ``<file href>`` per path, sorted: a resource lists every file it needs."""
    for path in sorted(paths):
        sub(resource, namespace, "file", href=href(path))


def serialize(root: etree._Element) -> bytes:
    """UTF-8 with an XML declaration, pretty-printed: the same bytes for the same tree."""
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
