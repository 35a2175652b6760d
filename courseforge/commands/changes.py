"""``--changed-since REF``: the courses whose inputs changed between a git revision and the working tree.

Changed means committed since REF, staged, unstaged, or untracked and not ignored: what ``git diff REF``
and ``git ls-files --others --exclude-standard`` list, asked of the ``git`` teams already run. Each file
is mapped to the courses whose build reads it, with the project's own layout (courseforge.yaml names the
folders):

- a file of a course folder -> that course; its catalogs (``<lang>`` ``.po`` files, its ``.pot``) -> that
  course;
- a file of a project theme folder -> the courses whose course.yaml names that theme;
- courseforge.yaml, the player's (``ui``) catalogs, the project's branding images -> every course;
- anything else (docs, scripts, outputs) -> no course.

A course whose folder lost its course.yaml since REF is reported as deleted: there is nothing to build.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import click

from courseforge.project import CONFIG_NAME, COURSE_MANIFEST, Project

GIT_HINT = "--changed-since needs git and the project's history"


def git(repository: Path, *arguments: str) -> subprocess.CompletedProcess[bytes]:
    """One git command in ``repository``; no pager, no prompt, no optional index lock (a CI job may run
    several at once)."""
    environment = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    try:
        return subprocess.run(["git", "-C", str(repository), *arguments], capture_output=True, check=False,
                              env=environment)
    except FileNotFoundError:
        raise click.UsageError(f"git is not installed (or not on PATH); {GIT_HINT}: install git, or run "
                               "without --changed-since") from None


def first_line(output: bytes) -> str:
    lines = output.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else ""


def work_tree(project: Project) -> Path:
    """The top folder of the git checkout holding the project."""
    found = git(project.root, "rev-parse", "--show-toplevel")
    if found.returncode != 0:
        raise click.UsageError(f"{project.root} is not in a git repository ({first_line(found.stderr)}); "
                               f"{GIT_HINT}: run it in a clone of the project, or without --changed-since")
    return Path(os.fsdecode(found.stdout.rstrip(b"\n"))).resolve()


def resolve_revision(top: Path, ref: str) -> str:
    """The commit REF names; an unknown one is a usage error that says how to get it."""
    if not ref.strip() or ref.startswith("-"):
        raise click.BadParameter(f"'{ref}' is not a git revision (a branch, tag or commit)",
                                 param_hint="--changed-since")
    found = git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if found.returncode != 0:
        raise click.BadParameter(
            f"'{ref}' is not a commit of this repository; fetch it first (git fetch origin main; a CI checkout "
            "may need its history: actions/checkout with fetch-depth: 0), or name a branch, tag or commit that "
            "exists", param_hint="--changed-since")
    return found.stdout.decode("ascii").strip()


def changed_files(top: Path, commit: str) -> list[Path]:
    """Absolute paths of every file that differs between ``commit`` and the working tree (a rename counts
    as its old and its new path), plus the untracked files git does not ignore."""
    listings = (("diff", "--name-only", "--no-renames", "--no-ext-diff", "-z", commit, "--"),
                ("ls-files", "--others", "--exclude-standard", "-z"))
    paths: set[str] = set()
    for arguments in listings:
        found = git(top, *arguments)
        if found.returncode != 0:
            raise click.UsageError(f"git {arguments[0]} failed: {first_line(found.stderr)}")
        paths.update(os.fsdecode(name) for name in found.stdout.split(b"\0") if name)
    return [top / name for name in sorted(paths)]


# ------------------------------------------------------------------------------ files -> courses

@dataclass(frozen=True)
class Affects:
    """What one changed file feeds: a course (by folder name), a theme's courses, or every course."""

    course: str | None = None
    theme: str | None = None
    every_course: bool = False


EVERY_COURSE = Affects(every_course=True)


def catalog_domain(project: Project, relative: PurePosixPath) -> str | None:
    """The domain of a catalog file (``<lang>/LC_MESSAGES/<domain>.po``, ``templates/<domain>.pot``), from
    the catalog layout itself (i18n/catalog.py), relative to the catalogs folder."""
    from courseforge.i18n.catalog import po_path, pot_path

    domain = relative.stem
    path = project.locales_dir / relative
    if relative.suffix == ".po" and po_path(project.locales_dir, relative.parts[0], domain) == path:
        return domain
    if relative.suffix == ".pot" and pot_path(project.locales_dir, domain) == path:
        return domain
    return None


