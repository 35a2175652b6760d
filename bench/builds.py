"""Figures of whole builds: the full build against its floor, the 2-core wall ratio, scaling in pages and in
locales, the packages' and the runtime's sizes, and the peak memory of the largest build."""

from __future__ import annotations

import gzip
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bench import floor
from bench.cli import BuildRun, Courseforge, scratch_dir
from bench.measure import CommandFailed, Figure, Runs, Target, Timing, repeat
from bench.memory import PssSampler
from bench.synth import COURSE_ID, Project
from bench.translate import LOCALES
from courseforge.stages.package import available_formats

CPU_TARGET = 1.3
PARALLEL_TARGET = 0.6
LINEAR_TARGET = 1.2
"""Per-unit cost at the largest size at most 1.2x that at the smallest: linear, with room for noise."""
MEMORY_TARGET_MIB = 150
RUNTIME_TARGET_KIB = 20
RUNTIME_FILES = ("runtime/courseforge.js",)
CORES = len(os.sched_getaffinity(0))


@dataclass(frozen=True)
class Built:
    """The median timings of one build shape, and the output of its last run (for floors and sizes)."""

    runs: Runs
    out: Path


def cold_builds(run: BuildRun, scratch: Path, runs: int, sampler: PssSampler | None = None,
                budget_s: float | None = None) -> Built:
    return Built(repeat(lambda: run.cold(scratch, sampler), runs, budget_s=budget_s), scratch / "out")


def translations(count: int) -> tuple[str, ...]:
    """The ``--locale`` list of a shape of ``count`` locales (the source language is always built)."""
    return LOCALES[1:count]


def full_build(cli: Courseforge, project: Project, locales: int, runs: int, work: Path) -> tuple[list[Figure], Built]:
    """Figure 1: every format of ``locales`` locales, cold, against the bare libraries doing the same work in a
    process of their own; and the same build on one core. Measured round by round (build, floor, one-core build)
    rather than each several times in a row, so that the machine's drift over the minutes this takes moves the
    build and its floor alike."""
    wanted = translations(locales)
    scratch = scratch_dir(work, "full")
    build = BuildRun(cli, project.root, COURSE_ID, wanted)
    single = BuildRun(cli, project.root, COURSE_ID, wanted, jobs=1) if cli.has_jobs else None
    single_scratch = scratch_dir(work, "jobs1")
    timings: dict[str, list[Timing]] = {"build": [], "floor": [], "single": []}
    inputs: Path | None = None
    for _ in range(runs):
        timings["build"].append(build.cold(scratch))
        if inputs is None:
            bodies = floor.localized_bodies(project.root, project.course_dir, wanted or ())
            packages = floor.built_packages(scratch / "out" / COURSE_ID, floor.LevelFinder())
            inputs = floor.write_build_input({locale: bodies[locale] for locale in (LOCALES[0], *wanted)}, packages,
                                             scratch / "floor-input.pickle")
        timings["floor"].append(floor.build_floor(inputs))
        if single is not None:
            timings["single"].append(single.cold(single_scratch))
    built, base = Runs(tuple(timings["build"])), Runs(tuple(timings["floor"]))
    shape = f"{project.shape.pages} p x {locales} loc x every format"
    figures = [Figure(f"full build CPU ({shape})", built.cpu, "s", base.cpu, Target(CPU_TARGET, of_ratio=True),
                      built.count, details={"build": built.to_json(), "floor": base.to_json()}),
               Figure("full build wall", built.wall, "s", base.wall, runs=built.count)]
    if single is not None:
        one_core = Runs(tuple(timings["single"]))
        figures.append(Figure("full build wall --jobs 1", one_core.wall, "s", runs=one_core.count,
                              details={"build": one_core.to_json()}))
        figures.append(Figure(f"{CORES}-core wall / --jobs 1 wall", built.wall / one_core.wall, "x",
                              target=Target(PARALLEL_TARGET), runs=min(built.count, one_core.count)))
    else:
        figures.append(Figure(f"{CORES}-core wall / --jobs 1 wall", None, "x", target=Target(PARALLEL_TARGET), runs=0,
                              note="build has no --jobs option yet"))
    return figures, Built(built, scratch / "out")


def linearity(name: str, unit_name: str, sizes: Sequence[int], costs: Sequence[Runs]) -> list[Figure]:
    """Per-unit CPU at each size; the largest size's per-unit cost over the smallest's (fixed costs such as
    starting Python weigh most at the smallest size, so this is at most 1 for any build without a growing
    per-unit cost); and the marginal cost per unit between the two largest sizes over that between the two
    smallest, which shows a per-unit cost that grows with the size."""
    per_unit = [runs.cpu / size for size, runs in zip(sizes, costs, strict=True)]
    runs = min(runs.count for runs in costs)
    figures = [Figure(f"{name}: CPU per {unit_name} at {size:,}", cost, "s", runs=each.count,
                      details={"build": each.to_json()})
               for size, cost, each in zip(sizes, per_unit, costs, strict=True)]
    figures.append(Figure(f"{name}: per-{unit_name} cost {sizes[-1]:,} / {sizes[0]:,}", per_unit[-1] / per_unit[0],
                          "x", target=Target(LINEAR_TARGET), runs=runs))
    marginal = [(costs[n + 1].cpu - costs[n].cpu) / (sizes[n + 1] - sizes[n]) for n in range(len(sizes) - 1)]
    figures.append(Figure(f"{name}: marginal cost {sizes[-2]:,}-{sizes[-1]:,} / {sizes[0]:,}-{sizes[1]:,}",
                          marginal[-1] / marginal[0] if marginal[0] > 0 else None, "x", target=Target(LINEAR_TARGET),
                          runs=runs, note="" if marginal[0] > 0 else "the larger build cost no more than the smaller",
                          details={"marginal_cpu_s_per_unit": marginal}))
    return figures


