"""``courseforge lint``: every check the build makes, in memory; writes nothing.

Lint runs the same stages as ``build`` with the same options (locales, formats) and only skips the
writing, so a lint that passes means the build of the same sources passes too. It reads the build cache
(``commands/build_cache.py``) without writing to it: a unit the cache has reports what it reported when built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from courseforge.commands.common import current_project, project_options, summary_line
from courseforge.commands.output import Reporter, reporting_options
from courseforge.commands.selection import CourseSelector, parse_formats, parse_locales, selection_options
from courseforge.diagnostics import DiagnosticSink
from courseforge.gc_pause import collector_paused, heap_frozen

if TYPE_CHECKING:
    from courseforge.model.package import PackageFormat


@click.command()
@click.argument("courses", nargs=-1)
@click.option("--locale", "locales", default=None,
              help="Also check these locales as 'build --locale' would build them (default: build.locales).")
@click.option("--format", "formats", default=None, callback=parse_formats,
              help="Package formats to check (default: courseforge.yaml's build.formats).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--allow-incomplete", is_flag=True, help="As for build: translations below 'required' only warn.")
@selection_options
@reporting_options
def lint(courses: tuple[str, ...], locales: str | None, formats: tuple[PackageFormat, ...], strict: bool,
         allow_incomplete: bool, selector: CourseSelector, reporter: Reporter) -> None:
    """Check course sources and report every problem at once (file:line:col, with a hint).

    COURSES are course folders or course names of the project; none means every course. Lint builds
    in memory what 'build' with the same options would build, so if lint passes, build passes.

    \b
    Example:
      courseforge lint                      # every course of the project
      courseforge lint workplace-safety --locale all --strict --json
      courseforge lint --changed-since origin/main --shard 1/4
    """
    with collector_paused():  # imports and the config schema make objects kept for good: a collection frees none
        from courseforge.commands.build_cache import build_cache, cache_folder
        from courseforge.pipeline import check_course

        project = current_project(reporter)
    selection = selector.select(project, courses)
    selection.report(project, reporter)
    folders = selection.folders
    options = project_options(project, locales=parse_locales(locales, project), formats=formats, strict=strict,
                              allow_incomplete=allow_incomplete)
    sink = DiagnosticSink()
    with heap_frozen(), build_cache(project, cache_folder(project, project.output_dir, None, False), read_only=True), \
            reporter.progress("linting", len(folders)) as step:
        for folder in folders:
            check_course(folder, project.display(folder), options, sink)
            step(folder.name)
    reporter.diagnostics(sink)
    failed = sink.failed(strict)
    reporter.document({"ok": not failed, "strict": strict, "courses": [project.display(f) for f in folders],
                       "errors": sink.error_count, "warnings": sink.warning_count,
                       "diagnostics": [d.to_json() for d in sink], "selection": selection.to_json(project)})
    reporter.info(f"linted {len(folders)} course{'s' * (len(folders) != 1)}: {summary_line(sink)}"
                  if folders else f"nothing to lint: {selection.nothing_to_do()}")
    raise SystemExit(1 if failed else 0)