@dataclass(frozen=True)
class InputMap:
    """Where a project keeps what each course's build reads, from its courseforge.yaml."""

    project: Project
    every_course: frozenset[Path]
    """courseforge.yaml and the branding images it names: every course reads them."""
    folders: tuple[tuple[Path, str], ...]
    """(folder, kind) for courses, themes and catalogs, the deepest first (one may lie inside another)."""

    @classmethod
    def of(cls, project: Project) -> InputMap:
        branding = project.config.branding
        images = branding.image_paths() if branding is not None else ()
        folders = sorted([(project.courses_dir, "course"), (project.themes_dir, "theme"),
                          (project.locales_dir, "catalog")], key=lambda pair: -len(pair[0].parts))
        return cls(project, frozenset({project.root / CONFIG_NAME, *(project.root / image for image in images)}),
                   tuple(folders))

    def affects(self, path: Path) -> Affects | None:
        """Which courses' builds read ``path`` (absolute); None for a file no build reads."""
        from courseforge.i18n.catalog import UI_DOMAIN

        if path in self.every_course:
            return EVERY_COURSE
        folder, kind = next(((f, k) for f, k in self.folders if path.is_relative_to(f) and path != f),
                            (None, None))
        if folder is None:
            return None
        relative = PurePosixPath(path.relative_to(folder).as_posix())
        if kind == "catalog":
            domain = catalog_domain(self.project, relative)
            return None if domain is None else EVERY_COURSE if domain == UI_DOMAIN else Affects(course=domain)
        if len(relative.parts) < 2:
            return None  # a file beside the course (or theme) folders, not inside one
        return Affects(course=relative.parts[0]) if kind == "course" else Affects(theme=relative.parts[0])


def course_theme(project: Project, folder: Path) -> str | None:
    """The theme course.yaml names (its default when it names none); None when course.yaml cannot be read
    as YAML, so the caller cannot rule the course out."""
    from courseforge.diagnostics import DiagnosticSink
    from courseforge.model.course import CourseManifest
    from courseforge.stages.inputs import InputProblem, decode_text, file_limit, read_input_file
    from courseforge.yamlsource import parse_yaml

    sink = DiagnosticSink()
    data = read_input_file(folder / COURSE_MANIFEST, folder.resolve(), file_limit(COURSE_MANIFEST,
                                                                                 project.config.limits))
    text = None if isinstance(data, InputProblem) else decode_text(data, COURSE_MANIFEST, sink)
    document = None if text is None else parse_yaml(text, COURSE_MANIFEST, sink)
    if document is None or not isinstance(document.data, dict):
        return None
    theme = document.data.get("theme", CourseManifest.model_fields["theme"].default)
    return theme if isinstance(theme, str) else None


@dataclass(frozen=True)
class CourseChanges:
    """What ``--changed-since`` found: per course, the changed files that select it."""

    ref: str
    commit: str
    changed: Mapping[str, tuple[Path, ...]]
    """Course id -> the changed files its build reads, for the courses that still exist."""
    deleted: Mapping[str, tuple[Path, ...]] = field(default_factory=dict)
    """Course id -> its changed files, for courses whose course.yaml is gone: reported, not built."""

    def to_json(self, project: Project) -> dict[str, object]:
        def shown(files: Mapping[str, tuple[Path, ...]]) -> dict[str, list[str]]:
            return {course: [project.display(path) for path in paths] for course, paths in sorted(files.items())}
        return {"ref": self.ref, "commit": self.commit, "courses": shown(self.changed), "deleted": shown(self.deleted)}


def collect(project: Project, courses: Iterable[Path], files: Iterable[Path], ref: str,
            commit: str) -> CourseChanges:
    """Map each changed file to the courses it selects among ``courses`` (the project's, by folder)."""
    folders = {folder.name: folder for folder in courses}
    inputs = InputMap.of(project)
    found = [(path, affected) for path in files if (affected := inputs.affects(path)) is not None]
    themes = ({name: course_theme(project, folder) for name, folder in folders.items()}
              if any(affected.theme is not None for _, affected in found) else {})
    changed: dict[str, list[Path]] = {}
    deleted: dict[str, list[Path]] = {}
    for path, affected in found:
        if affected.course is not None:
            if affected.course in folders:
                changed.setdefault(affected.course, []).append(path)
            elif not (project.courses_dir / affected.course / COURSE_MANIFEST).is_file():
                deleted.setdefault(affected.course, []).append(path)
            continue
        for name in folders:
            if affected.every_course or themes[name] in (affected.theme, None):
                changed.setdefault(name, []).append(path)
    gone = {name for name, paths in deleted.items() if project.courses_dir / name / COURSE_MANIFEST in paths}
    return CourseChanges(ref, commit, {name: tuple(paths) for name, paths in sorted(changed.items())},
                         {name: tuple(paths) for name, paths in sorted(deleted.items()) if name in gone})


def changes_since(project: Project, ref: str, courses: Iterable[Path]) -> CourseChanges:
    """The courses among ``courses`` whose inputs changed since ``ref``, asked of git."""
    top = work_tree(project)
    commit = resolve_revision(top, ref)
    return collect(project, courses, changed_files(top, commit), ref, commit)
