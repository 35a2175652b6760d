"""Where the official schema files shipped with courseforge live (package data, read-only)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

SCORM12_OFFICIAL = ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd")
"""Control files every SCORM 1.2 package carries at its root, unchanged."""
SCORM2004 = "scorm2004_4th"
DRIVER = "courseforge_manifest_driver.xsd"
"""Ours, in each standard's folder: pulls every namespace into one schema set for offline validation."""
CONTROL_SUFFIXES = (".xsd", ".dtd")


def schema_dir(standard: str) -> Path:
    return Path(str(resources.files("courseforge") / "data" / "schemas" / standard))


def schema_bytes(standard: str, name: str) -> bytes:
    return (schema_dir(standard) / name).read_bytes()


@cache
def scorm2004_official() -> tuple[str, ...]:
    """The ADL 4th edition control documents (paths relative to the package root, subfolders included) every
    SCORM 2004 package carries unchanged: the whole ADL set, without our driver."""
    root = schema_dir(SCORM2004)
    return tuple(sorted(
        path.relative_to(root).as_posix() for path in root.rglob("*")
        if path.is_file() and path.suffix in CONTROL_SUFFIXES and path.name != DRIVER))
