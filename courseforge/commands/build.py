"""``courseforge build``: lint, render, package, verify; write outputs only when everything succeeded."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import click

from courseforge.cache import file_sha256
from courseforge.commands.build_cache import BuildCache, build_cache, cache_folder
from courseforge.commands.common import (
    current_project,
    project_options,
    source_date_epoch,
    summary_line,
)
from courseforge.commands.output import Reporter, reporting_options
from courseforge.commands.outputs import (
    REPORT,
    OutputFile,
    OutputProblem,
    check_output_folder,
    output_spool,
    write_outputs,
)
from courseforge.commands.selection import CourseSelector, parse_formats, parse_locales, selection_options
from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.parallel import available_cores
from courseforge.project import Project

if TYPE_CHECKING:  # the pipeline is imported when a build runs, not to print --help
    from courseforge.build_plan import StagedBuild, StagedPackage
    from courseforge.model.package import PackageFormat
    from courseforge.pipeline import BuildOptions, CourseBuild


def package_path(out: Path, built: StagedPackage) -> Path:
    package = built.package
    return out / package.course_id / package.locale / package.filename


def package_entries(project: Project, out: Path, builds: list[StagedBuild]) -> list[dict[str, object]]:
    return [
        {
            "course": build.course.id,
            "version": build.course.manifest.version,
            "locale": built.package.locale,
            "format": built.package.format.value,
            "path": project.display(package_path(out, built)),
            "bytes": built.package.size,
            "sha256": built.package.sha256,
            "verified": built.result.report.ok,
            "translation": built.result.gate.to_json() if built.result.gate else None,
        }
        for build in builds
        for built in build.packages
    ]


def kept_outputs(out: Path, rebuilt: set[str]) -> tuple[list[dict[str, object]], dict[PurePosixPath, OutputFile]]:
    """The previous build's packages of courses this build does not rebuild, so building one course keeps
    the others' packages (and their lines in build.json). Only packages that still match their recorded
    sha256 are kept; anything else of the old tree goes."""
    try:
        previous = json.loads((out / REPORT).read_bytes())
        listed = previous["packages"]
    except (OSError, ValueError, KeyError, TypeError):
        return [], {}
    entries: list[dict[str, object]] = []
    files: dict[PurePosixPath, OutputFile] = {}
    for entry in listed if isinstance(listed, list) else []:
        try:
            relative = PurePosixPath(str(entry["course"]), str(entry["locale"]), f"{entry['format']}.zip")
            if entry["course"] in rebuilt or ".." in relative.parts:
                continue
            path = out / relative
        except (KeyError, TypeError):
            continue
        if not path.is_symlink() and file_sha256(path) == entry.get("sha256"):
            entries.append(entry)
            files[relative] = path
    return entries, files


def written_builds(out: Path, builds: list[StagedBuild]) -> list[CourseBuild]:
    """The packages just written, read back for the preview."""
    from courseforge.pipeline import BuiltPackage, CourseBuild, package_from_zip

    return [CourseBuild(build.course, tuple(
        BuiltPackage(package_from_zip(built.package, package_path(out, built).read_bytes()), built.result.report,
                     built.result.gate) for built in build.packages)) for build in builds]


def preview_and_report(project: Project, out: Path, builds: list[StagedBuild], document: dict[str, object],
                       reporter: Reporter) -> None:
    """``build --preview``: every scenario under every profile on the packages just built; the preview's
    report goes into the build's JSON document, a failed preview fails the command (the packages stay)."""
    from courseforge.commands.preview import PREVIEW_DIR, chosen_profiles, run_preview

    code, preview_document = run_preview(written_builds(out, builds), [], chosen_profiles(None), (), None, None,
                                         project, out / PREVIEW_DIR, reporter)
    document["preview"] = preview_document
    document["ok"] = code == 0
    if code:
        reporter.document(document)
        raise SystemExit(code)


def build_report(entries: list[dict[str, object]]) -> bytes:
    """Machine-readable record of what was built (for CI), deterministic like the packages."""
    return (json.dumps({"packages": entries}, indent=2, sort_keys=True) + "\n").encode()


