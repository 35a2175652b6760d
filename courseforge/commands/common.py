"""What every command shares: the project, its courses, summaries and atomic writes.

Imported by every command module, so it imports only what a command's ``--help`` needs; the pipeline
and the models are imported by the functions that use them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from courseforge.commands.output import Reporter
from courseforge.diagnostics import DiagnosticSink
from courseforge.project import CONFIG_NAME, COURSE_MANIFEST, Project, load_project

if TYPE_CHECKING:
    from courseforge.model.package import PackageFormat
    from courseforge.pipeline import BuildOptions

NO_PROJECT_HINT = ("run it inside a courseforge project (a folder with courseforge.yaml, or below one), "
                   "or create one with 'courseforge new DIR'")
ZIP_EPOCH_RANGE = (315532800, 4354819198)
"""SOURCE_DATE_EPOCH a zip entry can carry: 1980-01-01T00:00:00Z to 2107-12-31T23:59:58Z (MS-DOS date)."""


def current_project(reporter: Reporter, *near: Path) -> Project:
    """The project around the working folder (or, failing that, around the first path named).

    No project is a usage error (exit 2); an invalid courseforge.yaml is a problem found (exit 1).
    """
    sink = DiagnosticSink()
    for start in (Path.cwd(), *near[:1]):
        project = load_project(start, sink)
        if project is not None:
            return project
        if sink.items:
            reporter.diagnostics(sink)
            reporter.document({"ok": False, "diagnostics": [d.to_json() for d in sink]})
            reporter.failure(f"{CONFIG_NAME} is invalid: fix it first")
            raise SystemExit(1)
    raise click.UsageError(f"no {CONFIG_NAME} in {Path.cwd()} or any folder above it; {NO_PROJECT_HINT}")


def is_course_folder(path: Path) -> bool:
    return (path / COURSE_MANIFEST).is_file()


def resolve_course(project: Project, argument: str) -> Path:
    """A course folder named on the command line: a path (from the working folder), or the folder name of
    one of the project's courses."""
    as_path = Path(argument)
    if is_course_folder(as_path):
        return as_path.resolve()
    in_project = project.courses_dir / argument
    if "/" not in argument and is_course_folder(in_project):
        return in_project.resolve()
    known = ", ".join(path.name for path in project.course_folders()) or "none yet"
    raise click.BadParameter(f"'{argument}' is neither a course folder (with {COURSE_MANIFEST}) nor a course of "
                             f"this project (courses: {known})", param_hint="COURSES")


def project_courses(project: Project, arguments: tuple[str, ...]) -> list[Path]:
    """The courses named, or every course of the project; none at all is a usage error, and so are two
    courses with one id (see :func:`refuse_shared_ids`)."""
    folders = [resolve_course(project, argument) for argument in arguments] or project.course_folders()
    if not folders:
        raise click.UsageError(f"the project has no courses: no {project.config.courses}/*/{COURSE_MANIFEST} "
                               f"under {project.root} (add one with 'courseforge new course ID')")
    unique = list(dict.fromkeys(folders))
    refuse_shared_ids(project, unique)
    return unique


def refuse_shared_ids(project: Project, folders: list[Path]) -> None:
    """A course's id is its folder's name (lint's ``course.id-mismatch``) and names its output folder
    (``build/<id>/``), so two folders of one name, even differing only in case (one folder on macOS and
    Windows, one package id in many LMSs), would overwrite each other's packages."""
    first: dict[str, Path] = {}
    for folder in folders:
        other = first.setdefault(folder.name.casefold(), folder)
        if other != folder:
            raise click.BadParameter(
                f"'{project.display(other)}' and '{project.display(folder)}' are both course '{folder.name}' "
                f"(a course's id is its folder name): their packages would overwrite each other in "
                f"{project.display(project.output_dir)}/{folder.name}/; rename one of them (folder and id), or "
                "build them one at a time", param_hint="COURSES")


def display_path(path: Path) -> str:
    """Paths of files given on the command line (packages): relative to the working folder when possible."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def summary_line(sink: DiagnosticSink) -> str:
    errors, warnings = sink.error_count, sink.warning_count
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: readers never see half a file."""
    import tempfile

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
    """The reproducible-builds timestamp of every zip entry; outside what a zip can store it is a usage error
    (clamping it would give packages a date nobody set)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    low, high = ZIP_EPOCH_RANGE
    expected = f"whole seconds from {low} (1980-01-01, the earliest a zip can store) to {high} (2107-12-31)"
    if not value.isascii() or not value.isdigit() or len(value) > len(str(high)):
        raise click.UsageError(f"SOURCE_DATE_EPOCH must be {expected}, got {value[:40]!r}")
    seconds = int(value)
    if not low <= seconds <= high:
        raise click.UsageError(f"SOURCE_DATE_EPOCH must be {expected}, got {seconds}")
    return seconds


def locale_option(value: str, param_hint: str, *, languages_only: bool = False) -> str:
    """A locale named on the command line (``build --locale``; with ``languages_only``, a catalog language
    for ``i18n --lang`` and ``LANGUAGE``): checked before it names a folder or a file; a bad one is a usage
    error (exit 2) that names it."""
    from courseforge.model.course import known_language
    from courseforge.model.project import build_locale

    try:
        return known_language(value) if languages_only else build_locale(value)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=param_hint) from error


def project_options(project: Project, *, locales: tuple[str, ...] = (), formats: tuple[PackageFormat, ...] = (),
                    strict: bool = False, allow_incomplete: bool = False,
                    source_date_epoch: int | None = None) -> BuildOptions:
    """Build options with the project's folders (catalogs, themes) and defaults filled in."""
    from courseforge.pipeline import BuildOptions
    from courseforge.stages.load_theme import read_project_branding

    return BuildOptions(locales_dir=project.locales_dir, locales_display=project.display(project.locales_dir),
                        themes_dir=project.themes_dir, themes_display=project.display(project.themes_dir),
                        branding=read_project_branding(project.root, project.config.branding,
                                                       project.config.limits),
                        locales=locales, formats=formats or project.config.build.formats, strict=strict,
                        allow_incomplete=allow_incomplete, source_date_epoch=source_date_epoch,
                        limits=project.config.limits, base_iri=project.config.base_iri)


def emit_diagnostics(sink: DiagnosticSink, output_format: str) -> None:
    """Diagnostics as the catalog commands print them: a JSON list on stdout, or text on stderr."""
    reporter = Reporter(json_mode=output_format == "json")
    reporter.diagnostics(sink)
    reporter.document([d.to_json() for d in sink])
