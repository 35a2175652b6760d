"""``courseforge lint``: load and validate; writes nothing."""

from __future__ import annotations

import click

from courseforge.commands.common import current_project, project_courses, project_options, summary_line
from courseforge.commands.output import Reporter, reporting_options
from courseforge.diagnostics import DiagnosticSink
from courseforge.pipeline import lint_course


@click.command()
@click.argument("courses", nargs=-1)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@reporting_options
def lint(courses: tuple[str, ...], strict: bool, reporter: Reporter) -> None:
    """Check course sources and report every problem at once (file:line:col, with a hint).

    COURSES are course folders or course names of the project; none means every course.

    \b
    Example:
      courseforge lint                      # every course of the project
      courseforge lint workplace-safety --strict --json
    """
    project = current_project(reporter)
    folders = project_courses(project, courses)
    sink = DiagnosticSink()
    with reporter.progress("linting", len(folders)) as step:
        for folder in folders:
            lint_course(folder, project.display(folder), sink, project_options(project))
            step(folder.name)
    reporter.diagnostics(sink)
    failed = sink.failed(strict)
    reporter.document({"ok": not failed, "strict": strict, "courses": [project.display(f) for f in folders],
                       "errors": sink.error_count, "warnings": sink.warning_count,
                       "diagnostics": [d.to_json() for d in sink]})
    reporter.info(f"linted {len(folders)} course{'s' * (len(folders) != 1)}: {summary_line(sink)}")
    raise SystemExit(1 if failed else 0)
