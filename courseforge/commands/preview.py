"""``courseforge preview``: a robot learner runs each package in headless Chromium against a test LMS.

Course folders (or course names of the project) are built in memory for every requested locale and
format and played through every scenario under every LMS behaviour profile that applies to the format,
each format by its preview plug-in (a format without one is reported as skipped, never left out
silently); package zips (a vendor's) get the SCORM 1.2 smoke test when ``check``'s verifier says they are
SCORM 1.2, and are reported as not smoke-tested otherwise. One browser and one LMS server serve the
whole run. The evidence (report.html, junit.xml, screenshots) is written to ``--out`` as a whole.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from courseforge.commands.common import current_project, display_path, project_options
from courseforge.commands.output import Reporter, reporting_options
from courseforge.commands.selection import CourseSelector, Selection, parse_formats, parse_locales, selection_options
from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.model.preview import PreviewReport, PreviewRun, Verdict
from courseforge.project import Project, find_root

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

    from courseforge.pipeline import CourseBuild
    from courseforge.stages.preview.harness import PreviewServer

INSTALL_RUNTIME = "install-runtime"
PREVIEW_DIR = "preview"
SCREEN_VIEWPORT = {"width": 1280, "height": 800}


def split_list(value: str | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in (value or "").split(",") if part.strip()))


def chosen_profiles(value: str | None) -> tuple[str, ...]:
    from courseforge.stages.preview.harness import PROFILES

    names = split_list(value) or tuple(PROFILES)
    unknown = [name for name in names if name not in PROFILES]
    if unknown:
        raise click.BadParameter(f"unknown profile {', '.join(unknown)}; known: {', '.join(PROFILES)}",
                                 param_hint="--profile")
    return names


def is_package(argument: str) -> bool:
    return argument.lower().endswith(".zip")


def built_courses(project: Project, folders: Sequence[Path], locales: str | None,
                  formats: tuple[PackageFormat, ...], reporter: Reporter) -> list[CourseBuild]:
    """The selected courses built in memory; a build error stops here."""
    from courseforge.pipeline import build_course

    options = project_options(project, locales=parse_locales(locales, project) if locales else ("all",),
                              formats=formats)
    sink = DiagnosticSink()
    builds = [b for folder in folders
              if (b := build_course(folder, project.display(folder), options, sink)) is not None]
    reporter.diagnostics(sink)
    if sink.failed():
        reporter.document({"ok": False, "diagnostics": [d.to_json() for d in sink], "runs": []})
        reporter.failure("preview stopped: the courses do not build (courseforge lint shows the same)")
        raise SystemExit(1)
    return builds


def install(reporter: Reporter) -> None:
    from courseforge.stages.preview.harness import RuntimeMissing, install_runtime

    try:
        runtime = install_runtime()
    except RuntimeMissing as problem:
        reporter.failure(str(problem))
        raise SystemExit(1) from None
    reporter.result(f"scorm-again: {runtime.scorm_again.path}")
    reporter.result(f"axe-core: {runtime.axe_core.path}")
    reporter.document({"ok": True, "scorm_again": str(runtime.scorm_again.path),
                       "axe_core": str(runtime.axe_core.path)})


def play(builds: list[CourseBuild], packages: list[Path], profiles: tuple[str, ...], scenarios: tuple[str, ...],
         browser_path: Path | None, runtime_dir: Path | None, project: Project | None,
         reporter: Reporter) -> PreviewReport:
    """One browser, one LMS server, every run."""
    from playwright.sync_api import sync_playwright

    from courseforge.stages.preview.browser import launch_chromium
    from courseforge.stages.preview.harness import PreviewServer, find_runtime
    from courseforge.stages.preview.scenarios import applicable_profiles, run_scenarios

    started = time.perf_counter()
    # The server hands this runtime to every scenario's rules (the xAPI and cmi5 statement validator).
    runtime = find_runtime(runtime_dir, project.root if project else find_root(Path.cwd()))
    runs: list[PreviewRun] = []
    notes: dict[str, None] = {}
    work = sum(len(b.packages) for b in builds) + len(packages)
    with sync_playwright() as playwright, reporter.progress("previewing", work) as step:
        browser = launch_chromium(playwright, browser_path)
        try:
            with PreviewServer(runtime=runtime) as server:
                for course_build in builds:
                    for built in course_build.packages:
                        package = built.package
                        name = f"{package.course_id}-{package.locale}-{package.format.value}"
                        if package.format in server.plugins:
                            notes.update(dict.fromkeys(applicable_profiles(server, package.format, profiles)[1]))
                        runs.extend(run_scenarios(course_build.course, package.data, package.locale, profiles,
                                                  scenarios, browser, server, name=name,
                                                  package_format=package.format))
                        step(name)
                context = browser.new_context(viewport=SCREEN_VIEWPORT)  # type: ignore[arg-type]
                try:
                    for path in packages:
                        runs.extend(vendor_runs(server, context, path, profiles))
                        step(path.name)
                finally:
                    context.close()
            version = f"Chromium {browser.version}"
        finally:
            browser.close()
    return PreviewReport(tuple(runs), version, time.perf_counter() - started, tuple(notes))


def vendor_runs(server: PreviewServer, context: BrowserContext, path: Path,
                profiles: tuple[str, ...]) -> list[PreviewRun]:
    """A vendor zip: ``check``'s verifier names its standard; SCORM 1.2 (or an unreadable zip, which the smoke
    test reports as unlaunchable) gets the smoke test under every profile, any other standard a skipped run."""
    from courseforge.stages.preview.vendor import SmokeOptions, not_smoke_tested, smoke_test
    from courseforge.stages.verify import verify_package

    name, data = display_path(path), path.read_bytes()
    found = verify_package(name, data).format
    if found not in (None, PackageFormat.SCORM12):
        return [not_smoke_tested(name, found, SmokeOptions(profile=profiles[0]))]
    return [run for profile in profiles
            for run in smoke_test(server, context, name, data, SmokeOptions(profile=profile))]


def run_line(run: PreviewRun) -> str:
    if run.verdict is Verdict.SKIPPED:
        reason = run.findings[0].message if run.findings else "not run"
        return f"SKIPPED {run.name}\n    {reason}"
    problems = [f for f in run.findings if f.severity.value == "error"]
    head = f"{run.verdict.value.upper():<6} {run.name}"
    return head + "".join(f"\n    {f.rule}: {f.message} (step: {f.step})" for f in problems[:5]) + (
        f"\n    ... and {len(problems) - 5} more" if len(problems) > 5 else "")


@click.command()
@click.argument("targets", nargs=-1)
@click.option("--locale", "locales", default=None,
              help="Locales of the courses to preview (default: all: the source language and every declared one).")
@click.option("--profile", "profiles", default=None, help="LMS behaviour profiles, comma-separated (default: all).")
@click.option("--scenario", "scenarios", default=None,
              help="Scenarios, comma-separated: pass, fail, resume, keyboard or an authored one (default: all).")
@click.option("--format", "formats", default=None, callback=parse_formats, help="Package formats (default: build's).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the report goes (default: the project's build/preview, or ./preview outside a project).")
@click.option("--browser", "browser_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Chromium to drive (default: the system's chromium, else Playwright's).")
@click.option("--lms-runtime", "runtime_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="A node_modules folder holding scorm-again, axe-core and @learninglocker/xapi-validation "
                   "(see docs/preview.md).")
@selection_options
@reporting_options
def preview(targets: tuple[str, ...], locales: str | None, profiles: str | None, scenarios: str | None,
            formats: tuple[PackageFormat, ...], out: Path | None, browser_path: Path | None,
            runtime_dir: Path | None, selector: CourseSelector, reporter: Reporter) -> None:
    """Run each package in headless Chromium against a test LMS with a robot learner, under real LMS behaviours.

    TARGETS are course folders or course names (built in memory, every scenario) and package zips (a
    vendor's: the smoke test); none means every course of the project. 'preview install-runtime'
    installs the LMS-side runtime (scorm-again, axe-core, @learninglocker/xapi-validation) with npm into the user cache.

    \b
    Example:
      courseforge preview --locale en,ar --profile default,mastery-override
      courseforge preview vendor-course.zip --json
      courseforge preview --changed-since origin/main --shard 2/4
      courseforge preview install-runtime
    """
    if targets == (INSTALL_RUNTIME,):
        install(reporter)
        return
    packages = [Path(t) for t in targets if is_package(t)]
    courses = tuple(t for t in targets if not is_package(t))
    for path in packages:
        if not path.is_file():
            raise click.BadParameter(f"{path}: no such package", param_hint="TARGETS")
    if packages and not courses and selector.narrows:
        raise click.UsageError("--changed-since and --shard choose among the project's courses, and only package "
                               "zips were named: drop the options, or name courses (or none, for every course)")
    project = current_project(reporter) if courses or not packages else None
    selection = selector.select(project, courses) if project else Selection(())
    if project:
        selection.report(project, reporter)
        if not selection.folders and not packages:
            reporter.info(f"nothing to preview: {selection.nothing_to_do()}")
            reporter.document({"ok": True, "runs": [], "selection": selection.to_json(project)})
            return
    builds = built_courses(project, selection.folders, locales, formats, reporter) if project else []
    code, document = run_preview(builds, packages, chosen_profiles(profiles), split_list(scenarios), browser_path,
                                 runtime_dir, project, out, reporter)
    reporter.document({**document, "selection": selection.to_json(project)} if project else document)
    raise SystemExit(code)


def run_preview(builds: list[CourseBuild], packages: list[Path], profiles: tuple[str, ...],
                scenarios: tuple[str, ...], browser_path: Path | None, runtime_dir: Path | None,
                project: Project | None, out: Path | None, reporter: Reporter) -> tuple[int, dict[str, object]]:
    """Play everything, write the evidence, say what happened; the exit code and the JSON document
    (``build --preview`` puts it inside its own)."""
    from courseforge.stages.preview.browser import BrowserMissing
    from courseforge.stages.preview.evidence import EvidenceError, write_evidence
    from courseforge.stages.preview.harness import RuntimeMissing

    try:
        report = play(builds, packages, profiles, scenarios, browser_path, runtime_dir, project, reporter)
    except (RuntimeMissing, BrowserMissing, KeyError) as problem:
        reporter.failure(str(problem).strip("'\""))
        return 1, {"ok": False, "error": str(problem), "runs": []}
    target = out or (project.output_dir / PREVIEW_DIR if project else Path(PREVIEW_DIR))
    try:
        written = write_evidence(report, target)
    except EvidenceError as problem:
        reporter.failure(str(problem))
        return 1, {"ok": False, "error": str(problem), "runs": []}
    for run in report.runs:
        reporter.result(run_line(run))
    for note in report.notes:
        reporter.info(f"not run: {note}")
    failed = sum(run.verdict in (Verdict.FAILED, Verdict.ERROR) for run in report.runs)
    skipped = sum(run.verdict is Verdict.SKIPPED for run in report.runs)
    passed = len(report.runs) - failed - skipped
    reporter.info(f"previewed {len(report.runs)} run(s): {passed} passed, {failed} failed"
                  + (f", {skipped} skipped" if skipped else "") + f"; report: {display_path(target / 'report.html')}")
    return (1 if failed else 0), {**report.to_json(), "files": [display_path(p) for p in written]}
