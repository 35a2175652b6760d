"""Stage order only: load -> validate -> localize -> render -> package -> verify."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.i18n.pseudo import is_pseudo
from courseforge.i18n.runtime import THEME_LANGUAGE
from courseforge.model.course import Course
from courseforge.model.package import Package, PackageFormat
from courseforge.model.report import VerificationReport
from courseforge.stages.load import load_course, load_locale_catalogs
from courseforge.stages.localize import localize
from courseforge.stages.package import packager_for
from courseforge.stages.render import render_site
from courseforge.stages.validate import validate
from courseforge.stages.verify import verify_package
from courseforge.theme import theme_dir

ALL_LOCALES = "all"


@dataclass(frozen=True)
class BuildOptions:
    formats: tuple[PackageFormat, ...] = (PackageFormat.SCORM12,)
    locales: tuple[str, ...] = ()
    """Locales to build; empty means the source language only; ``all`` adds every declared translation."""
    locales_dir: Path = Path("locales")
    source_date_epoch: int | None = None
    strict: bool = False


@dataclass(frozen=True)
class BuiltPackage:
    package: Package
    report: VerificationReport


@dataclass(frozen=True)
class CourseBuild:
    course: Course
    packages: tuple[BuiltPackage, ...]


def lint_course(course_dir: Path, display_dir: str, sink: DiagnosticSink) -> Course | None:
    """Load and validate; writes nothing."""
    source = load_course(course_dir, display_dir, sink)
    return validate(source, course_dir.name, sink)


def build_locales(course: Course, requested: tuple[str, ...]) -> tuple[str, ...]:
    """The requested locales in build order: the source language first, no repeats."""
    source = course.manifest.language
    declared = tuple(t.language for t in course.manifest.translations)
    wanted: list[str] = [source]
    for locale in requested:
        wanted.extend(declared if locale == ALL_LOCALES else (locale,))
    return tuple(dict.fromkeys(wanted if requested else [source]))


def build_course(course_dir: Path, display_dir: str, options: BuildOptions,
                 sink: DiagnosticSink) -> CourseBuild | None:
    """Everything up to verified package bytes, in memory. None when diagnostics stop the build."""
    errors_before = sink.error_count
    course = lint_course(course_dir, display_dir, sink)
    if course is None or sink.error_count > errors_before or (options.strict and sink.warning_count):
        return None
    theme = theme_dir(course.manifest.theme)
    if not theme.is_dir():
        sink.error("course.unknown-theme", f"theme '{course.manifest.theme}' not found", course.manifest.origin,
                   hint="use 'theme: default' or add templates/<theme>/")
        return None
    built = []
    for locale in build_locales(course, options.locales):
        catalogs = None
        is_source = locale == course.manifest.language
        if not is_pseudo(locale) and not (is_source and locale == THEME_LANGUAGE):
            catalogs = load_locale_catalogs(options.locales_dir, options.locales_dir.as_posix(), course.id,
                                            locale, sink)
            if catalogs.course is None and not is_source:
                sink.warning("i18n.no-catalog", f"{course.id}: no catalog for '{locale}'; the whole course falls "
                             "back to the source language", Location(catalogs.course_path),
                             hint=f"run courseforge i18n init {locale}, then translate")
        localized = localize(course, locale, catalogs, sink)
        site = render_site(localized, theme)
        for package_format in options.formats:
            package = packager_for(package_format).package(site, localized.locale, options.source_date_epoch)
            report = verify_package(f"{display_dir}/{localized.locale}/{package.filename}", package.data)
            sink.extend(report.diagnostics)
            built.append(BuiltPackage(package, report))
    if sink.error_count > errors_before:
        return None
    return CourseBuild(course, tuple(built))
