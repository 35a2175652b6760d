"""Stage order only: load -> validate -> localize -> render -> package -> verify.

A build is made of units, one per (course, locale, format). Each unit is looked up in the content-addressed cache
(``unit_cache``) by the digest of everything it depends on before it is built, and kept there after; a build
always runs inside a cache scope (at least an in-process store), so work the stages memoize is shared by every
format and locale of the build.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from courseforge.cache import BUILD_MEMORY_BYTES, KeyPart, active_disk, ensure_store, lookup, remember, structured
from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.model.branding import ProjectBranding
from courseforge.model.course import Course
from courseforge.model.package import Package, PackageFormat
from courseforge.model.project import DEFAULT_BASE_IRI, DEFAULT_LIMITS, InputLimits
from courseforge.model.source import CourseSource
from courseforge.model.theme import Theme
from courseforge.stages.load import load_course
from courseforge.stages.load_theme import load_theme
from courseforge.stages.validate import validate
from courseforge.stages.validate.branding import resolve_branding
from courseforge.stages.validate.format_rules import check_formats
from courseforge.standards import FormatProfile, format_profiles, profile_for
from courseforge.unit_cache import (
    UNIT,
    UNIT_NAMESPACE,
    PackageFacts,
    UnitResult,
    catalog_inputs,
    course_inputs,
    unit_key,
)

if TYPE_CHECKING:
    from courseforge.i18n.status import MessageKey
    from courseforge.model.localized import LocaleCatalogs, LocalizedCourse
    from courseforge.model.report import VerificationReport
    from courseforge.stages.localize import TranslationGate

ALL_LOCALES = "all"


@dataclass(frozen=True)
class BuildOptions:
    formats: tuple[PackageFormat, ...] = ()
    """Package formats; empty: the course.yaml's ``formats``, else every format courseforge builds."""
    locales: tuple[str, ...] = ()
    """Locales to build; empty means the source language only; ``all`` adds every declared translation."""
    locales_dir: Path = Path("locales")
    locales_display: str = "locales"
    themes_dir: Path | None = None
    """The project's theme folder (``themes/``); None: the built-in default theme only."""
    themes_display: str = "themes"
    source_date_epoch: int | None = None
    strict: bool = False
    allow_incomplete: bool = False
    """Build translations below their required coverage (with a warning) instead of failing."""
    branding: ProjectBranding | None = None
    """courseforge.yaml's ``branding`` with its images (``load_theme.read_project_branding``)."""
    limits: InputLimits = DEFAULT_LIMITS
    """courseforge.yaml's ``limits``: what the loader reads at most (``stages/inputs.py``)."""
    base_iri: str | None = None
    """courseforge.yaml's ``base_iri``: xAPI and cmi5 activity ids are this plus the course id."""


def course_profiles(course: Course, options: BuildOptions) -> tuple[FormatProfile, ...]:
    """The formats to build: the command line's or courseforge.yaml's, else course.yaml's, else every standard's
    (``standards.format_profiles``, the formats ``stages.package`` registers a packager for: a lint answered from
    the cache loads no packager)."""
    formats = options.formats or course.manifest.formats or tuple(format_profiles())
    return tuple(profile_for(package_format) for package_format in formats)


@dataclass(frozen=True)
class BuiltPackage:
    package: Package
    report: VerificationReport
    gate: TranslationGate | None = None


@dataclass(frozen=True)
class CourseBuild:
    course: Course
    packages: tuple[BuiltPackage, ...]


def validate_source(course_dir: Path, display_dir: str, sink: DiagnosticSink,
                    options: BuildOptions | None = None,
                    warm: Callable[[CourseSource], None] | None = None) -> tuple[CourseSource, Course | None]:
    """Load and validate, then hold the course against the limits of every format it will be built in; the
    source read comes back too (its files key the course's build units). ``warm``: run on the source before it
    is validated (a build on several cores parses its pages on two)."""
    options = options or BuildOptions()
    source = load_course(course_dir, display_dir, sink, options.limits)
    if warm is not None:
        warm(source)
    course = validate(source, course_dir.name, sink)
    if course is not None:
        check_formats(course, course_profiles(course, options), options.base_iri is not None, sink)
    return source, course


def validate_course(course_dir: Path, display_dir: str, sink: DiagnosticSink,
                    options: BuildOptions | None = None) -> Course | None:
    return validate_source(course_dir, display_dir, sink, options)[1]


def lint_course(course_dir: Path, display_dir: str, sink: DiagnosticSink,
                options: BuildOptions | None = None) -> Course | None:
    """Load and validate, and check what the build will need (the theme); writes nothing."""
    options = options or BuildOptions()
    course = validate_course(course_dir, display_dir, sink, options)
    if course is None or course_theme(course, options, sink) is None:
        return None
    return course