def sizes(out: Path) -> list[Figure]:
    """Figure 7: each format's package, and the runtime bundle plus stylesheets each ships, gzip -9."""
    figures = []
    for path in sorted(out.glob(f"{COURSE_ID}/{LOCALES[0]}/*.zip")):
        figures.append(Figure(f"package size {path.stem}", path.stat().st_size / 1024, "KB"))
    for path in sorted(out.glob(f"{COURSE_ID}/{LOCALES[0]}/*.zip")):
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n in RUNTIME_FILES or (n.startswith("theme/") and
                                                                           n.endswith(".css"))]
            size = sum(len(gzip.compress(archive.read(name), 9, mtime=0)) for name in names)
        figures.append(Figure(f"runtime gzip -9 {path.stem}", size / 1024, "KB", target=Target(RUNTIME_TARGET_KIB),
                              details={"files": names}))
    return figures




class ColdBuilds:
    """Cold builds by shape (pages, locales, formats), each measured once per run and shared by the figures
    that ask for the same shape (the 100-page 5-locale build is figure 1's and a point of the locale scaling)."""

    def __init__(self, cli: Courseforge, work: Path) -> None:
        self.cli, self.work = cli, work
        self.built: dict[tuple[int, int, tuple[str, ...]], Built] = {}
        self.sampler = PssSampler()
        self.sampled: tuple[int, tuple[str, ...]] | None = None
        """The pages and formats of the build whose memory the sampler watched."""

    def add(self, project: Project, locales: int, built: Built) -> None:
        self.built[(project.shape.pages, locales, ())] = built

    def get(self, project: Project, locales: int, runs: int, formats: tuple[str, ...] = (),
            sample_memory: bool = False, budget_s: float | None = None) -> Built:
        key = (project.shape.pages, locales, formats)
        if key not in self.built:
            run = BuildRun(self.cli, project.root, COURSE_ID, translations(locales), formats)
            scratch = scratch_dir(self.work, f"cold-{key[0]}p-{key[1]}l")
            self.built[key] = cold_builds(run, scratch, runs, self.sampler if sample_memory else None, budget_s)
            if sample_memory:
                self.sampled = (project.shape.pages, formats)
        return self.built[key]


FAILED_PACKAGE = re.compile(r"(?<=/)([a-z0-9]+)\.zip!\S*: error: .*")


def failing_formats(failure: CommandFailed) -> dict[str, str]:
    """The formats whose packages a failed build reported errors in, with the first error of each."""
    found: dict[str, str] = {}
    for match in FAILED_PACKAGE.finditer(failure.output):
        found.setdefault(match.group(1), match.group(0).strip())
    return found


def page_scaling(builds: ColdBuilds, projects: dict[int, Project], runs: int, heavy_budget_s: float) -> list[Figure]:
    """CPU per page over page counts, 1 locale, every format; when a format's package fails at some size (a
    limit of that format), the whole series again without it, saying why."""
    pages = sorted(projects)

    def series(formats: tuple[str, ...]) -> list[Runs]:
        return [builds.get(projects[size], 1, runs, formats, sample_memory=size == pages[-1],
                           budget_s=heavy_budget_s if size == pages[-1] else None).runs for size in pages]

    try:
        return linearity("scale pages (1 loc)", "page", pages, series(()))
    except CommandFailed as failure:
        failed = failing_formats(failure)
        if not failed:
            raise
    builds.sampler = PssSampler()  # the memory figure is of the series that built
    formats = tuple(f.value for f in available_formats() if f.value not in failed)
    label = f"scale pages (1 loc, {len(formats)} formats)"
    note = "; ".join(f"without {name}: {error}" for name, error in failed.items())
    return [replace(figure, note=note) if n == 0 else figure
            for n, figure in enumerate(linearity(label, "page", pages, series(formats)))]


def scaling(builds: ColdBuilds, page_projects: dict[int, Project], main: Project, locale_sizes: Sequence[int],
            runs: int, heavy_budget_s: float) -> list[Figure]:
    """Figure 3: CPU per page over page counts (1 locale), per locale over locale counts (main's pages). The
    largest shapes get as many of ``runs`` as fit in ``heavy_budget_s`` each (at least one)."""
    locale_costs = [builds.get(main, count, runs, budget_s=heavy_budget_s if count == locale_sizes[-1] else None).runs
                    for count in locale_sizes]
    return [*page_scaling(builds, page_projects, runs, heavy_budget_s),
            *linearity(f"scale locales ({main.shape.pages} p)", "locale", locale_sizes, locale_costs)]


def memory(builds: ColdBuilds) -> list[Figure]:
    """Figure 8: the largest page-count build's peak PSS (process tree), sampled during its scaling runs."""
    if builds.sampled is None:
        raise RuntimeError("no build was sampled: run the page scaling first")
    pages, formats = builds.sampled
    built = builds.built[(pages, 1, formats)]
    sampler = builds.sampler
    note = f"formats: {', '.join(formats)}" if formats else ""
    return [Figure(f"peak PSS, {pages:,}-page build (tree)", sampler.peak_mib, "MB",
                   target=Target(MEMORY_TARGET_MIB, strict=True), runs=built.runs.count, note=note,
                   details={"samples": sampler.samples, "most_processes": sampler.most_processes,
                            "every_s": sampler.every}),
            Figure(f"max RSS, {pages:,}-page build (one process)", built.runs.max_rss_mib, "MB",
                   runs=built.runs.count)]
