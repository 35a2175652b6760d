"""``courseforge build``: lint, render, package, verify; write outputs only when everything succeeded."""

from __future__ import annotations

import json
from pathlib import Path

import click

from courseforge.commands.common import (
    current_project,
    project_courses,
    project_options,
    source_date_epoch,
    summary_line,
    write_atomically,
)
from courseforge.commands.output import Reporter, reporting_options
from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.pipeline import BuiltPackage, CourseBuild, build_course
from courseforge.project import Project
from courseforge.stages.package import available_formats


def package_path(out: Path, built: BuiltPackage) -> Path:
    package = built.package
    return out / package.course_id / package.locale / package.filename


def package_entries(project: Project, out: Path, builds: list[CourseBuild]) -> list[dict[str, object]]:
    return [
        {
            "course": build.course.id,
            "version": build.course.manifest.version,
            "locale": built.package.locale,
            "format": built.package.format.value,
            "path": project.display(package_path(out, built)),
            "bytes": len(built.package.data),
            "sha256": built.package.sha256,
            "verified": built.report.ok,
            "translation": built.gate.to_json() if built.gate else None,
        }
        for build in builds
        for built in build.packages
    ]


def build_report(entries: list[dict[str, object]]) -> bytes:
    """Machine-readable record of what was built (for CI), deterministic like the packages."""
    return (json.dumps({"packages": entries}, indent=2, sort_keys=True) + "\n").encode()


def write_outputs(out: Path, builds: list[CourseBuild], report: bytes) -> None:
    for build in builds:
        for built in build.packages:
            write_atomically(package_path(out, built), built.package.data)
    write_atomically(out / "reports" / "build.json", report)


def package_line(project: Project, out: Path, build: CourseBuild, built: BuiltPackage) -> str:
    package = built.package
    incomplete = "  INCOMPLETE TRANSLATION (allowed)" if built.gate and built.gate.allowed_incomplete else ""
    return (f"{project.display(package_path(out, built))}  {len(package.data) / 1024:,.1f} KiB  "
            f"sha256 {package.sha256[:12]}  {len(build.course.screens)} screens  "
            f"{'verified' if built.report.ok else 'NOT VERIFIED'}{incomplete}")


def parse_formats(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[PackageFormat, ...]:
    if not value:
        return ()
    known = {f.value: f for f in available_formats()}
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise click.BadParameter(f"unknown format {', '.join(map(repr, unknown))}; available: {', '.join(known)}")
    return tuple(dict.fromkeys(known[name] for name in names))


def parse_locales(value: str | None, project: Project) -> tuple[str, ...]:
    if value is None:
        return project.config.build.locales
    return tuple(part.strip() for part in value.split(",") if part.strip())


@click.command()
@click.argument("courses", nargs=-1)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: the project's output folder, build/).")
@click.option("--locale", "locales", default=None,
              help="Comma-separated locales to build besides the source language (de,fr), 'all' for every "
                   "declared translation, or a pseudo-locale (en-XA, ar-XB); default: build.locales.")
@click.option("--format", "formats", default=None, callback=parse_formats,
              help="Comma-separated package formats (default: courseforge.yaml's build.formats).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--allow-incomplete", is_flag=True,
              help="Build translations below their required coverage (recorded in the build report).")
@reporting_options
def build(courses: tuple[str, ...], out: Path | None, locales: str | None, formats: tuple[PackageFormat, ...],
          strict: bool, allow_incomplete: bool, reporter: Reporter) -> None:
    """Build verified packages to OUT/<course>/<locale>/<format>.zip and OUT/reports/build.json.

    Nothing is written unless every course builds: a failed build leaves earlier outputs as they were.
    A declared translation below its 'required' coverage fails the build.

    \b
    Example:
      courseforge build --locale all
      courseforge build workplace-safety --locale de,fr --json
    """
    project = current_project(reporter)
    folders = project_courses(project, courses)
    out = (out or project.output_dir).resolve()
    options = project_options(project, locales=parse_locales(locales, project), formats=formats, strict=strict,
                              allow_incomplete=allow_incomplete, source_date_epoch=source_date_epoch())
    sink = DiagnosticSink()
    builds: list[CourseBuild] = []
    with reporter.progress("building", len(folders)) as step:
        for folder in folders:
            built = build_course(folder, project.display(folder), options, sink)
            if built is not None:
                builds.append(built)
            step(folder.name)
    reporter.diagnostics(sink)
    failed = sink.failed(strict) or len(builds) != len(folders)
    entries = package_entries(project, out, builds) if not failed else []
    if not failed:
        write_outputs(out, builds, build_report(entries))
    reporter.document({"ok": not failed, "out": project.display(out), "packages": entries,
                       "errors": sink.error_count, "warnings": sink.warning_count,
                       "diagnostics": [d.to_json() for d in sink]})
    if failed:
        reporter.failure(f"build failed: {summary_line(sink)}; nothing was written")
        raise SystemExit(1)
    for course_build in builds:
        for built_package in course_build.packages:
            reporter.result(package_line(project, out, course_build, built_package))
    reporter.info(f"built {len(entries)} package(s) from {len(builds)} course(s): {summary_line(sink)}")
