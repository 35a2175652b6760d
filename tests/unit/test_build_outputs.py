"""A build's outputs are one transaction: SIGKILL at any instant leaves the previous outputs or the new ones,
each complete and matching its build.json; a second build into the same folder waits or fails, never mixes;
a blocked or read-only --out fails before any work with nothing written."""

from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
from click.testing import CliRunner

from courseforge.cli import cli
from courseforge.commands import outputs
from courseforge.commands.outputs import OutputProblem, lock_path, stale_siblings, stale_spools, write_outputs

REPO = Path(__file__).resolve().parents[2]
ENVIRONMENT = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
FOREIGN = {PurePosixPath("xliff", "de", "data-privacy.xlf"): b"<xliff/>\n", PurePosixPath("notes.txt"): b"mine\n"}
"""Files in --out that are not build outputs (another command's, the user's): every build keeps them."""
POLL_SECONDS = 0.0005
CALIBRATIONS = 3
KILLS_PER_LANE = 13
# A lane is 13 real builds; on a loaded 2-core machine (two test workers) each can take several seconds.
LANE_TIMEOUT_S = 600


@dataclass(frozen=True)
class Version:
    """One set of sources and the command line that builds them."""

    name: str
    project: Path
    courses: tuple[str, ...]

    def command(self, out: Path, *extra: str) -> list[str]:
        return [sys.executable, "-m", "courseforge", "build", *self.courses, "--out", str(out), *extra]

    def start(self, out: Path, *extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen(self.command(out, *extra), cwd=self.project, env=ENVIRONMENT, text=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def run(self, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command(out, *extra), cwd=self.project, env=ENVIRONMENT, text=True,
                              capture_output=True, timeout=60, check=False)


def copy_project(target: Path) -> Path:
    for folder in ("courses", "locales"):
        shutil.copytree(REPO / folder, target / folder)
    shutil.copy2(REPO / "courseforge.yaml", target / "courseforge.yaml")
    return target


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Version, Version]:
    """A: both sample courses. B: both again, each at a new version, so every package differs (a build of
    one course keeps the other course's packages, so both versions build every course)."""
    first = copy_project(tmp_path_factory.mktemp("sources-a"))
    second = copy_project(tmp_path_factory.mktemp("sources-b"))
    for course in ("data-privacy", "workplace-safety"):
        manifest = second / "courses" / course / "course.yaml"
        manifest.write_text(manifest.read_text().replace("\nversion: 1.0.0\n", "\nversion: 1.0.1\n", 1))
    return Version("A", first, ()), Version("B", second, ())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listed_packages(out: Path) -> dict[str, str]:
    """build.json's packages as {path: sha256}, after checking every file in --out: the zips it lists with
    those hashes, build.json itself and the foreign files, nothing else (no temporary, no stray zip)."""
    report = json.loads((out / "reports" / "build.json").read_text())
    listed = {entry["path"]: entry["sha256"] for entry in report["packages"]}
    present = {path.relative_to(out).as_posix() for path in out.rglob("*")
               if not path.is_dir() and path.relative_to(out).parts[0] != ".cache"}  # the build cache
    expected = {Path(path).relative_to(out).as_posix() for path in listed} | {"reports/build.json"}
    assert present == expected | {path.as_posix() for path in FOREIGN}, present
    assert all(sha256(Path(path)) == digest for path, digest in listed.items())
    assert all((out / path).read_bytes() == data for path, data in FOREIGN.items())
    return listed


def add_foreign_files(out: Path) -> None:
    for relative, data in FOREIGN.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_bytes(data)


def staging_owners(out: Path) -> set[int]:
    """The pids in the names of the staging/previous folders beside --out."""
    return {int(path.name.rsplit("-", 2)[-2]) for path in stale_siblings(out)}


@dataclass
class Window:
    """When, after the process started, its staging folder was first and last seen."""

    first: float | None = None
    last: float | None = None


def watch_staging(process: subprocess.Popen[str], out: Path, started: float,
                  until: Callable[[Window], bool] = lambda window: False) -> Window:
    """Poll the folder beside --out (from outside the build) until the process ends or ``until`` holds."""
    window = Window()
    prefix = f".{out.name}.staging-{process.pid}-"
    while process.poll() is None and not until(window):
        if any(name.startswith(prefix) for name in os.listdir(out.parent)):
            now = time.perf_counter() - started
            window.first = window.first if window.first is not None else now
            window.last = now
        time.sleep(POLL_SECONDS)
    return window


@dataclass
class Lane:
    """One output folder and the state it is in: which version's outputs it holds."""

    out: Path
    state: str
    expected: dict[str, dict[str, str]]

    def check(self) -> str:
        listed = listed_packages(self.out)
        states = [name for name, packages in self.expected.items() if packages == listed]
        assert len(states) == 1, f"build.json matches none of the builds: {listed}"
        self.state = states[0]
        return self.state


@dataclass
class KillResult:
    state_before: str
    state_after: str
    staging_left: bool


def kill_build(lane: Lane, version: Version, delay: float | None, offset: float) -> KillResult:
    """Start ``version`` building into the lane and SIGKILL it: ``delay`` seconds after the start, or (delay
    None) ``offset`` seconds after its staging folder was first seen from outside."""
    before = lane.state
    started = time.perf_counter()
    process = version.start(lane.out)
    if delay is None:
        watch_staging(process, lane.out, started, until=lambda window: window.first is not None)
        time.sleep(offset)
    else:
        time.sleep(max(0.0, delay - (time.perf_counter() - started)))
    process.kill()
    process.communicate(timeout=30)
    owners = staging_owners(lane.out)
    left = [*stale_siblings(lane.out), *stale_spools(lane.out)]  # the next build removes them
    beside = {path.name for path in lane.out.parent.iterdir()} - {path.name for path in left}
    assert beside <= {lane.out.name, lock_path(lane.out).name}, f"written outside --out: {beside}"
    if process.pid in owners:
        assert owners == {process.pid}, f"stale staging {owners} left by earlier builds was not removed"
    return KillResult(before, lane.check(), bool(owners))


def spread(low: float, high: float, count: int) -> list[float]:
    return [low + (high - low) * index / max(count - 1, 1) for index in range(count)]


def kill_lane(lane: Lane, versions: dict[str, Version], plan: list[tuple[float | None, float]]) -> list[KillResult]:
    """Each kill builds the version the lane does not hold, so every build that gets through changes it."""
    return [kill_build(lane, versions["B" if lane.state == "A" else "A"], delay, offset) for delay, offset in plan]


def calibrate(lane: Lane, version: Version) -> Window:
    """An unkilled build, watched: where its write window is (seconds after the start)."""
    started = time.perf_counter()
    process = version.start(lane.out)
    window = watch_staging(process, lane.out, started)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    lane.expected[version.name] = listed_packages(lane.out)
    lane.state = version.name
    return window


def calibrate_both(lane: Lane, versions: tuple[Version, Version]) -> list[Window]:
    """B then A, so the lane ends holding A's outputs and knows both builds' build.json; again while a build's
    staging folder went unseen (its window lasts a few ms: a poller descheduled that long on a loaded machine
    misses it), at most CALIBRATIONS times."""
    for _ in range(CALIBRATIONS):
        windows = [calibrate(lane, versions[1]), calibrate(lane, versions[0])]
        if all(window.first is not None and window.last is not None for window in windows):
            return windows
    raise AssertionError(f"the staging folder was never seen in {CALIBRATIONS} pairs of builds")


def test_sigkill_at_any_instant_leaves_previous_or_new_outputs_whole(versions: tuple[Version, Version],
                                                                      tmp_path: Path) -> None:
    """Two output folders, each killed KILLS_PER_LANE times by real SIGKILLs: a third at delays spread from
    before the measured write window to after it, the rest at offsets spread over the window's length after
    the staging folder is seen from outside. After every kill build.json matches the previous or the new
    outputs exactly; a kill that left staging behind landed inside the window."""
    first, second = versions
    by_name = {first.name: first, second.name: second}
    lanes = [Lane(tmp_path / f"site-{index}" / "build", "", {}) for index in range(2)]
    for lane in lanes:
        lane.out.mkdir(parents=True)
        add_foreign_files(lane.out)
    with ThreadPoolExecutor(len(lanes)) as pool:
        calibrating = [pool.submit(calibrate_both, lane, versions) for lane in lanes]
        windows = [window for future in calibrating for window in future.result(timeout=LANE_TIMEOUT_S)]
    assert all(set(lane.expected["A"].values()).isdisjoint(lane.expected["B"].values()) for lane in lanes)
    start = min(window.first or 0 for window in windows)
    end = max(window.last or 0 for window in windows)
    write_time = min((window.last or 0) - (window.first or 0) for window in windows)  # the shortest: load varies
    blind = spread(start - 0.2, end + 0.2, KILLS_PER_LANE // 3)
    triggered = spread(0.0, 1.2 * write_time, KILLS_PER_LANE - len(blind))
    plan: list[tuple[float | None, float]] = [(delay, 0.0) for delay in blind] + [(None, o) for o in triggered]
    with ThreadPoolExecutor(len(lanes)) as pool:
        running = [pool.submit(kill_lane, lane, by_name, plan if index % 2 == 0 else plan[::-1])
                   for index, lane in enumerate(lanes)]
        flat = [result for future in running for result in future.result(timeout=LANE_TIMEOUT_S)]
    inside = [result for result in flat if result.staging_left]
    summary = (f"{len(flat)} kills, write window {write_time * 1000:.1f} ms at {start:.2f}-{end:.2f} s; "
               f"{len(inside)} inside it ({sum(r.state_after != r.state_before for r in inside)} after the swap); "
               f"{sum(r.state_after != r.state_before for r in flat)} left the new outputs")
    print(summary)
    assert len(inside) >= 6, summary
    assert any(r.state_after == r.state_before for r in flat) and any(r.state_after != r.state_before for r in flat)
    for lane in lanes:
        version = by_name["B" if lane.state == "A" else "A"]
        result = version.run(lane.out)
        assert result.returncode == 0, result.stderr
        assert stale_siblings(lane.out) == [] and not lock_path(lane.out).exists()
        assert lane.check() == version.name
        assert sorted(path.name for path in lane.out.parent.iterdir()) == [lane.out.name]


def read_stderr_until(process: subprocess.Popen[str], text: str, timeout: float) -> str:
    """The process's stderr up to the first line holding ``text`` (or all of it, if it ends or times out)."""
    assert process.stderr is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while text.encode() not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 0.1)
        if ready:
            chunk = os.read(process.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
    return seen.decode()


def lock_holder_pid(out: Path) -> str:
    try:
        return lock_path(out).read_text().strip()
    except FileNotFoundError:
        return ""


def staging_of(out: Path, pid: int) -> Path | None:
    return next((path for path in stale_siblings(out) if path.name.startswith(f".{out.name}.staging-{pid}-")), None)


def stop_when_staged(version: Version, out: Path, ready: Callable[[Path], bool]) -> subprocess.Popen[str] | None:
    """One try: SIGSTOP the build once its staging folder is ``ready``; None (build finished) if it had already
    swapped it in or let go of the lock."""
    folder = out.stat().st_ino
    started = time.perf_counter()
    process = version.start(out)

    def staged(window: Window) -> bool:
        staging = staging_of(out, process.pid)
        return staging is not None and ready(staging)
    watch_staging(process, out, started, until=staged)
    process.send_signal(signal.SIGSTOP)
    if staged(Window()) and out.stat().st_ino == folder and lock_holder_pid(out) == str(process.pid):
        return process
    process.send_signal(signal.SIGCONT)
    process.communicate(timeout=60)
    return None


@contextmanager
def stopped_inside_its_write(version: Version, out: Path, ready: Callable[[Path], bool] = lambda staging: True,
                             after_missed: Callable[[], object] = lambda: None) -> Iterator[subprocess.Popen[str]]:
    """A build frozen (SIGSTOP) while it holds the lock, its staging folder exists and is ``ready``, and it has
    not swapped it in yet (--out is still the same folder); continued (SIGCONT) on leaving. A try that missed the
    window let its build finish and write --out: ``after_missed`` puts back what the test expects there."""
    process = None
    for _ in range(20):
        process = stop_when_staged(version, out, ready)
        if process is not None:
            break
        after_missed()
    if process is None:
        pytest.fail("could not stop a build inside its write window in 20 tries")
    try:
        yield process
    except BaseException:
        process.kill()
        process.communicate()  # reaped and its pipes closed: a failed test leaves no process for a later one's warnings
        raise
    finally:
        process.send_signal(signal.SIGCONT)


def test_a_second_build_waits_for_the_one_writing_or_fails_naming_it(versions: tuple[Version, Version],
                                                                     tmp_path: Path) -> None:
    first, second = versions
    out = tmp_path / "build"
    assert first.run(out).returncode == 0
    add_foreign_files(out)
    before = listed_packages(out)
    with stopped_inside_its_write(second, out, after_missed=lambda: first.run(out)) as holder:
        assert listed_packages(out) == before
        refused = first.run(out, "--lock-timeout", "0.5")
        assert refused.returncode == 1, refused.stderr
        assert f"another build (process {holder.pid}: " in refused.stderr and "courseforge build" in refused.stderr
        assert "[output.locked]" in refused.stderr and "nothing was written" in refused.stderr
        waiting = first.start(out, "--lock-timeout", "30")
        assert f"waiting up to 30 s for another build (process {holder.pid}" in read_stderr_until(
            waiting, "waiting up to", timeout=30)
        assert listed_packages(out) == before
    _, stderr = holder.communicate(timeout=60)
    assert holder.returncode == 0, stderr
    _, stderr = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, stderr
    assert listed_packages(out) == before, "the waiting build (A) was not the last to write"
    assert stale_siblings(out) == [] and not lock_path(out).exists()


def invoke(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli, ["build", *args], catch_exceptions=False)
    return result.exit_code, result.stderr


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): b"" if path.is_dir() else path.read_bytes()
            for path in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("blocked", ["build", "build/deeper/out", None])
def test_out_blocked_by_a_file_fails_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    blocked: str | None) -> None:
    """None: the project's own output folder (build/, from courseforge.yaml) is a file."""
    project = copy_project(tmp_path / "project")
    (project / "build").write_text("not a folder\n")
    before = tree(tmp_path)
    code, stderr = invoke(project, monkeypatch, *(["--out", str(project / blocked)] if blocked else []))
    assert code == 1
    out = project / (blocked or "build")
    assert f"the output folder {out} cannot be created: {project / 'build'} is a file" in stderr
    assert "build: error: " in stderr and "[output.blocked]" in stderr and "nothing was written" in stderr
    assert tree(tmp_path) == before


