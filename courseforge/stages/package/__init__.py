"""Packagers by format: each turns a site rendered for its format profile into deterministic zip bytes.

A packager receives the course structure (ids, screens, rules) beside the rendered files, so manifests can
say what the standard needs (sequencing objectives, cmi5 moveOn, activity IRIs). Formats are registered
explicitly in :func:`default_packagers`; adding a standard is one new module plus one line there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from courseforge.model.course import Course
from courseforge.model.package import Package, PackageFormat
from courseforge.model.site import RenderedSite
from courseforge.standards import FormatProfile


@dataclass(frozen=True)
class PackageInput:
    """Everything one package is made from; the packager adds its manifest and zips."""

    site: RenderedSite
    """Rendered for this packager's profile (its runtime adapter only)."""
    course: Course
    """The validated course: ids, screens, completion and mastery rules (text in the source language)."""
    locale: str
    base_iri: str
    """The project's base IRI (courseforge.yaml ``base_iri``) ending in ``/``; activity ids append the course id."""
    source_date_epoch: int | None = None


class Packager(Protocol):
    profile: FormatProfile

    def package(self, unit: PackageInput) -> Package: ...


class PackagerRegistry(Mapping[PackageFormat, Packager]):
    def __init__(self) -> None:
        self._packagers: dict[PackageFormat, Packager] = {}

    def register(self, packager: Packager) -> None:
        if packager.profile.format in self._packagers:
            raise ValueError(f"a packager for {packager.profile.format.value} is already registered")
        self._packagers[packager.profile.format] = packager

    def __getitem__(self, package_format: PackageFormat) -> Packager:
        return self._packagers[package_format]

    def __iter__(self) -> Iterator[PackageFormat]:
        return iter(self._packagers)

    def __len__(self) -> int:
        return len(self._packagers)


@cache
def default_packagers() -> PackagerRegistry:
    """Every format courseforge builds, named explicitly (one line per standard)."""
    from courseforge.stages.package.cmi5 import Cmi5Packager
    from courseforge.stages.package.scorm12 import Scorm12Packager
    from courseforge.stages.package.scorm2004 import Scorm2004Packager
    from courseforge.stages.package.web import WebPackager
    from courseforge.stages.package.xapi import XapiPackager

    registry = PackagerRegistry()
    registry.register(Scorm12Packager())
    registry.register(Scorm2004Packager())
    registry.register(XapiPackager())
    registry.register(Cmi5Packager())
    registry.register(WebPackager())
    return registry


def packager_for(package_format: PackageFormat) -> Packager:
    return default_packagers()[package_format]


def available_formats() -> tuple[PackageFormat, ...]:
    """In the order ``PackageFormat`` declares them (the order builds and reports use)."""
    registry = default_packagers()
    return tuple(f for f in PackageFormat if f in registry)
