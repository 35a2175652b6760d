"""Figure 4: what starting courseforge costs. ``courseforge --help`` CPU against ``python -c pass`` on the
same interpreter, and ``courseforge lint`` of the sample course workplace-safety in a copy of this
repository's project:

- as an author runs it at a terminal, after editing a page: served by the project's build server (the default
  there; the first lint starts it), held to the lint target;
- in a one-off process (``COURSEFORGE_SERVER=off``, as CI runs it), shown beside it: cold (nothing cached, the
  output folder removed before each run: a fresh clone), and after a build (its cache there to read)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from bench.cli import Courseforge, Editor, scratch_dir, wait_for_server
from bench.measure import Figure, Target, Timing, repeat, run_command

HELP_TARGET = 4.0
LINT_TARGET_S = 0.4
SAMPLE_COURSE = "workplace-safety"
PROJECT_PARTS = ("courseforge.yaml", "courses", "locales", "themes", "branding")


def help_figure(cli: Courseforge, runs: int, work: Path) -> Figure:
    bare = repeat(lambda: run_command([sys.executable, "-c", "pass"], work), runs)
    shown = repeat(lambda: cli.run(work, "--help"), runs)
    return Figure("courseforge --help: CPU", shown.cpu, "s", bare.cpu, Target(HELP_TARGET, of_ratio=True), shown.count,
                  note="floor: python -c pass", details={"help": shown.to_json(), "python_pass": bare.to_json()})


def copy_repository_project(repository: Path, work: Path) -> Path:
    root = scratch_dir(work, "lint") / "project"
    root.mkdir()
    for part in PROJECT_PARTS:
        source = repository / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        elif source.is_file():
            shutil.copy2(source, root / part)
    return root


def lint(by: Courseforge, root: Path, target: str) -> Timing:
    return by.run(root, "lint", target, "-q")


def lint_figures(cli: Courseforge, repository: Path, runs: int, work: Path) -> list[Figure]:
    root = copy_repository_project(repository, work)
    target = f"courses/{SAMPLE_COURSE}"

    def clear() -> None:
        shutil.rmtree(root / "build", ignore_errors=True)

    cold = repeat(lambda: lint(cli, root, target), runs, prepare=clear)
    cli.run(root, "build", target, "-q")
    after_build = repeat(lambda: lint(cli, root, target), runs)
    return [served_lint_figure(cli.through_server(), root, target, runs),
            Figure(f"lint {SAMPLE_COURSE}, one-off process, cold: wall", cold.wall, "s", runs=cold.count,
                   details=cold.to_json()),
            Figure(f"lint {SAMPLE_COURSE}, one-off process, after a build: wall", after_build.wall, "s",
                   runs=after_build.count, details=after_build.to_json())]


def served_lint_figure(served: Courseforge, root: Path, target: str, runs: int) -> Figure:
    """Lint after a sentence is added to a page, each time another: the build server checks what the edit changed
    (a lint with nothing changed would measure only what the server remembers)."""
    page = min((root / target / "pages").glob("*.md"))
    lint(served, root, target)
    wait_for_server(root)
    try:
        lint(served, root, target)  # the server's first lint: what it keeps in memory from here on
        edited = repeat(lambda: lint(served, root, target), runs, prepare=Editor(page))
    finally:
        served.stop_server(root)
    return Figure(f"lint {SAMPLE_COURSE} after a page edit, at a terminal (build server): wall", edited.wall, "s",
                  target=Target(LINT_TARGET_S, strict=True), runs=edited.count, details=edited.to_json())
