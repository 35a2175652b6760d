"""courseforge as the benchmark runs it: the installed command, as a subprocess, with whatever options this
checkout's ``build --help`` offers (the cache and the process pool may or may not be there yet).

Every command runs in a fresh process (``COURSEFORGE_SERVER=off``: what CI pays, and a cold build's CPU is all in
the subprocess's rusage) unless the figure asks for the build server (:meth:`Courseforge.through_server`); then
a command's CPU is the client's plus what the server's process (and its reaped workers) used meanwhile."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

from bench.measure import Observer, Timing, run_command
from courseforge.project_root import nearest_root
from courseforge.server.state import ServerPlace, code_fingerprint

SERVER_ENV = "COURSEFORGE_SERVER"
SERVER_START_S = 60.0


def command_prefix() -> tuple[str, ...]:
    """The console script next to this interpreter (what authors run), else ``python -m courseforge``."""
    script = Path(sys.executable).with_name("courseforge")
    return (str(script),) if script.is_file() else (sys.executable, "-m", "courseforge")


def server_pid(cwd: Path) -> int | None:
    """The pid of the live build server of the project around ``cwd`` (for this code), if there is one."""
    root = nearest_root(str(cwd))
    state = ServerPlace.of(root, code_fingerprint()).read() if root is not None else None
    return state.pid if state is not None else None


def wait_for_server(root: Path) -> int:
    """The pid of the build server the warm-up build started, once it serves."""
    deadline = time.monotonic() + SERVER_START_S
    while (pid := server_pid(root)) is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no build server started for {root} in {SERVER_START_S:g} s")
        time.sleep(0.05)
    return pid


def process_cpu(pid: int | None) -> float:
    """``utime + stime`` of a process and of its reaped children (a build's forked workers) from
    /proc/<pid>/stat, in seconds (clock-tick resolution: medians of several runs); 0 without a process."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Courseforge:
    prefix: tuple[str, ...] = command_prefix()
    server: bool = False
    """Whether commands may be served by the project's build server (else each runs in its own process)."""

    def through_server(self) -> Courseforge:
        return replace(self, server=True)

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, SERVER_ENV: "on" if self.server else "off"}

    def help_text(self, *command: str) -> str:
        done = subprocess.run([*self.prefix, *command, "--help"], capture_output=True, text=True, check=True,
                              env=self.env)
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
        if not self.server:
            return run_command([*self.prefix, *args], cwd, env=self.env, observer=observer)
        pid = server_pid(cwd)
        before = process_cpu(pid)
        timing = run_command([*self.prefix, *args], cwd, env=self.env, observer=observer)
        return replace(timing, cpu=timing.cpu + process_cpu(pid) - before)

    def stop_server(self, cwd: Path) -> None:
        subprocess.run([*self.prefix, "server", "stop"], cwd=cwd, capture_output=True, check=True, env=self.env)


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


class Editor:
    """Appends a new sentence to one page, a different one each time (so nothing cached can answer it)."""

    def __init__(self, page: Path) -> None:
        self.page, self.edits = page, 0

    def __call__(self) -> None:
        self.edits += 1
        with self.page.open("a", encoding="utf-8") as file:
            file.write(f"\nThis sentence was added by edit number {self.edits} of the benchmark.\n")