def output_files(builds: list[StagedBuild], report: bytes) -> dict[PurePosixPath, OutputFile]:
    """Everything one build writes, relative to --out: the package tree (spooled) and the report describing it."""
    files: dict[PurePosixPath, OutputFile] = {
        PurePosixPath(built.package.course_id, built.package.locale, built.package.filename): built.path
        for build in builds for built in build.packages}
    return {**files, REPORT: report}


def report_output_problem(project: Project, problem: OutputProblem, sink: DiagnosticSink) -> None:
    sink.error(problem.code, problem.message, Location(project.display(problem.path)), problem.hint)


def output_folder_problem(project: Project, out: Path, sink: DiagnosticSink) -> bool:
    """Check --out before any work, so a blocked or read-only folder fails at once with nothing written."""
    try:
        check_output_folder(out, project.root)
    except OutputProblem as problem:
        report_output_problem(project, problem, sink)
        return True
    return False


def commit_outputs(project: Project, out: Path, files: dict[PurePosixPath, OutputFile], lock_timeout: float,
                   reporter: Reporter, sink: DiagnosticSink) -> bool:
    """Swap the new outputs in as one transaction (commands/outputs.py); False, with a diagnostic, if not."""
    def waiting(holder: str) -> None:
        reporter.info(f"waiting up to {lock_timeout:g} s for another build ({holder}) writing to "
                      f"{project.display(out)}")
    try:
        write_outputs(out, files, lock_timeout=lock_timeout, on_wait=waiting)
    except OutputProblem as problem:
        report_output_problem(project, problem, sink)
        return False
    return True


def package_line(project: Project, out: Path, build: StagedBuild, built: StagedPackage) -> str:
    package, gate = built.package, built.result.gate
    incomplete = "  INCOMPLETE TRANSLATION (allowed)" if gate and gate.allowed_incomplete else ""
    return (f"{project.display(package_path(out, built))}  {package.size / 1024:,.1f} KiB  "
            f"sha256 {package.sha256[:12]}  {len(build.course.screens)} screens  "
            f"{'verified' if built.result.report.ok else 'NOT VERIFIED'}{incomplete}")


def build_courses(project: Project, folders: list[Path], options: BuildOptions, spool: Path, jobs: int,
                  reporter: Reporter, sink: DiagnosticSink) -> tuple[list[StagedBuild], int]:
    """Every course's packages staged in ``spool`` (``build_plan``): the courses that built, and how many
    packages came from the cache."""
    from courseforge.build_plan import BuildRun, Spool

    run = BuildRun(options, Spool(spool), jobs, reporter.progress)
    built = run.run([(folder, project.display(folder)) for folder in folders], sink)
    units = sum(prepared.unit_count() for prepared in run.prepared if prepared is not None)
    reporter.detail(f"{run.cached} of {units} package(s) from the cache; {len(run.tasks)} task(s) built on "
                    f"{run.processes} process(es)")
    return [build for build in built if build is not None], run.cached


def finish_cache(cache: BuildCache, succeeded: bool, reporter: Reporter) -> None:
    pruned = cache.finish(succeeded)
    if pruned is not None and pruned.files:
        reporter.detail(f"cache: removed {pruned.files} least recently used entries ({pruned.bytes / 1e6:,.1f} MB), "
                        f"{pruned.kept_bytes / 1e6:,.1f} MB kept")


def build_and_commit(project: Project, folders: list[Path], out: Path, options: BuildOptions, jobs: int,
                     cache_dir: Path | None, lock_timeout: float, reporter: Reporter,
                     sink: DiagnosticSink) -> tuple[list[StagedBuild], list[dict[str, object]], int] | None:
    """Build into a spool, then swap the outputs in: the builds, their build.json entries and how many packages
    came from the cache; None when a course or the writing failed (nothing written)."""
    with output_spool(out) as spool, build_cache(project, cache_dir, out=out, spool=spool) as cache:
        builds, cached = build_courses(project, folders, options, spool, jobs, reporter, sink)
        failed = sink.failed(options.strict) or len(builds) != len(folders)
        entries = [] if failed else package_entries(project, out, builds)
        if not failed:
            kept_entries, kept_files = kept_outputs(out, {b.course.id for b in builds})
            report = build_report(sorted([*kept_entries, *entries], key=lambda e: str(e["course"])))
            failed = not commit_outputs(project, out, {**kept_files, **output_files(builds, report)}, lock_timeout,
                                        reporter, sink)
        finish_cache(cache, not failed, reporter)
    return None if failed else (builds, entries, cached)


