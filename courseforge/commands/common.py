"""What every command shares: finding courses, printing diagnostics, writing outputs atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from courseforge.diagnostics import DiagnosticSink, format_all, to_json

COURSES_ROOT = Path("courses")


def discover_courses(arguments: tuple[str, ...]) -> list[Path]:
    """Course folders named on the command line, or every course under ./courses/."""
    if arguments:
        return [Path(argument) for argument in arguments]
    if not COURSES_ROOT.is_dir():
        return []
    return sorted(path.parent for path in COURSES_ROOT.glob("*/course.yaml"))


def display_path(path: Path) -> str:
    """Paths in diagnostics are relative to the working folder when possible (clickable in editors)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def emit_diagnostics(sink: DiagnosticSink, output_format: str) -> None:
    if output_format == "json":
        click.echo(to_json(sink))
    elif sink.items:
        click.echo(format_all(sink), err=True)


def summary_line(sink: DiagnosticSink) -> str:
    errors, warnings = sink.error_count, sink.warning_count
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: readers never see half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def source_date_epoch() -> int | None:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError as error:
        raise click.UsageError(f"SOURCE_DATE_EPOCH must be whole seconds, got {value!r}") from error
