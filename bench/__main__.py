"""The benchmark: every figure of issue 11 beside a floor measured in the same run on the same content.

Run: ``.venv/bin/python -m bench`` (full, under 10 minutes on 2 cores) or ``--quick`` (CI smoke, under 2
minutes: smaller shapes, fewer runs, every figure). Prints a table (figure | value | floor | ratio | target |
ok | runs) and writes every figure, the machine and the parameters as JSON (``--out``). Each value is the
median of ``runs`` runs; generated courses live in a temporary folder (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

from bench import builds, incremental, startup
from bench.cli import Courseforge
from bench.measure import Figure, machine, table
from bench.synth import Project, Shape, write_project

REPOSITORY = Path(__file__).resolve().parents[1]
T = TypeVar("T")


@dataclass(frozen=True)
class Plan:
    pages: int
    """The main course's pages (figures 1, 2, 7; the middle of the page scaling)."""
    locales: int
    """Figure 1's locales, the source language included."""
    questions: int
    page_sizes: tuple[int, ...]
    locale_sizes: tuple[int, ...]
    runs: int
    full_build_runs: int
    """Figure 1's rounds (build, floor, one-core build): more than other figures', as two of its targets sit on
    medians of whole builds that vary by some 0.1x from one round to the next on this machine."""
    heavy_budget_s: float
    """Seconds the largest scaling shapes (1,000 pages, 20 locales) may take each: as many of ``runs`` as fit."""
    startup_runs: int
    preview_courses: tuple[str, ...]
    preview_runs: int
    lrs_statements: int
    lrs_clients: int
    watch_runs: int


FULL = Plan(pages=100, locales=5, questions=50, page_sizes=(10, 100, 1000), locale_sizes=(1, 5, 20), runs=3,
            full_build_runs=5,
            heavy_budget_s=45, startup_runs=15, preview_courses=("workplace-safety", "data-privacy"), preview_runs=3,
            lrs_statements=20_000, lrs_clients=20, watch_runs=5)
QUICK = Plan(pages=20, locales=3, questions=14, page_sizes=(5, 20, 60), locale_sizes=(1, 3, 5), runs=1,
             full_build_runs=1,
             heavy_budget_s=0, startup_runs=5, preview_courses=("workplace-safety",), preview_runs=1,
             lrs_statements=2_000, lrs_clients=10, watch_runs=2)


class Session:
    """The run's figures in order, and how long each part took."""

    def __init__(self) -> None:
        self.figures: list[Figure] = []
        self.elapsed: dict[str, float] = {}

    def part(self, name: str, produce: Callable[[], T]) -> T:
        started = time.perf_counter()
        print(f"bench: {name}...", file=sys.stderr, flush=True)
        result = produce()
        self.elapsed[name] = time.perf_counter() - started
        return result

    def figures_of(self, name: str, produce: Callable[[], list[Figure]]) -> None:
        self.figures += self.part(name, produce)


def generate(plan: Plan, work: Path) -> tuple[Project, dict[int, Project]]:
    """The main course with the most locales any figure builds, and one 1-locale course per other page count."""
    main = write_project(work / "main", Shape(plan.pages, plan.questions, max(plan.locale_sizes)))
    pages = {size: main if size == plan.pages else write_project(work / f"pages-{size}",
                                                                 Shape(size, plan.questions, 1))
             for size in plan.page_sizes}
    return main, pages


def run(plan: Plan, work: Path, session: Session) -> None:
    from bench import lrs, preview, watch  # Playwright and httpx only once the builds are measured

    cli = Courseforge()
    main, page_projects = session.part("generate courses", lambda: generate(plan, work))
    session.part("first command", lambda: first_command(cli, work))
    cold = builds.ColdBuilds(cli, work)

    def full() -> list[Figure]:
        figures, built = builds.full_build(cli, main, plan.locales, plan.full_build_runs, work)
        cold.add(main, plan.locales, built)
        return figures

    session.figures_of("full build", full)
    session.figures_of("scaling", lambda: builds.scaling(cold, page_projects, main, plan.locale_sizes, plan.runs,
                                                         plan.heavy_budget_s))
    session.figures_of("memory", lambda: builds.memory(cold))
    session.figures_of("sizes", lambda: builds.sizes(cold.get(main, 1, plan.runs).out))
    session.figures_of("incremental", lambda: incremental.incremental(cli, main, plan.runs, work))
    session.figures_of("cold start", lambda: [startup.help_figure(cli, plan.startup_runs, work),
                                              *startup.lint_figures(cli, REPOSITORY, max(plan.runs, 3), work)])
    session.figures_of("preview", lambda: preview.figures(list(plan.preview_courses), plan.preview_runs))
    session.figures_of("lrs", lambda: lrs.figures(plan.lrs_statements, plan.lrs_clients, max(plan.runs, 2)))
    session.figures_of("watch", lambda: watch.figures(cli, main, plan.watch_runs, work, plan.locales))


def compiled_like_an_install() -> None:
    """Measure courseforge as users run it, from compiled bytecode: an installed wheel has its .pyc files, but
    PYTHONDONTWRITEBYTECODE (set in some sandboxes and CI images) would make every measured process compile
    every module again (about 0.1 s each)."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    import courseforge

    compileall.compile_dir(Path(courseforge.__file__).parent, quiet=1)


def first_command(cli: Courseforge, work: Path) -> None:
    """One lint of a sample course before anything is measured: the first command after an install derives what
    courseforge keeps beside its bytecode (the built-in theme's compiled templates and player strings,
    ``courseforge.shipped_data``), once, as Python compiles the ``.pyc`` files; no figure should carry it."""
    startup.lint(cli, startup.copy_repository_project(REPOSITORY, work), f"courses/{startup.SAMPLE_COURSE}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="CI smoke: smaller shapes, fewer runs")
    parser.add_argument("--out", type=Path, default=Path("build/reports/bench.json"))
    parser.add_argument("--keep", action="store_true", help="keep the generated courses (path on stderr)")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    compiled_like_an_install()
    started, host = time.perf_counter(), machine()
    work = Path(tempfile.mkdtemp(prefix="courseforge-bench-"))
    session = Session()
    try:
        run(plan, work, session)
    finally:
        if args.keep:
            print(f"bench: generated courses kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(table(session.figures))
    total, end = time.perf_counter() - started, machine()
    print(f"\n{len(session.figures)} figures in {total:.0f} s on {host.usable_cores} cores; load average "
          f"{host.load_average[0]} at start, {end.load_average[0]} at end (other work on the machine counts in it)")
    report = {"plan": "quick" if args.quick else "full", "parameters": asdict(plan), "machine": host.to_json(),
              "load_average_at_end": list(end.load_average), "courseforge_build_options": sorted(
                  Courseforge().build_options), "total_s": total, "elapsed_s": session.elapsed,
              "figures": [f.to_json() for f in session.figures]}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
