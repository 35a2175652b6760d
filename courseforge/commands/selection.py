"""What ``build``, ``lint`` and ``preview`` work on: courses, locales and formats from the command line.

Courses are chosen in three steps: the COURSES named (or every course of the project), then those whose
inputs changed since a git revision (``--changed-since``, commands/changes.py), then this CI job's share
(``--shard``, commands/shards.py). An empty result is not an error: a shard with nothing to do, or a pull
request that touches no course, succeeds with nothing built.

Only click and the project are imported here: the commands' ``--help`` stays light, and so does a run without
``--shard`` (commands/shards.py is imported when the option is given).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from courseforge.commands.common import locale_option, project_courses
from courseforge.commands.output import Reporter
from courseforge.project import Project

if TYPE_CHECKING:
    from courseforge.commands.changes import CourseChanges
    from courseforge.commands.shards import Shard, ShardPlan
    from courseforge.model.package import PackageFormat

P = ParamSpec("P")
R = TypeVar("R")


def parse_formats(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[PackageFormat, ...]:
    """``--format a,b``: each a format courseforge builds (checked when the command runs, not for --help)."""
    if not value:
        return ()
    from courseforge.stages.package import available_formats

    known = {f.value: f for f in available_formats()}
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise click.BadParameter(f"unknown format {', '.join(map(repr, unknown))}; available: {', '.join(known)}")
    return tuple(dict.fromkeys(known[name] for name in names))


def shard_option(ctx: click.Context, param: click.Parameter, value: str | None) -> Shard | None:
    """The click callback of ``--shard``: a bad value is a usage error (exit 2)."""
    if value is None:
        return None
    from courseforge.commands.shards import parse_shard

    try:
        return parse_shard(value)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--shard") from None


def parse_locales(value: str | None, project: Project) -> tuple[str, ...]:
    """``--locale`` (each checked before it names a folder), or courseforge.yaml's ``build.locales``."""
    if value is None:
        return project.config.build.locales
    return tuple(locale_option(part.strip(), "--locale") for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Selection:
    """The courses a run works on, and how they were chosen (for the JSON document and the log)."""

    folders: tuple[Path, ...]
    changes: CourseChanges | None = None
    shard: ShardPlan | None = None

    def to_json(self, project: Project) -> dict[str, object]:
        return {"courses": [folder.name for folder in self.folders],
                "changed_since": self.changes.to_json(project) if self.changes else None,
                "shard": self.shard.to_json() if self.shard else None}

    def report(self, project: Project, reporter: Reporter) -> None:
        """What the options chose, on stderr: a line each, and with --verbose the files behind each course."""
        if self.changes is not None:
            changes = self.changes
            reporter.info(f"changed since {changes.ref} ({changes.commit[:12]}): {len(changes.changed)} course(s)"
                          + (f": {', '.join(changes.changed)}" if changes.changed else ""))
            for course, files in changes.changed.items():
                reporter.detail(f"  {course}: {', '.join(project.display(path) for path in files)}")
            for course in changes.deleted:
                reporter.info(f"course '{course}' was deleted since {changes.ref}: nothing to build")
        if self.shard is not None:
            reporter.info(self.shard.describe())

    def nothing_to_do(self) -> str:
        if self.shard is not None and not self.shard.folders:
            return self.shard.describe()
        return f"no course changed since {self.changes.ref}" if self.changes else "no course selected"


@dataclass(frozen=True)
class CourseSelector:
    """``--changed-since`` and ``--shard`` as given; :meth:`select` applies them to the COURSES named."""

    changed_since: str | None = None
    shard: Shard | None = None

    @property
    def narrows(self) -> bool:
        return self.changed_since is not None or self.shard is not None

    def select(self, project: Project, arguments: tuple[str, ...]) -> Selection:
        folders = project_courses(project, arguments)
        changes = None
        if self.changed_since is not None:
            from courseforge.commands.changes import changes_since

            changes = changes_since(project, self.changed_since, folders)
            folders = [folder for folder in folders if folder.name in changes.changed]
        plan: ShardPlan | None = None
        if self.shard is not None:
            from courseforge.commands.shards import plan_shard

            plan = plan_shard(project, folders, self.shard)
        return Selection(plan.folders if plan else tuple(folders), changes, plan)


def selection_options(command: Callable[..., R]) -> Callable[..., R]:
    """--changed-since and --shard for a command; it receives ``selector`` (a :class:`CourseSelector`)."""

    @click.option("--changed-since", "changed_since", metavar="REF", default=None,
                  help="Only the courses whose sources, theme or catalogs changed between the git revision REF "
                       "and the working tree (committed, staged, unstaged or untracked).")
    @click.option("--shard", metavar="I/N", default=None, callback=shard_option,
                  help="Only shard I of N (1-based): the courses split across N CI jobs, the same way on every "
                       "machine and balanced by size; applied after --changed-since.")
    @functools.wraps(command)
    def wrapper(*args: Any, changed_since: str | None, shard: Shard | None, **kwargs: Any) -> R:
        return command(*args, selector=CourseSelector(changed_since, shard), **kwargs)

    return wrapper
