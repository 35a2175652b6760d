"""Validate a manifest against the SCORM 1.2 schemas shipped in the package data, offline.

libxml2 ignores xsi:schemaLocation, so every manifest is validated against our driver schema, which
imports IMS CP 1.1.2 and ADL CP 1.2 (see data/schemas/scorm12/PROVENANCE.md for why not IMS MD).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from functools import lru_cache
from importlib import resources
from typing import Protocol, cast

from lxml import etree

from courseforge.diagnostics import DiagnosticSink
from courseforge.stages.verify.parse import ADLCP, IMSCP, MANIFEST, XML, Manifest

DRIVER = "courseforge_manifest_driver.xsd"
PREFIXES = {IMSCP: "", ADLCP: "adlcp:", XML: "xml:", "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1": "imsmd:"}
QUALIFIED = re.compile(r"\{([^}]*)\}")
DUPLICATE_ID = re.compile(r"'([^']*)' is not a valid value of the atomic type 'xs:ID'")
HINTS = (
    ("imsmd", "inline IMS metadata cannot be validated offline; move it to a file linked with adlcp:location"),
    (
        "No matching global",
        "only IMS CP and ADL CP 1.2 names are allowed here; adlcp names are lower case (scormtype, datafromlms)",
    ),
    ("'xs:ID'", "identifiers must start with a letter or '_' and hold only letters, digits, '.', '-' and '_'"),
    ("'xs:IDREF'", "the reference must name an identifier defined in this manifest"),
)
PLAIN = (
    ("No matching global element declaration available, but demanded by the strict wildcard.",
     "SCORM 1.2 defines no such element here."),
    ("No matching global declaration available, but demanded by the strict wildcard.",
     "SCORM 1.2 defines no such attribute here."),
)
DEFAULT_HINT = "compare this element with the SCORM 1.2 content packaging schema (imscp_rootv1p1p2.xsd)"


class LogEntry(Protocol):
    """The fields of lxml's _LogEntry used here (the stubs do not describe the error log)."""

    line: int
    column: int
    message: str


@lru_cache(maxsize=1)
def scorm12_schema() -> etree.XMLSchema:
    """Compile once per process: building the schema set costs far more than validating a manifest."""
    folder = resources.files("courseforge") / "data" / "schemas" / "scorm12"
    with resources.as_file(folder / DRIVER) as driver:
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        return etree.XMLSchema(etree.parse(str(driver), parser))


def readable(message: str) -> str:
    """Swap libxml2's {namespace}name for the prefixes authors write, and its jargon for plain words."""

    def prefixed(match: re.Match[str]) -> str:
        return PREFIXES.get(match.group(1), match.group(0))

    for jargon, plain in PLAIN:
        message = message.replace(jargon, plain)
    return QUALIFIED.sub(prefixed, message).strip()


def hint_for(message: str) -> str:
    return next((hint for needle, hint in HINTS if needle in message), DEFAULT_HINT)


def validate(manifest: Manifest, duplicate_ids: Collection[str], sink: DiagnosticSink) -> None:
    """Report each schema error at its line; duplicate identifiers are left to the clearer code check."""
    schema = scorm12_schema()
    try:
        if schema.validate(manifest.root.getroottree()):
            return
    except etree.Error as error:  # libxml2 gives up on some trees instead of reporting them
        sink.error(
            "manifest.schema",
            f"{MANIFEST} could not be checked against the SCORM 1.2 schema: {error}",
            manifest.at(manifest.root),
            hint=DEFAULT_HINT,
        )
        return
    for entry in cast(Iterable[LogEntry], schema.error_log):
        duplicate = DUPLICATE_ID.search(entry.message)
        if duplicate and duplicate.group(1) in duplicate_ids:
            continue
        message = readable(entry.message)
        sink.error(
            "manifest.schema",
            f"{MANIFEST} breaks the SCORM 1.2 schema: {message}",
            manifest.at(line=entry.line, col=entry.column),
            hint=hint_for(entry.message),
        )
