"""Facts of each packaging standard, as data the neutral stages ask instead of hard-coding them.

A :class:`FormatProfile` is what a package format means to everything before its packager: the longest
text answer it records, how much saved state it keeps, which runtime adapter its package ships (only its
own), and which manifest file names it. Lint checks a course against the profile of every format it will
be built in; render receives the profile of the package it renders for. One module per standard holds its
profile beside its other facts; :func:`format_profiles` lists them explicitly (no import side effects).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from courseforge.model.package import PackageFormat

RUNTIME_DIR = "runtime/"


@dataclass(frozen=True)
class FormatProfile:
    format: PackageFormat
    title: str
    """How messages name the standard: ``SCORM 1.2``, ``SCORM 2004 4th edition``."""
    runtime_adapter: tuple[str, ...]
    """Theme runtime files (``runtime/scorm12.js``) only this format's package ships, in load order, after
    the neutral runtime and before the player; every other format's adapter files are left out."""
    suspend_limit: int
    """Characters of saved learner state (the runtime's suspend_data text) the standard keeps for sure."""
    text_response_limit: int
    """Longest text answer (fill-in accepted answer, survey free text) the standard records whole; the format's
    runtime adapter carries the same value (its ``textLimit``) and caps the page's text inputs at it."""
    manifest: str
    """The package's manifest file at the zip root (``imsmanifest.xml``); empty when it has none."""
    needs_base_iri: bool = False
    """Activity ids are IRIs: the project's ``base_iri`` (courseforge.yaml) plus the course id."""


@cache
def format_profiles() -> Mapping[PackageFormat, FormatProfile]:
    """Every standard courseforge packages, named explicitly."""
    from courseforge.standards import cmi5, scorm12, scorm2004, web, xapi

    profiles = (scorm12.PROFILE, scorm2004.PROFILE, xapi.PROFILE, cmi5.PROFILE, web.PROFILE)
    return MappingProxyType({profile.format: profile for profile in profiles})


def profile_for(package_format: PackageFormat) -> FormatProfile:
    return format_profiles()[package_format]


def adapter_files() -> frozenset[str]:
    """Every format's adapter files: a package ships its own and none of the others."""
    return frozenset(path for profile in format_profiles().values() for path in profile.runtime_adapter)