@click.command()
@click.argument("courses", nargs=-1)
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: the project's output folder, build/).")
@click.option("--locale", "locales", default=None,
              help="Comma-separated locales to build besides the source language (de,fr), 'all' for every "
                   "declared translation, or a pseudo-locale (en-XA, ar-XB); default: build.locales.")
@click.option("--format", "formats", default=None, callback=parse_formats,
              help="Comma-separated package formats (default: courseforge.yaml's build.formats).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--allow-incomplete", is_flag=True,
              help="Build translations below their required coverage (recorded in the build report).")
@click.option("--lock-timeout", type=click.FloatRange(min=0), default=10.0, show_default=True, metavar="SECONDS",
              help="How long to wait for another build writing to the same output folder before failing.")
@click.option("--preview", "then_preview", is_flag=True,
              help="Then run 'courseforge preview' on the packages just built (every scenario and profile).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes to build on (default: build.jobs, else one per CPU this process may use); 1 builds "
                   "in this process.")
@click.option("--cache-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="The build cache's folder (default: $COURSEFORGE_CACHE_DIR, build.cache_dir, else OUT/.cache).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the build cache.")
@selection_options
@reporting_options
def build(courses: tuple[str, ...], out: Path | None, locales: str | None, formats: tuple[PackageFormat, ...],
          strict: bool, allow_incomplete: bool, lock_timeout: float, then_preview: bool, jobs: int | None,
          cache_dir: Path | None, no_cache: bool, selector: CourseSelector, reporter: Reporter) -> None:
    """Build verified packages to OUT/<course>/<locale>/<format>.zip and OUT/reports/build.json.

    Nothing is written unless every course builds: a failed build leaves earlier outputs as they were.
    The new outputs replace the previous build's whole, in one step, even if the build is killed; other
    files in OUT (xliff/, ...) stay. A declared translation below its 'required' coverage fails the build.
    A course, locale and format whose inputs did not change since a build that kept it in the cache
    (OUT/.cache) is not built again; locales and formats are built on every CPU.

    \b
    Example:
      courseforge build --locale all
      courseforge build workplace-safety --locale de,fr --json
      courseforge build --changed-since origin/main --shard 2/4   # one job of a CI matrix
    """
    project = current_project(reporter)
    selection = selector.select(project, courses)
    selection.report(project, reporter)
    folders = list(selection.folders)
    out = (out or project.output_dir).resolve()
    options = project_options(project, locales=parse_locales(locales, project), formats=formats, strict=strict,
                              allow_incomplete=allow_incomplete, source_date_epoch=source_date_epoch())
    sink = DiagnosticSink()
    built = ([], [], 0) if not folders else None if output_folder_problem(project, out, sink) else build_and_commit(
        project, folders, out, options, jobs or project.config.build.jobs or available_cores(),
        cache_folder(project, out, cache_dir, no_cache), lock_timeout, reporter, sink)
    failed = built is None
    builds, entries, cached = built or ([], [], 0)
    reporter.diagnostics(sink)
    document: dict[str, object] = {"ok": not failed, "out": project.display(out), "packages": entries,
                                   "from_cache": cached,
                                   "errors": sink.error_count, "warnings": sink.warning_count,
                                   "diagnostics": [d.to_json() for d in sink], "selection": selection.to_json(project)}
    if failed:
        reporter.document(document)
        reporter.failure(f"build failed: {summary_line(sink)}; nothing was written")
        raise SystemExit(1)
    for course_build in builds:
        for built_package in course_build.packages:
            reporter.result(package_line(project, out, course_build, built_package))
    reporter.info(f"built {len(entries)} package(s) from {len(builds)} course(s): {summary_line(sink)}"
                  if folders else f"nothing to build: {selection.nothing_to_do()}; nothing was written")
    if then_preview and builds:
        preview_and_report(project, out, builds, document, reporter)
    reporter.document(document)