def build_locales(course: Course, requested: tuple[str, ...]) -> tuple[str, ...]:
    """The requested locales in build order: the source language first, no repeats."""
    source = course.manifest.language
    declared = tuple(t.language for t in course.manifest.translations)
    wanted: list[str] = [source]
    for locale in requested:
        wanted.extend(declared if locale == ALL_LOCALES else (locale,))
    return tuple(dict.fromkeys(wanted if requested else [source]))


def course_theme(course: Course, options: BuildOptions, sink: DiagnosticSink) -> Theme | None:
    """The course's theme with its branding (the course's over the project's), both checked."""
    theme = load_theme(course.manifest.theme, options.themes_dir, options.themes_display,
                       course.manifest.origin_of("theme"), sink, options.limits)
    branding = resolve_branding(course, options.branding, sink)
    return theme.branded(branding) if theme is not None and branding is not None else None


def locale_catalogs(course: Course, locale: str, theme: Theme, options: BuildOptions,
                    sink: DiagnosticSink) -> LocaleCatalogs | None:
    """The project's catalogs for one locale, the player's layered over the theme's built-in ones."""
    from courseforge.i18n.pseudo import is_pseudo
    from courseforge.i18n.runtime import layered_catalog
    from courseforge.model.localized import LocaleCatalogs
    from courseforge.stages.load import load_locale_catalogs

    if is_pseudo(locale):
        return None
    found = load_locale_catalogs(options.locales_dir, options.locales_display, course.id, locale, sink,
                                 options.limits)
    is_source = locale == course.manifest.language
    if found.course is None and not is_source:
        report = sink.warning if options.allow_incomplete else sink.error
        report("i18n.no-catalog", f"{course.id}: no catalog for '{locale}': the package would be in the source "
               f"language '{course.manifest.language}' under the name '{locale}'", Location(found.course_path),
               hint=f"run courseforge i18n init {locale} and translate, or build with --allow-incomplete")
    ui = layered_catalog(theme.ui_catalogs.get(locale), found.ui)
    return LocaleCatalogs(course=found.course, ui=ui, course_path=found.course_path, ui_path=found.ui_path)


@dataclass(frozen=True)
class PreparedCourse:
    """A validated course and what all of its build units share: the theme, the formats and locales to build,
    and the digest of every input but a locale's catalogs (``unit_cache.course_inputs``)."""

    course: Course
    display_dir: str
    theme: Theme
    profiles: tuple[FormatProfile, ...]
    locales: tuple[str, ...]
    inputs: str

    @property
    def translations(self) -> frozenset[str]:
        return frozenset(target.language for target in self.course.manifest.translations)

    @cached_property
    def player_template(self) -> Collection[MessageKey]:
        """The entries of the player's template, counted against by every declared translation's gate (the
        course template's are what its localization looked up: ``LocalizedCourse.source_texts``); made once per
        course, on first use (a build of the source language alone never needs them)."""
        from courseforge.i18n.extract import ui_template
        from courseforge.i18n.status import template_keys

        return template_keys(ui_template(self.theme))

    def unit_count(self) -> int:
        return len(self.locales) * len(self.profiles)


def unit_settings(options: BuildOptions) -> KeyPart:
    """The options a unit's package or report depends on (the formats and locales name units instead)."""
    return (options.source_date_epoch, options.base_iri, options.allow_incomplete, options.strict,
            structured(options.limits), options.locales_display, options.themes_display)


def prepare_course(course_dir: Path, display_dir: str, options: BuildOptions, sink: DiagnosticSink,
                   warm: Callable[[CourseSource], None] | None = None) -> PreparedCourse | None:
    """Validate (``warm``: as ``validate_source``) and load the theme; None when that reports an error (or a
    warning under ``strict``)."""
    own = DiagnosticSink()
    try:
        source, course = validate_source(course_dir, display_dir, own, options, warm)
        if course is None or own.failed(options.strict):
            return None
        theme = course_theme(course, options, own)
        if theme is None:
            return None
        return PreparedCourse(course, display_dir, theme, course_profiles(course, options),
                              build_locales(course, options.locales),
                              course_inputs(source, course_dir.name, theme, unit_settings(options)))
    finally:
        sink.extend(own.items)


T_co = TypeVar("T_co", covariant=True)


class Outlet(Protocol[T_co]):
    """Where a build keeps each unit's package: in memory, in an output spool, or nowhere (lint)."""

    def fresh(self, package: Package, result: UnitResult) -> T_co:
        """A package just built and verified."""

    def cached(self, result: UnitResult) -> T_co | None:
        """A unit found in the cache; None when its package cannot be had (the unit is then rebuilt)."""


