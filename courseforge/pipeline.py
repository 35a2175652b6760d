"""Stage order only: load -> validate -> localize -> render -> package -> verify."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Course
from courseforge.model.package import Package, PackageFormat
from courseforge.model.report import VerificationReport
from courseforge.stages.load import load_course
from courseforge.stages.localize import localize_source
from courseforge.stages.package import packager_for
from courseforge.stages.render import render_site
from courseforge.stages.validate import validate
from courseforge.stages.verify import verify_package
from courseforge.theme import theme_dir


@dataclass(frozen=True)
class BuildOptions:
    formats: tuple[PackageFormat, ...] = (PackageFormat.SCORM12,)
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


def build_course(course_dir: Path, display_dir: str, options: BuildOptions,
                 sink: DiagnosticSink) -> CourseBuild | None:
    """Everything up to verified package bytes, in memory. None when diagnostics stop the build."""
    errors_before = sink.error_count
    course = lint_course(course_dir, display_dir, sink)
    if course is None or sink.error_count > errors_before or (options.strict and sink.warning_count):
        return None
    localized = localize_source(course)
    site = render_site(localized, theme_dir(course.manifest.theme))
    built = []
    for package_format in options.formats:
        package = packager_for(package_format).package(site, localized.locale, options.source_date_epoch)
        report = verify_package(f"{display_dir}/{localized.locale}/{package.filename}", package.data)
        sink.extend(report.diagnostics)
        built.append(BuiltPackage(package, report))
    return CourseBuild(course, tuple(built))