@pytest.mark.parametrize("out", [".", ".."])
def test_out_holding_the_project_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str) -> None:
    """A build replaces its output folder: never the project's own folder or one above it."""
    project = copy_project(tmp_path / "project")
    before = tree(tmp_path)
    code, stderr = invoke(project, monkeypatch, "--out", out)
    assert code == 1 and "[output.contains-project]" in stderr and "holds the project" in stderr
    assert tree(tmp_path) == before


@pytest.mark.parametrize("frozen", ["site", "site/build"])
def test_out_that_cannot_be_written_fails_before_any_work(versions: tuple[Version, Version], tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch, frozen: str) -> None:
    """Immutable (chattr +i), since permissions do not stop root."""
    out = tmp_path / "site" / "build"
    out.mkdir(parents=True)
    add_foreign_files(out)
    before = tree(tmp_path)
    if subprocess.run(["chattr", "+i", str(tmp_path / frozen)], capture_output=True, check=False).returncode:
        pytest.skip("chattr +i is not allowed here")
    try:
        code, stderr = invoke(versions[0].project, monkeypatch, "--out", str(out))
    finally:
        subprocess.run(["chattr", "-i", str(tmp_path / frozen)], check=True)
    assert code == 1
    assert f"the output folder {out} cannot be written: no write permission on {tmp_path / frozen}" in stderr
    assert "[output.not-writable]" in stderr
    assert tree(tmp_path) == before