def package_from_zip(facts: PackageFacts, data: bytes) -> Package:
    """A package back from its zip bytes (its manifest is the file its format's profile names)."""
    import io
    import zipfile

    manifest_name = profile_for(facts.format).manifest
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = archive.read(manifest_name) if manifest_name else b""
    return Package(facts.format, facts.course_id, facts.locale, manifest, data)


class InMemory:
    """Packages kept in memory (``build_course``); a cached one is read back from the disk cache's blobs."""

    def fresh(self, package: Package, result: UnitResult) -> BuiltPackage:
        return BuiltPackage(package, result.report, result.gate)

    def cached(self, result: UnitResult) -> BuiltPackage | None:
        disk = active_disk()
        data = disk.read_blob(result.package.sha256) if disk is not None else None
        if data is None:
            return None
        return BuiltPackage(package_from_zip(result.package, data), result.report, result.gate)


class ReportsOnly:
    """What each unit reported, no package kept (lint): a cached unit needs no blob at all."""

    def fresh(self, package: Package, result: UnitResult) -> UnitResult:
        return result

    def cached(self, result: UnitResult) -> UnitResult:
        return result


def facts_of(package: Package) -> PackageFacts:
    return PackageFacts(package.format, package.course_id, package.locale, len(package.data), package.sha256)


def locale_inputs(prepared: PreparedCourse, locale: str, options: BuildOptions) -> KeyPart:
    return catalog_inputs(options.locales_dir, prepared.course.id, locale, options.limits)


def cached_units(prepared: PreparedCourse, locale: str, options: BuildOptions, outlet: Outlet[T_co],
                 sink: DiagnosticSink) -> tuple[KeyPart, dict[PackageFormat, T_co]]:
    """The locale's catalog inputs, and the units of this locale the cache has (their diagnostics reported)."""
    catalogs = locale_inputs(prepared, locale, options)
    found: dict[PackageFormat, T_co] = {}
    for profile in prepared.profiles:
        result = lookup(UNIT_NAMESPACE, unit_key(prepared.inputs, locale, catalogs, profile.format), UNIT)
        kept = outlet.cached(result) if result is not None else None
        if result is not None and kept is not None:
            sink.extend(result.diagnostics)
            found[profile.format] = kept
    return catalogs, found


def locale_gate(prepared: PreparedCourse, localized: LocalizedCourse, catalogs: LocaleCatalogs | None,
                options: BuildOptions, sink: DiagnosticSink) -> TranslationGate | None:
    """Only a declared translation has a gate: the player's template is not made for any other locale."""
    from courseforge.stages.localize import translation_gate

    if catalogs is None or localized.locale not in prepared.translations:
        return None
    return translation_gate(prepared.course, localized.locale, catalogs, localized.source_texts,
                            prepared.player_template, options.allow_incomplete, sink)


UNIT_STAGES = ("courseforge.stages.localize", "courseforge.stages.render", "courseforge.stages.package",
               "courseforge.stages.verify", "courseforge.stages.verify.own_build")
"""The modules building a unit imports on first use (``fresh_units``, ``build_package``)."""


def unit_stages_imported() -> bool:
    return all(name in sys.modules for name in UNIT_STAGES)


def import_unit_stages() -> None:
    """Import what building a unit runs, so that workers forked after this share the modules instead of each
    importing them again: the stages, and every format's packager and verifier, which their registries import on
    first use (some 20 ms a worker on the bench course)."""
    import importlib

    from courseforge.stages.package import default_packagers
    from courseforge.stages.verify import default_verifiers

    for name in UNIT_STAGES:
        importlib.import_module(name)
    default_packagers()
    default_verifiers()


def build_package(prepared: PreparedCourse, localized: LocalizedCourse, profile: FormatProfile,
                  options: BuildOptions, page: bytes) -> tuple[Package, VerificationReport]:
    """Render, package and verify one format (the rendered site is let go before verifying: the biggest
    courses would otherwise hold the site, the zip and what verify inflates at once). ``page``: the locale's
    ``index.html`` (``render.entry_page``), the same for every format."""
    from courseforge.stages.package import PackageInput, packager_for
    from courseforge.stages.render import render_site
    from courseforge.stages.verify import verify_package

    package = packager_for(profile.format).package(PackageInput(
        render_site(localized, prepared.theme, profile, page), prepared.course, localized.locale,
        options.base_iri or DEFAULT_BASE_IRI, options.source_date_epoch))
    report = verify_package(f"{prepared.display_dir}/{localized.locale}/{package.filename}", package.data)
    return package, report


