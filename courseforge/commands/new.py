"""``courseforge new``: start a project (like ``mkdocs new``), or add a course to the current one.

The files are package data in ``courseforge/scaffold/``: ``project/`` and ``course/``. Files ending in
``.jinja`` are rendered with a few values (course id, title, language, courseforge's version), the others
are copied as they are, and a ``dot-`` prefix names a dotfile (package data leaves hidden files out).
Nothing is ever overwritten: a file that exists is kept and listed as kept.

``new PROJECT_DIR`` runs outside projects, so it never looks for the current one; ``new course ID`` does.
"""

from __future__ import annotations

import functools
import json
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TypeVar

import click

from courseforge import __version__
from courseforge.commands.common import current_project, display_path, project_options, summary_line
from courseforge.commands.output import Reporter, reporting_options
from courseforge.diagnostics import DiagnosticSink
from courseforge.project import CONFIG_NAME, Project, find_root, load_project

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog
    from jinja2 import Environment
    from pydantic import TypeAdapter

R = TypeVar("R")

SCAFFOLD = "scaffold"
PROJECT_SCAFFOLD = "project"
COURSE_SCAFFOLD = "course"
TEMPLATE_SUFFIX = ".jinja"
DOT_PREFIX = "dot-"
STARTER_COURSE = "first-course"
PROJECT_COMMAND = "project"


@functools.cache
def id_adapter() -> TypeAdapter[str]:
    """Built on first use: ``new --help`` loads no pydantic."""
    from pydantic import TypeAdapter

    from courseforge.model.course import Id

    return TypeAdapter(Id)


@functools.cache
def language_adapter() -> TypeAdapter[str]:
    from pydantic import TypeAdapter

    from courseforge.model.course import Language

    return TypeAdapter(Language)


@dataclass(frozen=True)
class NewFile:
    path: PurePosixPath
    """Relative to the project root."""
    data: bytes


@dataclass
class Outcome:
    """What a ``new`` run did, for the human lines and the JSON document alike."""

    root: Path
    course_id: str
    created: list[PurePosixPath] = field(default_factory=list)
    kept: list[PurePosixPath] = field(default_factory=list)
    sink: DiagnosticSink = field(default_factory=DiagnosticSink)
    next_steps: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------ scaffold files

def yaml_string(value: str) -> str:
    """A double-quoted YAML scalar (a JSON string is one), so an id like ``yes`` or ``1`` stays text."""
    return json.dumps(value, ensure_ascii=False)


def scaffold_environment() -> Environment:
    from jinja2 import Environment, StrictUndefined

    environment = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    environment.filters["yaml"] = yaml_string
    return environment


def target_path(relative: str) -> PurePosixPath:
    """Where a scaffold file lands: ``dot-github/x.yml.jinja`` becomes ``.github/x.yml``."""
    parts = ["." + part.removeprefix(DOT_PREFIX) if part.startswith(DOT_PREFIX) else part
             for part in relative.split("/")]
    return PurePosixPath(*parts[:-1], parts[-1].removesuffix(TEMPLATE_SUFFIX))


def scaffold_files(kind: str, under: PurePosixPath, values: Mapping[str, str]) -> list[NewFile]:
    """The files of one scaffold folder, rendered, at their place below ``under``."""
    from courseforge.stages.load_theme import read_tree

    environment = scaffold_environment()
    files = []
    for relative, data in sorted(read_tree(resources.files("courseforge") / SCAFFOLD / kind).items()):
        if relative.endswith(TEMPLATE_SUFFIX):
            data = environment.from_string(data.decode("utf-8")).render(values).encode("utf-8")
        files.append(NewFile(under / target_path(relative), data))
    return files


def course_values(course_id: str, title: str | None, language: str) -> dict[str, str]:
    return {"course_id": course_id, "title": title or default_title(course_id), "language": language,
            "courseforge_version": __version__}


def default_title(course_id: str) -> str:
    """``safety-basics`` reads as ``Safety basics`` until the author writes a real title."""
    return course_id.replace("-", " ").replace("_", " ").strip().capitalize()


# ------------------------------------------------------------------------------------------- writing

def write_new_files(root: Path, files: Sequence[NewFile], outcome: Outcome) -> None:
    """Create each file; one that exists already is kept as it is (exclusive creation, never a rewrite)."""
    for new_file in files:
        target = root / new_file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with target.open("xb") as stream:
                stream.write(new_file.data)
        except FileExistsError:
            outcome.kept.append(new_file.path)
        else:
            outcome.created.append(new_file.path)


def catalog_file(project: Project, domain: str, template: Catalog) -> NewFile:
    from courseforge.i18n.catalog import catalog_bytes, is_format_domain, pot_path

    path = PurePosixPath(project.display(pot_path(project.locales_dir, domain)))
    return NewFile(path, catalog_bytes(template, keep_format_flags=is_format_domain(domain)))