def test_a_failed_build_takes_no_lock_and_stages_nothing(versions: tuple[Version, Version], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "build"
    add_foreign_files(out)
    before = tree(tmp_path)
    code, stderr = invoke(versions[0].project, monkeypatch, str(REPO / "tests" / "roots" / "broken-quiz"),
                          "--out", str(out))
    assert code == 1 and "nothing was written" in stderr
    assert tree(tmp_path) == before


def write(out: Path, files: dict[str, bytes]) -> None:
    write_outputs(out, {PurePosixPath(path): data for path, data in files.items()}, lock_timeout=1)


def report(*courses: str) -> bytes:
    return json.dumps({"packages": [{"course": course} for course in courses]}).encode()


def test_files_another_command_writes_during_the_build_are_kept(versions: tuple[Version, Version],
                                                                tmp_path: Path) -> None:
    """Written into --out after the build linked the foreign files into its staging (an XLIFF export
    running alongside): they reach the new tree instead of being removed with the old one."""
    first, second = versions
    out = tmp_path / "build"
    assert first.run(out).returncode == 0
    add_foreign_files(out)
    (last_foreign,) = [path for path in FOREIGN if path.parts[0] == "xliff"]
    with stopped_inside_its_write(second, out, ready=lambda staging: staging.joinpath(*last_foreign.parts).exists()
                                  ) as holder:
        replacement = out / ".notes.txt.tmp"
        replacement.write_bytes(b"changed meanwhile\n")
        replacement.replace(out / "notes.txt")
        (out / "xliff" / "fr").mkdir()
        (out / "xliff" / "fr" / "data-privacy.xlf").write_bytes(b"<xliff fr/>\n")
    _, stderr = holder.communicate(timeout=60)
    assert holder.returncode == 0, stderr
    assert (out / "notes.txt").read_bytes() == b"changed meanwhile\n"
    assert (out / "xliff" / "fr" / "data-privacy.xlf").read_bytes() == b"<xliff fr/>\n"
    assert (out / "xliff" / "de" / "data-privacy.xlf").read_bytes() == FOREIGN[last_foreign]
    assert stale_siblings(out) == []


def test_the_transaction_replaces_what_build_json_describes_and_keeps_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write(out, {"old/en/scorm12.zip": b"old", "kept/en/scorm12.zip": b"kept", "reports/build.json": report("old")})
    add_foreign_files(out)
    (out / "reports" / "lint.json").write_bytes(b"{}")
    (out / "reports" / ".build.json.x1y2.tmp").write_bytes(b"left by a killed build before transactions")
    (out / "xliff").chmod(0o750)
    foreign_inode = (out / "notes.txt").stat().st_ino
    write(out, {"new/en/scorm12.zip": b"new", "reports/build.json": report("new")})
    assert tree(out) == {"kept": b"", "kept/en": b"", "kept/en/scorm12.zip": b"kept", "new": b"", "new/en": b"",
                         "new/en/scorm12.zip": b"new", "notes.txt": b"mine\n", "reports": b"",
                         "reports/build.json": report("new"), "reports/lint.json": b"{}", "xliff": b"",
                         "xliff/de": b"", "xliff/de/data-privacy.xlf": b"<xliff/>\n"}
    assert (out / "notes.txt").stat().st_ino == foreign_inode, "foreign files are carried over as hard links"
    assert (out / "xliff").stat().st_mode & 0o777 == 0o750
    assert (out / "new" / "en" / "scorm12.zip").stat().st_mode & 0o777 == 0o644
    assert sorted(path.name for path in tmp_path.iterdir()) == ["build"]


def test_stale_staging_is_removed_and_a_tree_moved_aside_comes_back(tmp_path: Path) -> None:
    """What the two-rename swap leaves when killed between its renames: no --out, the previous tree aside."""
    out = tmp_path / "build"
    aside = tmp_path / ".build.previous-123-abcd"
    write(aside, {"old/en/scorm12.zip": b"old", "reports/build.json": report("old")})
    add_foreign_files(aside)
    (tmp_path / ".build.staging-456-ef01" / "new").mkdir(parents=True)
    write(out, {"new/en/scorm12.zip": b"new", "reports/build.json": report("new")})
    assert sorted(path.name for path in tmp_path.iterdir()) == ["build"]
    assert (out / "notes.txt").read_bytes() == b"mine\n" and not (out / "old").exists()


def test_without_rename_exchange_two_renames_swap_the_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """File systems without RENAME_EXCHANGE (none here, so the kernel's EINVAL is played by the test)."""
    out = tmp_path / "build"
    write(out, {"old/en/scorm12.zip": b"old", "reports/build.json": report("old")})
    monkeypatch.setattr(outputs, "exchange", lambda first, second: False)
    write(out, {"new/en/scorm12.zip": b"new", "reports/build.json": report("new")})
    assert tree(out) == {"new": b"", "new/en": b"", "new/en/scorm12.zip": b"new", "reports": b"",
                         "reports/build.json": report("new")}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["build"]


@pytest.mark.parametrize("files", [{"../escaped.zip": b"x"}, {"/abs.zip": b"x"}, {"..": b"x"}, {"": b"x"},
                                   {"a": b"file", "a/b": b"under a file"}])
def test_a_write_that_fails_leaves_the_previous_outputs(tmp_path: Path, files: dict[str, bytes]) -> None:
    out = tmp_path / "site" / "build"
    write(out, {"old/en/scorm12.zip": b"old", "reports/build.json": report("old")})
    before = tree(tmp_path)
    with pytest.raises(OutputProblem) as problem:
        write(out, files)
    assert problem.value.code in {"output.bad-path", "output.write-failed"}
    assert tree(tmp_path) == before


@pytest.fixture
def overlay(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """An overlayfs mount (as in a container) with ``build/`` in its read-only lower layer: (lower, merged)."""
    lower, upper, work, merged = (tmp_path / name for name in ("lower", "upper", "work", "merged"))
    for folder in (lower, upper, work, merged):
        folder.mkdir()
    write(lower / "build", {"old/en/scorm12.zip": b"old", "reports/build.json": report("old")})
    options = f"lowerdir={lower},upperdir={upper},workdir={work}"
    if subprocess.run(["mount", "-t", "overlay", "overlay", "-o", options, str(merged)], capture_output=True,
                      check=False).returncode:
        pytest.skip("cannot mount an overlay file system here")
    try:
        yield lower, merged
    finally:
        subprocess.run(["umount", str(merged)], check=True)


def test_on_overlayfs_a_lower_layer_out_is_refused_with_a_hint_and_a_fresh_one_swaps(
        overlay: tuple[Path, Path]) -> None:
    lower, merged = overlay
    out = merged / "build"
    before = tree(merged)
    with pytest.raises(OutputProblem) as problem:
        write(out, {"new/en/scorm12.zip": b"new", "reports/build.json": report("new")})
    assert problem.value.code == "output.write-failed" and "Invalid cross-device link" in problem.value.message
    assert "delete it once" in problem.value.hint
    assert tree(merged) == before
    shutil.rmtree(out)
    for version in ("first", "second"):
        write(out, {f"{version}/en/scorm12.zip": version.encode(), "reports/build.json": report(version)})
        assert tree(out)[f"{version}/en/scorm12.zip"] == version.encode() and len(tree(out)) == 5
    assert sorted(path.name for path in merged.iterdir()) == ["build"]
    assert (lower / "build" / "old" / "en" / "scorm12.zip").read_bytes() == b"old"
