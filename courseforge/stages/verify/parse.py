"""Find imsmanifest.xml and parse it without trusting it: no DTDs, no entities, no network."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
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


class EntityDeclarations(Protocol):
    """The part of lxml's DTD API the stubs leave out."""

    def iterentities(self) -> Iterator[object]: ...


class DoctypeInfo(Protocol):
    """The parts of lxml's DocInfo the stubs leave out."""

    doctype: str
    system_url: str | None


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


def manifest_path(package: str, entry: str = MANIFEST) -> str:
    return f"{package}!{entry}"


def locate(package: str, names: Collection[str], sink: DiagnosticSink,
           manifests: Sequence[str] = (MANIFEST,)) -> bool:
    """True when one of ``manifests`` sits at the root; otherwise say where one is, if anywhere."""
    if any(manifest in names for manifest in manifests):
        return True
    wanted = {manifest.lower(): manifest for manifest in manifests}
    nested = sorted(n for n in names if n.replace("\\", "/").rsplit("/", 1)[-1].lower() in wanted)
    if nested:
        expected = wanted[nested[0].replace("\\", "/").rsplit("/", 1)[-1].lower()]
        if "/" not in nested[0].replace("\\", "/"):
            hint = f"rename '{nested[0]}' to '{expected}'; LMSs look for the exact lower-case name"
        else:
            hint = f"found '{nested[0]}': zip the contents of its folder, not the folder itself"
    else:
        hint = f"a package needs one of {', '.join(manifests)} at the top level of the zip"
    sink.error("manifest.missing", f"{package} has no {' or '.join(manifests)} at its root", Location(package),
               hint=hint)
    return False


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=False
    )


ENTITY_CODECS = ("utf-8", "utf-16-le", "utf-16-be")
POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")
PLAIN_SYNTAX = (
    ("Excessive depth in document", "elements are nested deeper than 256 levels, more than any manifest needs"),
)


def text_position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``text[index]``."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def entity_position(data: bytes) -> tuple[int, int] | None:
    """Where the first <!ENTITY declaration is, in whichever of the encodings it was found."""
    for codec in ENTITY_CODECS:
        found = data.find("<!ENTITY".encode(codec))
        if found >= 0:
            text = data[:found].decode(codec, "replace")
            return text_position(text, len(text))
    return None


def doctype_position(data: bytes, encoding: str | None) -> tuple[int, int]:
    """Where <!DOCTYPE starts (the document parsed, so its declared encoding decodes it)."""
    try:
        text = data.decode(encoding or "utf-8", "replace")
    except LookupError:
        return 1, 1
    found = text.find("<!DOCTYPE")
    return text_position(text, found) if found >= 0 else (1, 1)


def syntax_message(message: str) -> str:
    """libxml2's message without the position it repeats and its parser-option jargon."""
    message = POSITION_SUFFIX.sub("", message.strip())
    return next((plain for needle, plain in PLAIN_SYNTAX if needle in message), message)


def parse(package: str, data: bytes, sink: DiagnosticSink, entry: str = MANIFEST) -> Manifest | None:
    """Parse a manifest; entities and DTDs are refused (billion laughs, XXE, undeclared entities)."""
    return parse_document(manifest_path(package, entry), data, sink)


def parse_document(path: str, data: bytes, sink: DiagnosticSink) -> Manifest | None:
    """Parse the XML file diagnostics call ``path`` (a zip entry ``pkg.zip!cmi5.xml``, or a bare file)."""
    entity_at = entity_position(data)
    if entity_at is not None:
        refuse_entities(path, entity_at, sink)
        return None
    try:
        tree = etree.fromstring(data, safe_parser()).getroottree()
    except etree.XMLSyntaxError as error:
        line, col = error.position
        malformed(path, syntax_message(error.msg or str(error)), line, col, sink)
        return None
    except (etree.LxmlError, ValueError, LookupError) as error:
        malformed(path, syntax_message(str(error) or type(error).__name__), 1, 1, sink)
        return None
    docinfo = tree.docinfo
    if cast(DoctypeInfo, docinfo).doctype or docinfo.internalDTD is not None:
        dtd = docinfo.internalDTD
        line, col = doctype_position(data, docinfo.encoding)
        if dtd is not None and any(True for _ in cast(EntityDeclarations, dtd).iterentities()):
            refuse_entities(path, (line, col), sink)
        else:
            refuse_doctype(path, cast(DoctypeInfo, docinfo).system_url, line, col, sink)
        return None
    return Manifest(tree.getroot(), path)


def document_name(path: str) -> str:
    """The manifest's own name in a location: ``cmi5.xml`` for ``pkg.zip!cmi5.xml``, a bare file's path."""
    return path.rpartition("!")[2]


def malformed(path: str, message: str, line: int, col: int, sink: DiagnosticSink) -> None:
    sink.error(
        "manifest.malformed",
        f"{document_name(path)} is not well-formed XML: {message}",
        Location(path, max(line, 1), col),
        hint="fix the XML syntax at this spot; an XML editor or `xmllint --noout` shows it too",
    )


def refuse_entities(path: str, at: tuple[int, int], sink: DiagnosticSink) -> None:
    sink.error(
        "manifest.entities",
        f"{document_name(path)} declares XML entities; they are refused unexpanded (an entity bomb can exhaust "
        "memory)",
        Location(path, *at),
        hint="remove the <!DOCTYPE> block; a package manifest needs no DTD or entities",
    )


def refuse_doctype(path: str, system_url: str | None, line: int, col: int, sink: DiagnosticSink) -> None:
    external = f" pointing at '{system_url}'" if system_url else ""
    sink.error(
        "manifest.dtd",
        f"{document_name(path)} has a <!DOCTYPE>{external}; package manifests are checked by XML Schema, and LMS "
        "parsers that load DTDs can be made to fetch files (XXE) while hardened ones refuse the manifest",
        Location(path, line, col),
        hint="remove the <!DOCTYPE> line and write characters such as &nbsp; as numeric references (&#160;)",
    )


def unknown_manifest(manifest: Manifest, sink: DiagnosticSink) -> None:
    """A manifest no verifier recognises: named, and not judged further."""
    tag = etree.QName(manifest.root)
    entry = manifest.path.rpartition("!")[2]
    sink.error(
        "manifest.unknown-format",
        f"{entry}'s root is <{tag.localname}> in namespace '{tag.namespace or ''}', which no package standard "
        "courseforge knows uses",
        manifest.at(manifest.root),
        hint=f"a SCORM 1.2 manifest's root is <manifest xmlns=\"{IMSCP}\">, a SCORM 2004 one's "
             f"<manifest xmlns=\"{CP2004}\">",
    )
