"""What the render stage hands to packagers: an in-memory site plus the metadata manifests need."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SiteMetadata:
    course_id: str
    version: str
    title: str
    description: str
    language: str
    """BCP 47 tag of the rendered locale."""
    duration_minutes: int
    mastery_score: float | None
    """Percent 0..100 when the course is scored (becomes adlcp:masteryscore)."""


@dataclass(frozen=True)
class RenderedSite:
    metadata: SiteMetadata
    files: Mapping[str, bytes]
    """posix path inside the package -> content; includes ``entry``."""
    entry: str = "index.html"