def fresh_units(prepared: PreparedCourse, locale: str, profiles: tuple[FormatProfile, ...], catalogs_key: KeyPart,
                options: BuildOptions, outlet: Outlet[T_co], sink: DiagnosticSink) -> list[T_co]:
    """Build these formats of one locale, each unit kept in the cache with everything it reported.
    ``catalogs_key``: the catalog inputs the units were looked up by; when the catalogs changed while the build
    read them, nothing is kept (the entry's key would not name what was built)."""
    from courseforge.stages.localize import localize
    from courseforge.stages.render import entry_page
    from courseforge.stages.verify.own_build import for_sources

    course = prepared.course
    reported = DiagnosticSink()
    catalogs = locale_catalogs(course, locale, prepared.theme, options, reported)
    localized = localize(course, locale, catalogs, reported)
    gate = locale_gate(prepared, localized, catalogs, options, reported)
    keep = locale_inputs(prepared, locale, options) == catalogs_key
    sink.extend(reported.items)
    disk = active_disk()
    kept: list[T_co] = []
    page = entry_page(localized, prepared.theme)
    for profile in profiles:
        package, report = build_package(prepared, localized, profile, options, page)
        found = for_sources(course, report.diagnostics)
        sink.extend(found)
        result = UnitResult(facts_of(package), report, gate, (*reported.items, *found))
        if keep:
            if disk is not None:
                disk.put_blob(package.data, result.package.sha256)
            remember(UNIT_NAMESPACE, unit_key(prepared.inputs, locale, catalogs_key, profile.format), result, UNIT)
        kept.append(outlet.fresh(package, result))
        del package
    return kept


def build_locale(prepared: PreparedCourse, locale: str, options: BuildOptions, outlet: Outlet[T_co],
                 sink: DiagnosticSink) -> tuple[T_co, ...]:
    """Every format of one locale, in format order: from the cache where it has them, else built."""
    catalogs, found = cached_units(prepared, locale, options, outlet, sink)
    missing = tuple(profile for profile in prepared.profiles if profile.format not in found)
    if missing:
        built = fresh_units(prepared, locale, missing, catalogs, options, outlet, sink)
        found.update(zip((profile.format for profile in missing), built, strict=True))
    return tuple(found[profile.format] for profile in prepared.profiles)


@dataclass(frozen=True)
class BuiltLocales(Generic[T_co]):
    """Some locales of a course built: their units in build order, and the locales still to be built after them."""

    course: Course
    units: tuple[T_co, ...]
    later: tuple[str, ...]


def build_in_stages(course_dir: Path, display_dir: str, options: BuildOptions, sink: DiagnosticSink,
                    outlet: Outlet[T_co]) -> Iterator[BuiltLocales[T_co]]:
    """Every unit of one course, in one process: the source language's yielded as soon as they are built (a watch
    session shows them before the translations are done), then the translations'. Stops at the first stage whose
    diagnostics stop the build (an error in ``sink`` says so). Consume it in one go, in the thread it started in:
    the build's memory store is in scope between the stages."""
    with ensure_store(BUILD_MEMORY_BYTES):
        errors_before = sink.error_count
        prepared = prepare_course(course_dir, display_dir, options, sink)
        if prepared is None:
            return
        source, translations = prepared.locales[:1], prepared.locales[1:]
        for locales, later in ((source, translations), (translations, ())):
            if not locales:
                continue
            units = tuple(unit for locale in locales for unit in build_locale(prepared, locale, options, outlet, sink))
            if sink.error_count > errors_before:
                return
            yield BuiltLocales(prepared.course, units, later)


def build_units(course_dir: Path, display_dir: str, options: BuildOptions, sink: DiagnosticSink,
                outlet: Outlet[T_co]) -> tuple[Course, tuple[T_co, ...]] | None:
    """Every unit of one course, in one process. None when diagnostics stop the build."""
    errors_before = sink.error_count
    stages = list(build_in_stages(course_dir, display_dir, options, sink, outlet))
    if not stages or stages[-1].later or sink.error_count > errors_before:
        return None
    return stages[-1].course, tuple(unit for stage in stages for unit in stage.units)


def build_course(course_dir: Path, display_dir: str, options: BuildOptions,
                 sink: DiagnosticSink) -> CourseBuild | None:
    """Everything up to verified package bytes, in memory. None when diagnostics stop the build."""
    built = build_units(course_dir, display_dir, options, sink, InMemory())
    return CourseBuild(built[0], built[1]) if built is not None else None


def check_course(course_dir: Path, display_dir: str, options: BuildOptions, sink: DiagnosticSink) -> bool:
    """What ``build_course`` reports, keeping no package (lint); False when the build would stop."""
    return build_units(course_dir, display_dir, options, sink, ReportsOnly()) is not None
