"""Figure 2: rebuilding after a one-page edit (a sentence appended to one page), source locale, against the
floor of that page's work: its Markdown rendered, one template render and one zip per package.

(a) the CLI as an author runs it at a terminal: served by the project's build server (the warm-up build starts it;
CPU is the client's plus the server process's delta), held to the CLI target; (b) the CLI in a one-off process
(``COURSEFORGE_SERVER=off``, what CI pays), after a warm build with the cache on (its default place), shown beside
it; (c) in-process as watch mode will do it: one long-lived ``MemoryStore`` in a ``cache_scope``, ``build_course``
once warm, then after each edit.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bench import floor, floor_work
from bench.cli import BuildRun, Courseforge, Editor, scratch_dir, wait_for_server
from bench.measure import Figure, Runs, Target, Timing, repeat, run_in_process
from bench.synth import COURSE_ID, Project
from bench.translate import LOCALES
from courseforge.cache import MemoryStore, cache_scope
from courseforge.commands.common import project_options
from courseforge.diagnostics import DiagnosticSink
from courseforge.model.package import PackageFormat
from courseforge.pipeline import build_course
from courseforge.project import load_project

RATIO_TARGET = 1.5
CLI_TARGET_S = 0.3
IN_PROCESS_TARGET_S = 0.05
SCORM12 = "scorm12"


def copy_project(project: Project, work: Path) -> Project:
    """Edits go to a copy: the other figures keep the generated content."""
    root = scratch_dir(work, "edit") / "project"
    shutil.copytree(project.root, root, ignore=shutil.ignore_patterns("build"))
    return Project(root, root / "courses" / COURSE_ID, project.shape)


def edit_floor(project: Project, page: int, packages: list[floor_work.PackageEntries], runs: int) -> Runs:
    """The floor, on the edited content: the page's body from the localize stage, the other screens' HTML
    rendered untimed, the packages' entries from the last rebuild's output."""
    bodies = floor.localized_bodies(project.root, project.course_dir, ())[LOCALES[0]]
    parser = floor_work.markdown()
    screens = [parser.render(body) for body in bodies]
    return repeat(lambda: run_in_process(lambda: floor_work.edit_work(parser, bodies[page], screens, packages)), runs)


def cli_figures(cli: Courseforge, project: Project, page: int, runs: int, work: Path,
                formats: tuple[str, ...], label: str) -> list[Figure]:
    """The CLI as an author runs it (served by the build server: the default at a terminal) is held to the target;
    a one-off process (``COURSEFORGE_SERVER=off``, as CI runs every command) is shown beside it."""
    build = BuildRun(cli, project.root, COURSE_ID, formats=formats)
    out = scratch_dir(work, "incremental") / "out"
    build.warm(out)
    if cli.server:
        wait_for_server(project.root)
        build.warm(out)  # the server's first build: what it keeps in memory from here on
    try:
        rebuilt = repeat(lambda: build.warm(out), runs, prepare=Editor(project.page_path(page)))
    finally:
        if cli.server:
            cli.stop_server(project.root)
    packages = floor.built_packages(out / COURSE_ID, floor.LevelFinder())
    base = edit_floor(project, page, packages, runs)
    cache = "" if cli.has_cache else " (no cache yet)"
    details: dict[str, object] = {"rebuild": rebuilt.to_json(), "floor": base.to_json(),
                                  "cache_option": cli.has_cache}
    return [Figure(f"edit 1 page, CLI {label}: CPU{cache}", rebuilt.cpu, "s", base.cpu, runs=rebuilt.count,
                   details=details),
            Figure(f"edit 1 page, CLI {label}: wall{cache}", rebuilt.wall, "s", base.wall,
                   Target(CLI_TARGET_S, strict=True) if cli.server else None, rebuilt.count)]


def in_process_figures(project: Project, page: int, runs: int) -> list[Figure]:
    loaded = load_project(project.root, DiagnosticSink())
    if loaded is None:
        raise RuntimeError(f"no project in {project.root}")
    options = project_options(loaded, formats=(PackageFormat(SCORM12),))
    last: list[bytes] = []

    def build() -> None:
        sink = DiagnosticSink()
        result = build_course(project.course_dir, f"courses/{COURSE_ID}", options, sink)
        if result is None:
            raise RuntimeError("the edited course did not build:\n" + "\n".join(d.format() for d in sink))
        last[:] = [built.package.data for built in result.packages]

    def timed() -> Timing:
        return run_in_process(build)

    with cache_scope(MemoryStore()):
        build()
        rebuilt = repeat(timed, runs, prepare=Editor(project.page_path(page)))
    finder = floor.LevelFinder()
    base = edit_floor(project, page, [floor.package_entries(data, LOCALES[0], finder) for data in last], runs)
    details: dict[str, object] = {"rebuild": rebuilt.to_json(), "floor": base.to_json()}
    return [Figure("edit 1 page, in-process scorm12: CPU", rebuilt.cpu, "s", base.cpu,
                   Target(RATIO_TARGET, of_ratio=True), rebuilt.count, details=details),
            Figure("edit 1 page, in-process scorm12: wall", rebuilt.wall, "s", base.wall,
                   Target(IN_PROCESS_TARGET_S, strict=True), rebuilt.count)]


def incremental(cli: Courseforge, project: Project, runs: int, work: Path) -> list[Figure]:
    edited = copy_project(project, work)
    page = project.shape.pages // 2
    served = cli.through_server()
    return [*cli_figures(served, edited, page, runs, work, (SCORM12,), f"{SCORM12} (build server)"),
            *cli_figures(served, edited, page, runs, work, (), "every format (build server)"),
            *cli_figures(cli, edited, page, runs, work, (SCORM12,), f"{SCORM12}, one-off process"),
            *cli_figures(cli, edited, page, runs, work, (), "every format, one-off process"),
            *in_process_figures(edited, page, runs)]
