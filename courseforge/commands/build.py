"""``courseforge build``: lint, render, package, verify; write outputs only when everything succeeded."""

from __future__ import annotations

import json
from pathlib import Path

import click

from courseforge.commands.common import (
    discover_courses,
    display_path,
    emit_diagnostics,
    source_date_epoch,
    summary_line,
    write_atomically,
)
from courseforge.diagnostics import DiagnosticSink
from courseforge.pipeline import BuildOptions, BuiltPackage, CourseBuild, build_course


def package_path(out: Path, built: BuiltPackage) -> Path:
    package = built.package
    return out / package.course_id / package.locale / package.filename


def build_report(out: Path, builds: list[CourseBuild]) -> bytes:
    """Machine-readable record of what was built (for CI), deterministic like the packages."""
    entries = [
        {
            "course": build.course.id,
            "version": build.course.manifest.version,
            "locale": built.package.locale,
            "format": built.package.format.value,
            "path": package_path(out, built).as_posix(),
            "bytes": len(built.package.data),
            "sha256": built.package.sha256,
            "verified": built.report.ok,
        }
        for build in builds
        for built in build.packages
    ]
    return (json.dumps({"packages": entries}, indent=2, sort_keys=True) + "\n").encode()


def write_outputs(out: Path, builds: list[CourseBuild]) -> None:
    for build in builds:
        for built in build.packages:
            write_atomically(package_path(out, built), built.package.data)
    write_atomically(out / "reports" / "build.json", build_report(out, builds))


def print_summary(out: Path, builds: list[CourseBuild]) -> None:
    for build in builds:
        for built in build.packages:
            package = built.package
            click.echo(f"{display_path(package_path(out, built))}  {len(package.data) / 1024:,.1f} KiB  "
                       f"sha256 {package.sha256[:12]}  {len(build.course.screens)} screens  "
                       f"{'verified' if built.report.ok else 'NOT VERIFIED'}")


@click.command()
@click.argument("courses", nargs=-1, type=click.Path(file_okay=False))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("build"),
              show_default=True, help="Output folder.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="How to print diagnostics.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--locale", "locales", default="",
              help="Comma-separated locales to build besides the source language (de,fr), 'all' for every "
                   "declared translation, or a pseudo-locale (en-XA, ar-XB).")
def build(courses: tuple[str, ...], out: Path, output_format: str, strict: bool, locales: str) -> None:
    """Build SCORM 1.2 packages to OUT/<course>/<locale>/scorm12.zip."""
    folders = discover_courses(courses)
    if not folders:
        raise click.UsageError("no courses found: pass course folders or run where ./courses/ is")
    sink = DiagnosticSink()
    requested = tuple(part.strip() for part in locales.split(",") if part.strip())
    options = BuildOptions(locales=requested, source_date_epoch=source_date_epoch(), strict=strict)
    builds = [b for folder in folders if (b := build_course(folder, display_path(folder), options, sink))]
    emit_diagnostics(sink, output_format)
    if sink.failed(strict) or len(builds) != len(folders):
        click.echo(f"build failed: {summary_line(sink)}; nothing was written", err=True)
        raise SystemExit(1)
    write_outputs(out, builds)
    print_summary(out, builds)
    click.echo(f"built {sum(len(b.packages) for b in builds)} package(s) from {len(builds)} course(s): "
               f"{summary_line(sink)}")
