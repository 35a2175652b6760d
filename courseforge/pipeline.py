"""Stage order only: load -> validate -> localize -> render -> package -> verify."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.i18n.extract import course_template, ui_template
from courseforge.i18n.pseudo import is_pseudo
from courseforge.i18n.runtime import layered_catalog
from courseforge.model.branding import ProjectBranding
from courseforge.model.course import Course
from courseforge.model.localized import LocaleCatalogs
from courseforge.model.package import Package, PackageFormat
from courseforge.model.project import DEFAULT_BASE_IRI, DEFAULT_LIMITS, InputLimits
from courseforge.model.report import VerificationReport
from courseforge.model.theme import Theme
from courseforge.stages.load import load_course, load_locale_catalogs
from courseforge.stages.load_theme import load_theme
from courseforge.stages.localize import TranslationGate, localize, translation_gate
from courseforge.stages.package import PackageInput, available_formats, packager_for
from courseforge.stages.render import render_site
from courseforge.stages.validate import validate
from courseforge.stages.validate.branding import resolve_branding
from courseforge.stages.validate.format_rules import check_formats
from courseforge.stages.verify import verify_package
from courseforge.stages.verify.own_build import for_sources
from courseforge.standards import FormatProfile, profile_for

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
    """The formats to build: the command line's or courseforge.yaml's, else course.yaml's, else all."""
    formats = options.formats or course.manifest.formats or available_formats()
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


def validate_course(course_dir: Path, display_dir: str, sink: DiagnosticSink,
                    options: BuildOptions | None = None) -> Course | None:
    """Load and validate, then hold the course against the limits of every format it will be built in."""
    options = options or BuildOptions()
    source = load_course(course_dir, display_dir, sink, options.limits)
    course = validate(source, course_dir.name, sink)
    if course is not None:
        check_formats(course, course_profiles(course, options), options.base_iri is not None, sink)
    return course


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


def build_course(course_dir: Path, display_dir: str, options: BuildOptions,
                 sink: DiagnosticSink) -> CourseBuild | None:
    """Everything up to verified package bytes, in memory. None when diagnostics stop the build."""
    errors_before = sink.error_count
    course = validate_course(course_dir, display_dir, sink, options)
    if course is None or sink.error_count > errors_before or (options.strict and sink.warning_count):
        return None
    theme = course_theme(course, options, sink)
    if theme is None:
        return None
    player_template = ui_template(theme)
    course_messages = course_template(course)  # counted against by every translated locale's gate
    built = []
    for locale in build_locales(course, options.locales):
        catalogs = locale_catalogs(course, locale, theme, options, sink)
        gate = translation_gate(course, locale, catalogs, course_messages, player_template, options.allow_incomplete,
                                sink) if catalogs is not None else None
        localized = localize(course, locale, catalogs, sink)
        for profile in course_profiles(course, options):
            site = render_site(localized, theme, profile)
            unit = PackageInput(site, course, localized.locale, options.base_iri or DEFAULT_BASE_IRI,
                                options.source_date_epoch)
            package = packager_for(profile.format).package(unit)
            report = verify_package(f"{display_dir}/{localized.locale}/{package.filename}", package.data)
            sink.extend(for_sources(course, report.diagnostics))
            built.append(BuiltPackage(package, report, gate))
    if sink.error_count > errors_before:
        return None
    return CourseBuild(course, tuple(built))
