"""courseforge as the benchmark runs it: the installed command, as a subprocess, with whatever options this
checkout's ``build --help`` offers (the cache and the process pool may or may not be there yet)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from bench.measure import Observer, Timing, run_command


def command_prefix() -> tuple[str, ...]:
    """The console script next to this interpreter (what authors run), else ``python -m courseforge``."""
    script = Path(sys.executable).with_name("courseforge")
    return (str(script),) if script.is_file() else (sys.executable, "-m", "courseforge")


@dataclass(frozen=True)
class Courseforge:
    prefix: tuple[str, ...] = command_prefix()

    def help_text(self, *command: str) -> str:
        done = subprocess.run([*self.prefix, *command, "--help"], capture_output=True, text=True, check=True)
        return done.stdout

    @cached_property
    def build_options(self) -> frozenset[str]:
        return frozenset(word.rstrip(",") for word in self.help_text("build").split() if word.startswith("--"))

    @property
    def has_jobs(self) -> bool:
        return "--jobs" in self.build_options

    @property
    def has_cache(self) -> bool:
        return bool({"--cache-dir", "--no-cache"} & self.build_options)

    def cold_cache_args(self, scratch: Path) -> tuple[str, ...]:
        """Options for a build that finds nothing cached: an empty cache folder of its own (so writing the
        cache is counted, as on a first CI run), else the cache switched off; none while there is no cache."""
        if "--cache-dir" in self.build_options:
            cache = scratch / "cache"
            shutil.rmtree(cache, ignore_errors=True)
            return ("--cache-dir", str(cache))
        if "--no-cache" in self.build_options:
            return ("--no-cache",)
        return ()

    def run(self, cwd: Path, *args: str, observer: Observer | None = None) -> Timing:
        return run_command([*self.prefix, *args], cwd, observer=observer)


@dataclass(frozen=True)
class BuildRun:
    """One ``courseforge build`` of a course into a fresh output folder of its own."""

    cli: Courseforge
    project: Path
    course: str
    locales: Sequence[str] = ()
    formats: Sequence[str] = ()
    jobs: int | None = None

    def args(self, out: Path) -> list[str]:
        args = ["build", self.course, "--out", str(out), "-q"]
        if self.locales:
            args += ["--locale", ",".join(self.locales)]
        if self.formats:
            args += ["--format", ",".join(self.formats)]
        if self.jobs is not None and self.cli.has_jobs:
            args += ["--jobs", str(self.jobs)]
        return args

    def cold(self, scratch: Path, observer: Observer | None = None) -> Timing:
        """A build with nothing cached and no earlier output (the project's own output folder removed too,
        where a cache could live); its packages are left in ``scratch/out``."""
        out = scratch / "out"
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(self.project / "build", ignore_errors=True)
        return self.cli.run(self.project, *self.args(out), *self.cli.cold_cache_args(scratch), observer=observer)

    def warm(self, out: Path) -> Timing:
        """A build that may use whatever the cache holds from earlier builds (the default cache)."""
        return self.cli.run(self.project, *self.args(out))


def scratch_dir(parent: Path, name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"{name}-", dir=parent))
