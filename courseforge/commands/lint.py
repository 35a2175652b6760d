"""``courseforge lint``: load and validate; writes nothing."""

from __future__ import annotations

import click

from courseforge.commands.common import discover_courses, display_path, emit_diagnostics, summary_line
from courseforge.diagnostics import DiagnosticSink
from courseforge.pipeline import lint_course


@click.command()
@click.argument("courses", nargs=-1, type=click.Path(file_okay=False))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              help="json prints the diagnostics as a JSON list on stdout (for CI).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def lint(courses: tuple[str, ...], output_format: str, strict: bool) -> None:
    """Check course sources and report every problem at once."""
    folders = discover_courses(courses)
    if not folders:
        raise click.UsageError("no courses found: pass course folders or run where ./courses/ is")
    sink = DiagnosticSink()
    for folder in folders:
        lint_course(folder, display_path(folder), sink)
    emit_diagnostics(sink, output_format)
    if output_format == "text":
        click.echo(f"linted {len(folders)} course{'s' * (len(folders) != 1)}: {summary_line(sink)}", err=True)
    raise SystemExit(1 if sink.failed(strict) else 0)