def lint_and_extract(project: Project, course_id: str, outcome: Outcome) -> None:
    """Check the new course as ``lint --strict`` would, then write its message template as ``i18n extract``
    would, so translators can start at once (the player's template and translations ship with the theme)."""
    from courseforge.i18n.extract import course_template
    from courseforge.pipeline import lint_course

    folder = project.courses_dir / course_id
    course = lint_course(folder, project.display(folder), outcome.sink, project_options(project))
    if course is None or outcome.sink.failed(strict=True):
        return
    write_new_files(project.root, [catalog_file(project, course.id, course_template(course))], outcome)


def opened_project(root: Path) -> Project:
    """The project just written, read back as every command reads it (the course goes where it says)."""
    sink = DiagnosticSink()
    project = load_project(root, sink)
    if project is None:
        raise click.ClickException(f"{root / CONFIG_NAME} is invalid: "
                                   + "; ".join(d.format() for d in sink))
    return project


# ------------------------------------------------------------------------------------------ checking

def checked(adapter: TypeAdapter[str], value: str, what: str, rule: str) -> str:
    from pydantic import ValidationError

    try:
        return adapter.validate_python(value)
    except ValidationError:
        raise click.BadParameter(f"'{value}' is not a valid {what}: {rule}") from None


def course_id_argument(ctx: click.Context, param: click.Parameter, value: str) -> str:
    return checked(id_adapter(), value, "course id",
                   "letters, digits, '-' and '_', starting with a letter or digit, at most 64 characters")


def language_option(ctx: click.Context, param: click.Parameter, value: str) -> str:
    return checked(language_adapter(), value, "language tag", "a BCP 47 tag such as en, de or pt-BR")


def title_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise click.BadParameter("the title must not be empty")
    return value.strip() if value is not None else None


def refuse_unsafe_project_folder(target: Path, force: bool) -> None:
    """Refuse what would mix a new project with existing work; --force allows the last two cases."""
    if target.exists() and not target.is_dir():
        raise click.UsageError(f"{target} exists and is not a folder")
    if (target / CONFIG_NAME).is_file():
        raise click.UsageError(f"{target} is a courseforge project already; add a course to it with "
                               "'courseforge new course ID' inside it")
    if force:
        return
    if target.is_dir() and any(target.iterdir()):
        raise click.UsageError(f"{target} exists and is not empty; choose a new folder, or pass --force to add the "
                               "project's files beside what is there (an existing file is never overwritten)")
    enclosing = find_root(target.parent)
    if enclosing is not None:
        raise click.UsageError(f"{target} is inside the courseforge project at {enclosing}; a project inside a "
                               "project changes which courseforge.yaml commands find. Add a course to that project "
                               "with 'courseforge new course ID', or pass --force")


# ------------------------------------------------------------------------------------------ reporting

def report(outcome: Outcome, reporter: Reporter, headline: str) -> None:
    sink = outcome.sink
    reporter.diagnostics(sink)
    for path in outcome.created:
        reporter.result(f"created {display_path(outcome.root / path)}")
    for path in outcome.kept:
        reporter.detail(f"kept {display_path(outcome.root / path)} (it exists; never overwritten)")
    ok = not sink.failed(strict=True)
    reporter.document({"ok": ok, "project": outcome.root.as_posix(), "course": outcome.course_id,
                       "created": [p.as_posix() for p in outcome.created],
                       "kept": [p.as_posix() for p in outcome.kept],
                       "errors": sink.error_count, "warnings": sink.warning_count,
                       "diagnostics": [d.to_json() for d in sink], "next_steps": outcome.next_steps})
    if not ok:
        reporter.failure(f"the new course does not lint clean ({summary_line(sink)}): fix the files above")
        raise SystemExit(1)
    reporter.info(headline)
    if outcome.kept:
        reporter.info(f"{len(outcome.kept)} file(s) existed and were kept as they were (-v lists them)")
    reporter.info("next steps:")
    for step in outcome.next_steps:
        reporter.info(f"  {step}")


def in_git_work_tree(folder: Path) -> bool:
    return any((parent / ".git").exists() for parent in (folder, *folder.parents))


def project_next_steps(typed: Path, course: PurePosixPath, kept: list[PurePosixPath]) -> list[str]:
    """What to do now, for the folder as the user typed it: no ``cd .``, no ``git init`` in a repository."""
    target = typed.resolve()
    steps = [] if target == Path.cwd().resolve() else [f"cd {shlex.quote(str(typed))}"]
    steps += ["courseforge lint                # check every course; writes nothing",
              "courseforge build               # packages in build/<course>/<locale>/scorm12.zip",
              f"edit {course}/ (the format: courseforge's docs/authoring.md)",
              "courseforge i18n init de        # start a translation (docs/localization.md)"]
    if PurePosixPath(".gitignore") in kept:
        steps.append("add build/ to your .gitignore (it existed, so it was kept as it was)")
    git = "git add ." if in_git_work_tree(target) else "git init && git add ."
    steps.append(f"{git:<31} # CI runs .github/workflows/courseforge.yml; a merge to main, publish.yml")
    return steps


