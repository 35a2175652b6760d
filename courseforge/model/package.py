"""A built package: format, manifest and deterministic zip bytes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property


class PackageFormat(StrEnum):
    SCORM12 = "scorm12"
    SCORM2004 = "scorm2004"
    XAPI = "xapi"
    CMI5 = "cmi5"
    WEB = "web"


@dataclass(frozen=True)
class Package:
    format: PackageFormat
    course_id: str
    locale: str
    manifest: bytes
    data: bytes
    """The zip file's bytes."""

    @property
    def filename(self) -> str:
        return f"{self.format.value}.zip"

    @cached_property
    def sha256(self) -> str:
        """Hashed once: watch mode compares every package of a course after each rebuild (megabytes each)."""
        return hashlib.sha256(self.data).hexdigest()
