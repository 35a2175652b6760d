"""Limits broken by a package courseforge itself just built are the sources' doing, so say it there.

The zip guard judges any package by its bytes; for a vendor's zip "this package expands to 3 GiB" points at
the package. For our own build the same finding means sources so large that an LMS's upload check, and
``courseforge check``, would refuse the package: the diagnostic names the source file, with a fix an author
can act on. (The zip writer stores what would deflate past the guard's ratio, and validate reports a course's
assets past its limits at their reference: this catches what only the built package shows, such as a player
page pushing a package over its size.)
"""

from __future__ import annotations

from collections.abc import Iterable

from courseforge.diagnostics import Diagnostic, Location, Severity
from courseforge.model.course import Course, Page

SIZE_CODES = frozenset({"zip.bomb", "zip.too-large", "zip.too-many-entries", "manifest.too-large"})
CONTENT_PREFIX = "content/"
PLAYER_PAGE = "index.html"


def entry_of(location: Location) -> str:
    """``courses/x/en/scorm12.zip!index.html`` -> ``index.html``."""
    return location.path.partition("!")[2]


def source_of(course: Course, entry: str) -> Location:
    """The file an entry was made from: the asset itself, or for the player page its longest page; a finding
    about the whole package (its size, its number of files) or its manifest (which lists every file) is the
    course's, at its course.yaml."""
    if entry.startswith(CONTENT_PREFIX):
        return Location(f"{course.course_dir}/{entry.removeprefix(CONTENT_PREFIX)}")
    pages = [screen for screen in course.screens if isinstance(screen, Page)]
    if entry == PLAYER_PAGE and pages:
        return max(pages, key=lambda page: len(page.body)).origin
    return course.manifest.origin


def for_sources(course: Course, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The verify stage's diagnostics on a package built from ``course``, size findings moved to their
    source."""
    explained = []
    for diagnostic in diagnostics:
        if diagnostic.code not in SIZE_CODES:
            explained.append(diagnostic)
            continue
        entry = entry_of(diagnostic.location)
        where = f"the package's '{entry}'" if entry else "the package"
        explained.append(Diagnostic(
            Severity.ERROR, "build.package-limit",
            f"{where} would be refused by LMS upload checks: {diagnostic.message}",
            source_of(course, entry),
            hint=("split this page, or shrink the file" if entry.startswith(CONTENT_PREFIX) or entry == PLAYER_PAGE
                  else "split the course, or use fewer files")
            + "; courseforge check applies the same limits to every package"))
    return explained