def course_next_steps(course: PurePosixPath) -> list[str]:
    return [f"edit {course}/ (the format: courseforge's docs/authoring.md)",
            f"courseforge lint {course.name}",
            f"courseforge build {course.name}",
            "courseforge i18n update         # catalogs of the project's languages for the new course"]


# ------------------------------------------------------------------------------------------- commands

def course_options(command: Callable[..., R]) -> Callable[..., R]:
    """--title and --language, shared by both forms."""
    command = click.option("--language", default="en", show_default=True, callback=language_option,
                           help="Source language of the course (course.yaml 'language').")(command)
    return click.option("--title", default=None, callback=title_option,
                        help="Course title (default: from the course id).")(command)


class NewGroup(click.Group):
    """``new PROJECT_DIR`` and ``new course ID`` in one command: a first word that is not a sub-command
    (or help) is the project folder."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [PROJECT_COMMAND, *args]
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return ["PROJECT_DIR | course ID", "[OPTIONS]"]


@click.group(cls=NewGroup)
def new() -> None:
    """Create a project in PROJECT_DIR, or add a course to the current project.

    \b
    courseforge new PROJECT_DIR   courseforge.yaml, a starter course, locales/, .gitignore,
                                  a CI workflow and a README (see 'courseforge new project -h')
    courseforge new course ID     a course skeleton in the current project's courses folder

    Existing files are never overwritten. For a project folder named 'course' or 'project', write
    ./course or ./project.

    \b
    Example:
      courseforge new my-courses && cd my-courses && courseforge build
      courseforge new course safety-basics --title "Safety basics"
    """


@new.command(PROJECT_COMMAND)
@click.argument("project_dir", type=click.Path(path_type=Path))
@click.option("--course", "course_id", default=STARTER_COURSE, show_default=True, callback=course_id_argument,
              help="Id (and folder name) of the starter course.")
@course_options
@click.option("--force", is_flag=True,
              help="Also write into a folder that is not empty, or inside another project; existing files are "
                   "still kept, never overwritten.")
@reporting_options
def new_project(project_dir: Path, course_id: str, title: str | None, language: str, force: bool,
                reporter: Reporter) -> None:
    """Create a courseforge project in PROJECT_DIR (created if missing; it must be empty).

    Writes courseforge.yaml (every key with its default, commented), a starter course that lints clean
    and builds, its message template in locales/templates/, .gitignore, .github/workflows/courseforge.yml
    (lint, translation status, build, packages as an artifact), .github/workflows/publish.yml (on a merge to
    main: lint, translation gate, build, preview and publish what changed, reports attached) and README.md.
    Refuses a folder that is not empty or lies inside another project, unless --force.

    \b
    Example:
      courseforge new my-courses
      courseforge new . --force --course induction --title "Site induction"   # an existing repository
    """
    target = project_dir.resolve()
    refuse_unsafe_project_folder(target, force)
    values = {**course_values(course_id, title, language), "project_name": target.name}
    outcome = Outcome(target, course_id)
    write_new_files(target, scaffold_files(PROJECT_SCAFFOLD, PurePosixPath(), values), outcome)
    project = opened_project(target)
    course = PurePosixPath(project.config.courses) / course_id
    write_new_files(target, scaffold_files(COURSE_SCAFFOLD, course, values), outcome)
    lint_and_extract(project, course_id, outcome)
    outcome.next_steps = project_next_steps(project_dir, course, outcome.kept)
    report(outcome, reporter, f"created a courseforge project in {display_path(target)} "
                              f"with the course {course_id}")


@new.command(COURSE_SCAFFOLD)
@click.argument("course_id", metavar="ID", callback=course_id_argument)
@course_options
@reporting_options
def new_course(course_id: str, title: str | None, language: str, reporter: Reporter) -> None:
    """Add a course skeleton to the current project: courses/ID/ with course.yaml, a page, a quiz (two
    question types), a checklist and a survey, in the course order; it lints clean and builds. Its
    message template is written to locales/templates/ID.pot.

    \b
    Example:
      courseforge new course safety-basics --title "Safety basics"
      courseforge new course grundlagen --language de --json
    """
    project = current_project(reporter)
    folder = project.courses_dir / course_id
    if folder.exists():
        raise click.UsageError(f"{project.display(folder)} exists already; choose another course id")
    values = course_values(course_id, title, language)
    course = PurePosixPath(project.config.courses) / course_id
    outcome = Outcome(project.root, course_id, next_steps=course_next_steps(course))
    write_new_files(project.root, scaffold_files(COURSE_SCAFFOLD, course, values), outcome)
    lint_and_extract(project, course_id, outcome)
    report(outcome, reporter, f"added the course {course_id} to the project in {display_path(project.root)}")

