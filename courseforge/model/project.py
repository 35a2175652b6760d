"""``courseforge.yaml``: where a project keeps its courses, catalogs, themes and outputs, and its defaults.

Validated like course.yaml (unknown keys refused, every error at its line). Later parts add their own
sections (publish targets) as new fields here.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated

from pydantic import AfterValidator, Field

from courseforge.i18n.pseudo import canonical
from courseforge.model.branding import Branding
from courseforge.model.course import Node, language_problem
from courseforge.model.package import PackageFormat
from courseforge.model.publish import PublishSettings
from courseforge.model.publish import PublishTarget as PublishTarget  # its keys in 'did you mean' hints

ALL_LOCALES = "all"


def inside_project(value: str) -> str:
    """A folder named in courseforge.yaml is relative and stays inside the project."""
    path = PurePosixPath(value)
    if not value.strip() or path.is_absolute() or ".." in path.parts or "\\" in value:
        raise ValueError("must be a relative folder inside the project (no '..', not absolute)")
    return path.as_posix()


ProjectFolder = Annotated[str, AfterValidator(inside_project)]


def build_locale(value: str) -> str:
    """A locale to build: ``all``, a declared pseudo-locale (as it is spelled in courseforge), or a language
    Babel knows (:func:`courseforge.model.course.language_problem`); it names folders, so nothing else."""
    if value == ALL_LOCALES:
        return value
    pseudo = canonical(value)
    if pseudo is not None:
        return pseudo
    problem = language_problem(value)
    if problem is not None:
        raise ValueError(f"'{value}' {problem}; use a language such as de or pt-BR, 'all', or a pseudo-locale "
                         "(en-XA, ar-XB)")
    return value


BuildLocale = Annotated[str, AfterValidator(build_locale)]

DEFAULT_BASE_IRI = "urn:courseforge:"
"""Activity ids of a project that names no ``base_iri``: valid IRIs, but owned by nobody (lint warns)."""
BASE_IRI_SCHEMES = ("https://", "http://", "urn:", "tag:")


def base_iri(value: str) -> str:
    """An absolute IRI that a course id can be appended to: it ends in ``/``, ``:`` or ``#``."""
    if not value.startswith(BASE_IRI_SCHEMES) or any(c.isspace() or c in '<>"{}|\\^`' for c in value):
        raise ValueError("must be an absolute IRI (https://..., urn:..., tag:...) without spaces")
    if not value.endswith(("/", ":", "#")):
        raise ValueError("must end in '/', ':' or '#' so that a course id can follow it")
    return value


BaseIri = Annotated[str, AfterValidator(base_iri)]


class InputLimits(Node):
    """What the loader reads at most, in megabytes (1 MB = 1,000,000 bytes), checked from the file system
    before a file is read. The defaults are far above real courses (a long page or a 500-question quiz is
    well under 1 MB, a catalog a few MB) and below what LMSs accept for an upload."""

    text_file_mb: int = Field(default=10, ge=1, le=10_000)
    """Each YAML, Markdown or PO file."""
    asset_file_mb: int = Field(default=50, ge=1, le=100_000)
    """Each other file of a course or theme folder (images, video, fonts) and each branding image."""
    course_mb: int = Field(default=500, ge=1, le=1_000_000)
    """Every file of one course folder (or theme folder) together."""
    yaml_nodes: int = Field(default=200_000, ge=1_000, le=10_000_000)
    """Values (keys, scalars, lists, mappings) in one YAML document once its aliases are expanded: an alias
    bomb stops here before it is built. A question is about 20 values, so this is some 10,000 questions
    per file, and about 200 MB once validated."""


DEFAULT_LIMITS = InputLimits()


class BuildDefaults(Node):
    """What ``courseforge build`` does when the command line does not say."""

    locales: tuple[BuildLocale, ...] = ()
    """Locales to build besides each course's source language: tags, ``all``, or pseudo-locales."""
    formats: tuple[PackageFormat, ...] = ()
    """Package formats; empty: each course.yaml's ``formats``, else every format courseforge builds."""
    jobs: int | None = Field(default=None, ge=1, le=1024)
    """Processes a build runs on (``--jobs``); none: one per CPU this process may use. 1 builds in-process."""
    cache_dir: ProjectFolder | None = None
    """The build cache's folder (``--cache-dir``, ``$COURSEFORGE_CACHE_DIR``); none: ``<output>/.cache``."""
    cache_max_mb: int = Field(default=2000, ge=1, le=10_000_000)
    """After a build, the cache's least recently used entries beyond this many megabytes are removed."""


class ReviewSettings(Node):
    """Where ``courseforge serve`` (the review LMS) keeps its data; both relative to the project root."""

    database: ProjectFolder | None = None
    """The SQLite database (users, packages, attempts); none: ``<output>/review/review.sqlite``."""
    packages: ProjectFolder | None = None
    """The content-addressed package store (zips by sha256, extracted once); none: ``<output>/review/packages``."""
    max_upload_mb: int = Field(default=512, ge=1, le=100_000)
    """The largest package upload accepted, in MiB (larger: HTTP 413)."""


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
    base_iri: BaseIri | None = None
    """Where the project's xAPI and cmi5 activity ids live (``https://learning.example.com/courses/``): an
    IRI the organisation controls. Each course's ids are this plus its id."""
    limits: InputLimits = InputLimits()
    """Size limits of the files read (docs/authoring.md, "Limits and input rules")."""
    branding: Branding | None = None
    """Logo, colours, font and cover of every course (image paths from the project root); a course's
    own ``branding:`` overrides it key by key."""
    review: ReviewSettings = ReviewSettings()
    """The review LMS's storage (``courseforge serve``)."""
    publish: PublishSettings = PublishSettings()
    """Where ``courseforge publish`` sends packages (named targets; secrets from environment variables)."""
