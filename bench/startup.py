"""Figure 4: what starting courseforge costs. ``courseforge --help`` CPU against ``python -c pass`` on the
same interpreter, and ``courseforge lint`` of the sample course workplace-safety in a copy of this
repository's project, with nothing cached (its output folder removed before each run) and warm."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from bench.cli import Courseforge, scratch_dir
from bench.measure import Figure, Target, repeat, run_command

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


def lint_figures(cli: Courseforge, repository: Path, runs: int, work: Path) -> list[Figure]:
    root = copy_repository_project(repository, work)
    target = f"courses/{SAMPLE_COURSE}"

    def clear() -> None:
        shutil.rmtree(root / "build", ignore_errors=True)

    cold = repeat(lambda: cli.run(root, "lint", target, "-q"), runs, prepare=clear)
    cli.run(root, "lint", target, "-q")
    warm = repeat(lambda: cli.run(root, "lint", target, "-q"), runs)
    return [Figure(f"lint {SAMPLE_COURSE}, cold: wall", cold.wall, "s", target=Target(LINT_TARGET_S, strict=True),
                   runs=cold.count, details=cold.to_json()),
            Figure(f"lint {SAMPLE_COURSE}, warm: wall", warm.wall, "s", target=Target(LINT_TARGET_S, strict=True),
                   runs=warm.count, details=warm.to_json())]
