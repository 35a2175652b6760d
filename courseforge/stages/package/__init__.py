"""Packagers register themselves by format; adding a standard is one new module here."""

from __future__ import annotations

from typing import Protocol

from courseforge.model.package import Package, PackageFormat
from courseforge.model.site import RenderedSite


class Packager(Protocol):
    format: PackageFormat

    def package(self, site: RenderedSite, locale: str, source_date_epoch: int | None) -> Package: ...


_REGISTRY: dict[PackageFormat, Packager] = {}


def register(packager: Packager) -> Packager:
    _REGISTRY[packager.format] = packager
    return packager


def packager_for(package_format: PackageFormat) -> Packager:
    return _REGISTRY[package_format]


def available_formats() -> tuple[PackageFormat, ...]:
    return tuple(sorted(_REGISTRY))


from courseforge.stages.package import scorm12 as _scorm12  # noqa: E402,F401  (registers itself)
