"""Where the official schema files shipped with courseforge live (package data, read-only)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SCORM12_OFFICIAL = ("imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd")
"""Control files every SCORM 1.2 package carries at its root, unchanged."""


def schema_dir(standard: str) -> Path:
    return Path(str(resources.files("courseforge") / "data" / "schemas" / standard))


def schema_bytes(standard: str, name: str) -> bytes:
    return (schema_dir(standard) / name).read_bytes()
