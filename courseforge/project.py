"""The project: ``courseforge.yaml`` found by walking up from the working folder, like git finds ``.git``.

Every command runs against a project, so it behaves the same from any sub-folder: course, catalog,
theme and output folders come from the project root, never from the working folder.

The validation machinery (pydantic, the YAML reader) is imported when a configuration is read, so a
command's ``--help`` that names these constants loads none of it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.project_root import CONFIG_NAME as CONFIG_NAME  # where the command line's lean path finds it
from courseforge.project_root import nearest_root

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from courseforge.model.project import ProjectConfig

COURSE_MANIFEST = "course.yaml"


@functools.cache
def config_adapter() -> TypeAdapter[ProjectConfig]:
    from pydantic import TypeAdapter

    from courseforge.model.project import ProjectConfig

    return TypeAdapter(ProjectConfig)


@dataclass(frozen=True)
class Project:
    root: Path
    """Absolute, resolved folder holding courseforge.yaml."""
    config: ProjectConfig

    @property
    def courses_dir(self) -> Path:
        return self.root / self.config.courses

    @property
    def locales_dir(self) -> Path:
        return self.root / self.config.locales

    @property
    def output_dir(self) -> Path:
        return self.root / self.config.output

    @property
    def themes_dir(self) -> Path:
        return self.root / self.config.themes

    def display(self, path: Path) -> str:
        """Paths in diagnostics and reports: relative to the project root, so output is the same from any
        sub-folder (and in CI logs); absolute for anything outside the project."""
        try:
            return path.resolve().relative_to(self.root).as_posix() or "."
        except ValueError:
            return path.resolve().as_posix()

    def course_folders(self) -> list[Path]:
        """Every ``<courses>/<folder>/course.yaml`` of the project, sorted."""
        if not self.courses_dir.is_dir():
            return []
        return sorted(path.parent for path in self.courses_dir.glob(f"*/{COURSE_MANIFEST}"))


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding courseforge.yaml."""
    found = nearest_root(str(start))
    return Path(found) if found is not None else None


def load_config(root: Path, sink: DiagnosticSink) -> ProjectConfig | None:
    """courseforge.yaml validated; an empty file means every default."""
    from courseforge.model import project as project_schema
    from courseforge.stages.validate.schema import model_keys, validate_document
    from courseforge.yamlsource import parse_yaml

    path = root / CONFIG_NAME
    shown = CONFIG_NAME
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        sink.error("project.encoding", f"{CONFIG_NAME} is not valid UTF-8", Location(shown, 1, 1),
                   hint="save the file as UTF-8")
        return None
    if not text.strip():
        return project_schema.ProjectConfig()
    document = parse_yaml(text, shown, sink)
    if document is None:
        return None
    return validate_document(config_adapter(), document, sink, vocabulary=model_keys(project_schema))


def load_project(start: Path, sink: DiagnosticSink) -> Project | None:
    """The project around ``start``; None when there is none (the caller says so) or it is invalid
    (``sink`` has the errors)."""
    root = find_root(start)
    if root is None:
        return None
    config = load_config(root, sink)
    return Project(root, config) if config is not None else None
