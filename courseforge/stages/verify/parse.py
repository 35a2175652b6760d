"""Find imsmanifest.xml and parse it without trusting it: no DTDs, no entities, no network."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Protocol, cast

from lxml import etree

from courseforge.diagnostics import DiagnosticSink, Location

MANIFEST = "imsmanifest.xml"
IMSCP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML = "http://www.w3.org/XML/1998/namespace"
CP2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
ENTITY_MARKS = tuple("<!ENTITY".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


class EntityDeclarations(Protocol):
    """The part of lxml's DTD API the stubs leave out."""

    def iterentities(self) -> Iterator[object]: ...


def line_of(element: etree._Element) -> int:
    line: object = element.sourceline
    return line if isinstance(line, int) else 0


@dataclass(frozen=True)
class Manifest:
    """A parsed manifest and where its diagnostics point (``PACKAGE.zip!imsmanifest.xml``)."""

    root: etree._Element
    path: str

    def at(self, element: etree._Element | None = None, line: int = 0, col: int = 0) -> Location:
        if element is not None:
            line = line_of(element)
        return Location(self.path, line, col)


def manifest_path(package: str) -> str:
    return f"{package}!{MANIFEST}"


def locate(package: str, names: Collection[str], sink: DiagnosticSink) -> bool:
    """True when the manifest sits at the root; otherwise say where it is, if anywhere."""
    if MANIFEST in names:
        return True
    nested = sorted(n for n in names if n.replace("\\", "/").rsplit("/", 1)[-1].lower() == MANIFEST)
    if nested and "/" not in nested[0].replace("\\", "/"):
        hint = f"rename '{nested[0]}' to '{MANIFEST}'; LMSs look for the exact lower-case name"
    elif nested:
        hint = f"found '{nested[0]}': zip the contents of its folder, not the folder itself"
    else:
        hint = "a SCORM package needs imsmanifest.xml at the top level of the zip"
    sink.error("manifest.missing", f"{package} has no {MANIFEST} at its root", Location(package), hint=hint)
    return False


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
    )


def declares_entities(data: bytes) -> bool:
    return any(mark in data for mark in ENTITY_MARKS)


def parse(package: str, data: bytes, sink: DiagnosticSink) -> Manifest | None:
    """Parse the manifest; entity declarations are refused before parsing (billion laughs and friends)."""
    path = manifest_path(package)
    if declares_entities(data):
        refuse_entities(path, sink)
        return None
    try:
        tree = etree.fromstring(data, safe_parser()).getroottree()
    except etree.XMLSyntaxError as error:
        line, col = error.position
        sink.error(
            "manifest.malformed",
            f"{MANIFEST} is not well-formed XML: {error.msg}",
            Location(path, line, col),
            hint="fix the XML syntax at this spot; an XML editor or `xmllint --noout` shows it too",
        )
        return None
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in cast(EntityDeclarations, dtd).iterentities()):
        refuse_entities(path, sink)
        return None
    return Manifest(tree.getroot(), path)


def refuse_entities(path: str, sink: DiagnosticSink) -> None:
    sink.error(
        "manifest.entities",
        f"{MANIFEST} declares XML entities; they are refused unexpanded (an entity bomb can exhaust memory)",
        Location(path),
        hint="remove the <!DOCTYPE> block; a SCORM manifest needs no DTD or entities",
    )


def is_scorm12(manifest: Manifest, sink: DiagnosticSink) -> bool:
    """The checks below assume IMS CP 1.1.2; anything else is named and not judged further."""
    tag = etree.QName(manifest.root)
    if tag.namespace == IMSCP and tag.localname == "manifest":
        return True
    if tag.namespace == CP2004:
        what = "a SCORM 2004 (IMS CP 1.1.4) manifest"
    else:
        what = f"a <{tag.localname}> element in namespace '{tag.namespace or ''}'"
    sink.error(
        "manifest.not-scorm12",
        f"{MANIFEST} is {what}, not a SCORM 1.2 manifest",
        manifest.at(manifest.root),
        hint=f"a SCORM 1.2 manifest's root is <manifest xmlns=\"{IMSCP}\">",
    )
    return False
