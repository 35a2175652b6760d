"""How the benchmark measures: CPU and wall time of a subprocess tree or of in-process work, medians of
several runs, and the figures (value beside its floor and target) the runner prints and writes."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Timing:
    cpu: float
    """User + system seconds (of the whole process tree for a subprocess)."""
    wall: float
    max_rss_mib: float = 0.0
    """Largest resident set of the process or one of its descendants (subprocesses only)."""


@dataclass(frozen=True)
class Runs:
    """Several timings of the same work; the figures are their medians."""

    timings: tuple[Timing, ...]

    @property
    def count(self) -> int:
        return len(self.timings)

    @property
    def cpu(self) -> float:
        return statistics.median(t.cpu for t in self.timings)

    @property
    def wall(self) -> float:
        return statistics.median(t.wall for t in self.timings)

    @property
    def max_rss_mib(self) -> float:
        return max(t.max_rss_mib for t in self.timings)

    def to_json(self) -> dict[str, object]:
        return {"runs": self.count, "cpu_s": self.cpu, "wall_s": self.wall,
                "cpu_s_each": [t.cpu for t in self.timings], "wall_s_each": [t.wall for t in self.timings]}


class CommandFailed(RuntimeError):
    def __init__(self, message: str, output: str) -> None:
        super().__init__(message + output)
        self.output = output


class Observer(Protocol):
    """Watches a command while it runs (the memory sampler)."""

    def started(self, pid: int) -> None: ...

    def finished(self) -> None: ...


def run_command(command: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None,
                observer: Observer | None = None) -> Timing:
    """Run ``command`` to its end. CPU: the RUSAGE_CHILDREN delta, i.e. the whole process tree (a process
    pool's workers are reaped by the command, so they count); peak RSS: wait4's for this one child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, env=dict(env) if env is not None else None,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        if observer is not None:
            observer.started(process.pid)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            if observer is not None:
                observer.finished()
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            out.seek(0)
            err.seek(0)
            raise CommandFailed(f"{' '.join(command)} exited {process.returncode} in {cwd}:\n",
                                out.read()[-2000:].decode(errors="replace") +
                                err.read()[-4000:].decode(errors="replace"))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(cpu, wall, usage.ru_maxrss / 1024)


def run_in_process(work: Callable[[], object]) -> Timing:
    started_cpu, started = time.process_time(), time.perf_counter()
    work()
    return Timing(time.process_time() - started_cpu, time.perf_counter() - started)


def repeat(measure: Callable[[], Timing], runs: int, prepare: Callable[[], object] | None = None,
           budget_s: float | None = None) -> Runs:
    """``runs`` measurements, each after an untimed ``prepare()`` (a fresh output folder, an edit). With a
    budget, fewer when the next run would end past it (never fewer than one): the count says how many."""
    timings: list[Timing] = []
    started = time.perf_counter()
    for _ in range(runs):
        if timings and budget_s is not None:
            spent = time.perf_counter() - started
            if spent + spent / len(timings) > budget_s:
                break
        if prepare is not None:
            prepare()
        timings.append(measure())
    return Runs(tuple(timings))


@dataclass(frozen=True)
class Target:
    """What a figure is held against: its ratio to the floor, or its value, at most (or under) ``limit``."""

    limit: float
    of_ratio: bool = False
    strict: bool = False

    def met(self, value: float, ratio: float | None) -> bool | None:
        measured = ratio if self.of_ratio else value
        if measured is None:
            return None
        return measured < self.limit if self.strict else measured <= self.limit

    def describe(self, unit: str) -> str:
        sign = "<" if self.strict else "<="
        return f"{sign} {self.limit:g}x" if self.of_ratio else f"{sign} {format_value(self.limit, unit)}"


@dataclass(frozen=True)
class Figure:
    name: str
    value: float | None
    """None: not measured (``note`` says why)."""
    unit: str
    floor: float | None = None
    target: Target | None = None
    runs: int = 1
    note: str = ""
    details: dict[str, object] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return self.value / self.floor if self.value is not None and self.floor else None

    @property
    def ok(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.target.met(self.value, self.ratio)

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "value": self.value, "unit": self.unit, "floor": self.floor, "ratio": self.ratio,
                "target": self.target.describe(self.unit) if self.target else None, "ok": self.ok, "runs": self.runs,
                "note": self.note, "details": self.details}


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s" and value < 1:
        return f"{value * 1000:.1f} ms"
    if unit in ("s", "x"):
        return f"{value:.3g} {unit}" if unit == "s" else f"{value:.2f}x"
    if unit == "/s":
        return f"{value:,.0f}/s"
    return f"{value:,.1f} {unit}"


def table(figures: Sequence[Figure]) -> str:
    rows = [("figure", "value", "floor", "ratio", "target", "ok", "runs")]
    for figure in figures:
        ok = {True: "yes", False: "NO", None: "-"}[figure.ok]
        rows.append((figure.name, format_value(figure.value, figure.unit) if figure.value is not None else
                     f"n/a: {figure.note}", format_value(figure.floor, figure.unit),
                     f"{figure.ratio:.2f}x" if figure.ratio is not None else "-",
                     figure.target.describe(figure.unit) if figure.target else "-", ok, str(figure.runs)))
    widths = [max(len(row[n]) for row in rows) for n in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(widths[n]) if n == 0 else cell.rjust(widths[n]) for n, cell in enumerate(row))
             for row in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    notes = [f"  {figure.name}: {figure.note}" for figure in figures if figure.note and figure.value is not None]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


@dataclass(frozen=True)
class Machine:
    cores: int
    usable_cores: int
    python: str
    platform: str
    load_average: tuple[float, float, float]
    """1, 5 and 15 minutes, when this was read."""

    def to_json(self) -> dict[str, object]:
        return {"cores": self.cores, "usable_cores": self.usable_cores, "python": self.python,
                "platform": self.platform, "load_average": list(self.load_average)}


def machine() -> Machine:
    one, five, fifteen = (round(value, 2) for value in os.getloadavg())
    return Machine(os.cpu_count() or 1, len(os.sched_getaffinity(0)),
                   f"{platform.python_implementation()} {sys.version.split()[0]}", platform.platform(),
                   (one, five, fifteen))
