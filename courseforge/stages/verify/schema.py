"""Validate a manifest against the official schemas shipped in the package data, offline.

libxml2 ignores xsi:schemaLocation, so every manifest is validated against our driver schema for its
standard: SCORM 1.2's imports IMS CP 1.1.2 and ADL CP 1.2 (see data/schemas/scorm12/PROVENANCE.md for why
not IMS MD); SCORM 2004's the whole ADL 4th edition set. A :class:`SchemaSet` says which driver, and how to
word libxml2's findings for that standard's authors.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol, cast

from lxml import etree

from courseforge.diagnostics import DiagnosticSink
from courseforge.stages.verify.parse import ADLCP, IMSCP, MANIFEST, XML, Manifest
from courseforge.standards import scorm2004

DRIVER = "courseforge_manifest_driver.xsd"
QUALIFIED = re.compile(r"\{([^}]*)\}")
DUPLICATE_ID = re.compile(r"'([^']*)' is not a valid value of the atomic type 'xs:ID'")
STRICT_ELEMENT = "No matching global element declaration available, but demanded by the strict wildcard."
STRICT_ATTRIBUTE = "No matching global declaration available, but demanded by the strict wildcard."
ID_HINTS = (
    ("'xs:ID'", "identifiers must start with a letter or '_' and hold only letters, digits, '.', '-' and '_'"),
    ("'xs:IDREF'", "the reference must name an identifier defined in this manifest"),
)


@dataclass(frozen=True)
class SchemaSet:
    """One standard's driver schema and how its findings are worded for that standard's authors."""

    folder: str
    """The folder under data/schemas holding the official files and our driver."""
    title: str
    prefixes: tuple[tuple[str, str], ...]
    """namespace -> the prefix authors write (libxml2 prints ``{namespace}name``)."""
    hints: tuple[tuple[str, str], ...]
    """(text in libxml2's message, the hint to give), first match wins."""
    plain: tuple[tuple[str, str], ...]
    """libxml2 jargon -> plain words."""
    default_hint: str


SCORM12 = SchemaSet(
    folder="scorm12",
    title="SCORM 1.2",
    prefixes=((IMSCP, ""), (ADLCP, "adlcp:"), (XML, "xml:"),
              ("http://www.imsglobal.org/xsd/imsmd_rootv1p2p1", "imsmd:")),
    hints=(
        ("imsmd", "inline IMS metadata cannot be validated offline; move it to a file linked with adlcp:location"),
        (
            "No matching global",
            "only IMS CP and ADL CP 1.2 names are allowed here; adlcp names are lower case (scormtype, datafromlms)",
        ),
        *ID_HINTS,
    ),
    plain=((STRICT_ELEMENT, "SCORM 1.2 defines no such element here."),
           (STRICT_ATTRIBUTE, "SCORM 1.2 defines no such attribute here.")),
    default_hint="compare this element with the SCORM 1.2 content packaging schema (imscp_rootv1p1p2.xsd)",
)

SCORM2004 = SchemaSet(
    folder="scorm2004_4th",
    title="SCORM 2004 4th edition",
    prefixes=((scorm2004.IMSCP, ""), (scorm2004.ADLCP, "adlcp:"), (scorm2004.ADLSEQ, "adlseq:"),
              (scorm2004.ADLNAV, "adlnav:"), (scorm2004.IMSSS, "imsss:"), (scorm2004.LOM, "lom:"), (XML, "xml:")),
    hints=(
        ("imsss:", "compare the sequencing with IMS Simple Sequencing (imsss_v1p0*.xsd): element order and "
                   "vocabularies are fixed"),
        ("No matching global", "only IMS CP 1.1.4, ADL CP/SEQ/NAV v1p3, IMS SS and IEEE LOM names are allowed "
                               "here; ADL names are camelCase (scormType, dataFromLMS, completionThreshold)"),
        *ID_HINTS,
    ),
    plain=((STRICT_ELEMENT, "SCORM 2004 defines no such element here."),
           (STRICT_ATTRIBUTE, "SCORM 2004 defines no such attribute here.")),
    default_hint="compare this element with the SCORM 2004 4th edition content packaging schema (imscp_v1p1.xsd)",
)


class LogEntry(Protocol):
    """The fields of lxml's _LogEntry used here (the stubs do not describe the error log)."""

    line: int
    column: int
    message: str


@cache
def compiled(folder: str) -> etree.XMLSchema:
    """Compile once per process: building the schema set costs far more than validating a manifest."""
    root = resources.files("courseforge") / "data" / "schemas" / folder
    with resources.as_file(root / DRIVER) as driver:
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        return etree.XMLSchema(etree.parse(str(driver), parser))


def readable(message: str, schemas: SchemaSet = SCORM12) -> str:
    """Swap libxml2's {namespace}name for the prefixes authors write, and its jargon for plain words."""
    prefixes = dict(schemas.prefixes)

    def prefixed(match: re.Match[str]) -> str:
        return prefixes.get(match.group(1), match.group(0))

    for jargon, plain in schemas.plain:
        message = message.replace(jargon, plain)
    return QUALIFIED.sub(prefixed, message).strip()


def hint_for(message: str, schemas: SchemaSet = SCORM12) -> str:
    readable_message = readable(message, schemas)
    return next((hint for needle, hint in schemas.hints if needle in message or needle in readable_message),
                schemas.default_hint)


def validate(manifest: Manifest, duplicate_ids: Collection[str], sink: DiagnosticSink,
             schemas: SchemaSet = SCORM12) -> None:
    """Report each schema error at its line; duplicate identifiers are left to the clearer code check."""
    schema = compiled(schemas.folder)
    try:
        if schema.validate(manifest.root.getroottree()):
            return
    except etree.Error as error:  # libxml2 gives up on some trees instead of reporting them
        sink.error(
            "manifest.schema",
            f"{MANIFEST} could not be checked against the {schemas.title} schema: {error}",
            manifest.at(manifest.root),
            hint=schemas.default_hint,
        )
        return
    for entry in cast(Iterable[LogEntry], schema.error_log):
        duplicate = DUPLICATE_ID.search(entry.message)
        if duplicate and duplicate.group(1) in duplicate_ids:
            continue
        message = readable(entry.message, schemas)
        sink.error(
            "manifest.schema",
            f"{MANIFEST} breaks the {schemas.title} schema: {message}",
            manifest.at(line=entry.line, col=entry.column),
            hint=hint_for(entry.message, schemas),
        )
