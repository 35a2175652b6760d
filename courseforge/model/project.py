"""``courseforge.yaml``: where a project keeps its courses, catalogs, themes and outputs, and its defaults.

Validated like course.yaml (unknown keys refused, every error at its line). Later parts add their own
sections (publish targets, the xAPI base IRI) as new fields here.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated

from pydantic import AfterValidator, Field

from courseforge.model.branding import Branding
from courseforge.model.course import Node
from courseforge.model.package import PackageFormat


def inside_project(value: str) -> str:
    """A folder named in courseforge.yaml is relative and stays inside the project."""
    path = PurePosixPath(value)
    if not value.strip() or path.is_absolute() or ".." in path.parts or "\\" in value:
        raise ValueError("must be a relative folder inside the project (no '..', not absolute)")
    return path.as_posix()


ProjectFolder = Annotated[str, AfterValidator(inside_project)]


class BuildDefaults(Node):
    """What ``courseforge build`` does when the command line does not say."""

    locales: tuple[str, ...] = ()
    """Locales to build besides each course's source language: tags, ``all``, or pseudo-locales."""
    formats: tuple[PackageFormat, ...] = Field(default=(PackageFormat.SCORM12,), min_length=1)


class ProjectConfig(Node):
    """The whole of ``courseforge.yaml``; every key is optional."""

    courses: ProjectFolder = "courses"
    """Folder whose sub-folders with a course.yaml are the project's courses."""
    locales: ProjectFolder = "locales"
    """gettext catalogs: templates/*.pot and <lang>/LC_MESSAGES/*.po."""
    output: ProjectFolder = "build"
    """Where builds write packages and reports."""
    themes: ProjectFolder = "themes"
    """Project themes: themes/<name>/ overrides files of the built-in default theme."""
    build: BuildDefaults = BuildDefaults()
    branding: Branding | None = None
    """Logo, colours, font and cover of every course (image paths from the project root); a course's
    own ``branding:`` overrides it key by key."""
