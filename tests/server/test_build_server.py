"""The build server with real processes and real sockets on 127.0.0.1: the console script of this venv, run in a
copy of the sample project with a runtime folder of the test's own and ``COURSEFORGE_SERVER=on`` (CI sets CI,
which would switch the server off). Which process served a command is read from the server's log (each line
names its pid), never guessed from timings. Every server a test starts is stopped in its teardown."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from courseforge.server.client import READY_TIMEOUT_S
from courseforge.server.daemon import HANDSHAKE_TIMEOUT_S
from courseforge.server.protocol import AUTH, REQUEST, frame, json_frame
from tests.sample_project import REPO, copy_sample_project

SCRIPT = Path(sys.executable).with_name("courseforge")
EPOCH = "1700000000"
SERVER_START_S = 60.0
"""A server imports courseforge before it writes its state file; on a loaded 2-core machine that can take a
while."""
SCORM12_ONLY = (REPO / "courseforge.yaml").read_text(encoding="utf-8").replace("\n  formats: []",
                                                                                "\n  formats: [scorm12]")
BROKEN_LINK = "\nSee [the missing page](no-such-page.md).\n"
PAGE = Path("courses/workplace-safety/pages/ppe.md")


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str
    files: dict[str, bytes]


@dataclass
class Session:
    """A project, a runtime folder, and the environment commands run with."""

    project: Path
    runtime: Path
    env: dict[str, str] = field(default_factory=dict)

    def run(self, *args: str, server: str = "on", cwd: Path | None = None, **extra: str) -> Outcome:
        result = subprocess.run([str(SCRIPT), *args], cwd=cwd or self.project, capture_output=True, text=True,
                                env={**self.env, "COURSEFORGE_SERVER": server, **extra}, timeout=300, check=False)
        return Outcome(result.returncode, result.stdout, result.stderr, outputs(self.project / "build"))

    @property
    def folder(self) -> Path:
        return self.runtime / "courseforge"

    def states(self) -> list[dict[str, object]]:
        found = []
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            try:
                found.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return found

    def wait_for_server(self, other_than: int | None = None) -> dict[str, object]:
        """The state of the live server (a new one if ``other_than`` names the old one's pid)."""
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            states = [state for state in self.states() if state["pid"] != other_than]
            if states:
                return states[0]
            time.sleep(0.05)
        raise AssertionError(f"no server wrote its state in {self.folder}: {self.logs()}")

    def logs(self) -> str:
        return "".join(path.read_text(encoding="utf-8") for path in sorted(self.folder.glob("*.log")))

    def served_by(self, pid: object) -> int:
        """How many commands the server ``pid`` served."""
        return sum(1 for line in self.logs().splitlines() if f"pid {pid}: served " in line)

    def stop_all(self) -> None:
        pids = {state["pid"] for state in self.states()}
        self.run("server", "stop")
        for pid in pids:
            assert isinstance(pid, int)
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def alive(pid: int) -> bool:
    """Whether ``pid`` is a running process (a zombie or a reused number that is no server is not)."""
    try:
        return b"courseforge.server.daemon" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def outputs(build: Path) -> dict[str, bytes]:
    """Every package and report a build left (the cache folder aside: what a served build finds in memory it
    does not need to read back, or write again)."""
    if not build.is_dir():
        return {}
    return {path.relative_to(build).as_posix(): path.read_bytes() for path in sorted(build.rglob("*"))
            if path.is_file() and ".cache" not in path.relative_to(build).parts}


def session_for(tmp_path: Path, **extra: str) -> Session:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    project = copy_sample_project(tmp_path / "project", SCORM12_ONLY)
    env = {key: value for key, value in os.environ.items() if not key.startswith("COURSEFORGE_")}
    env.update({"XDG_RUNTIME_DIR": str(runtime), "SOURCE_DATE_EPOCH": EPOCH, "COURSEFORGE_SERVER_IDLE": "120", **extra})
    return Session(project, runtime, env)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    started = session_for(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def served(session: Session) -> Session:
    """A session whose server is up: the first build ran in its own process and started it."""
    first = session.run("build", "-q")
    assert first.code == 0, first.err
    session.wait_for_server()
    return session


def test_the_first_build_runs_in_its_process_and_starts_a_server_that_serves_the_next(session: Session) -> None:
    first = session.run("build", "-q")
    assert first.code == 0, first.err
    state = session.wait_for_server()
    assert session.served_by(state["pid"]) == 0
    second = session.run("build", "-q")
    assert session.served_by(state["pid"]) == 1
    assert second == first
    folder_mode = session.folder.stat().st_mode & 0o777
    state_mode = next(session.folder.glob("*.json")).stat().st_mode & 0o777
    assert (folder_mode, state_mode) == (0o700, 0o600)
    assert not any(session.project.rglob("*.lock")) and not any(session.project.rglob("*.log"))


def fresh_then_served(session: Session, *args: str, cwd: Path | None = None) -> tuple[Outcome, Outcome]:
    """``courseforge ARGS`` in its own process, then served, each on the same outputs as the other found."""
    shutil.rmtree(session.project / "build", ignore_errors=True)
    fresh = session.run(*args, server="off", cwd=cwd)
    shutil.rmtree(session.project / "build", ignore_errors=True)
    pid = session.wait_for_server()["pid"]
    before = session.served_by(pid)
    through_server = session.run(*args, cwd=cwd)
    assert session.served_by(pid) == before + 1, session.logs()
    return fresh, through_server


@pytest.mark.parametrize("args", [("build", "-q"), ("build", "--json"), ("build", "--locale", "all"),
                                  ("build", "--no-cache", "--jobs", "2", "--locale", "all", "--format", "scorm12,xapi"),
                                  ("lint",), ("lint", "--json", "--strict"), ("build", "--format", "nope"),
                                  ("build", "not-a-course"), ("lint", "--quiet", "--verbose")], ids=" ".join)
def test_a_served_command_prints_exits_and_writes_what_its_own_process_would(served: Session,
                                                                             args: tuple[str, ...]) -> None:
    fresh, through_server = fresh_then_served(served, *args)
    assert through_server == fresh
    assert fresh.code in (0, 2)


def test_a_served_build_with_an_error_reports_it_as_its_own_process_would(served: Session) -> None:
    with (served.project / PAGE).open("a", encoding="utf-8") as page:
        page.write(BROKEN_LINK)
    for args in (("build",), ("build", "--json"), ("lint",)):
        fresh, through_server = fresh_then_served(served, *args)
        shown = fresh.err + fresh.out
        assert fresh.code == 1 and "ppe.md" in shown and "page.broken-link" in shown, shown
        assert through_server == fresh


def test_a_served_command_from_a_sub_folder_and_with_another_epoch(served: Session) -> None:
    pages = served.project / PAGE.parent
    fresh, through_server = fresh_then_served(served, "build", "--json", cwd=pages)
    assert fresh.code == 0 and through_server == fresh
    served.env["SOURCE_DATE_EPOCH"] = "1800000000"
    fresh_later, served_later = fresh_then_served(served, "build", "-q")
    assert served_later == fresh_later and served_later.files != fresh.files


def test_an_edit_between_two_served_builds_is_built(served: Session) -> None:
    pid = served.wait_for_server()["pid"]
    before = served.run("build", "-q")
    with (served.project / PAGE).open("a", encoding="utf-8") as page:
        page.write("\nOne more sentence about protective equipment.\n")
    after = served.run("build", "-q")
    assert served.served_by(pid) == 2
    assert after.code == 0 and after.files != before.files
    shutil.rmtree(served.project / "build")
    assert served.run("build", "-q", server="off").files == after.files


UNLOGGED_WAIT_S = 2.0
"""How long a client whose server cannot write its log is given to exit (it must not: it would have an exit code
that the log does not account for yet)."""


def test_a_client_has_its_exit_code_only_once_the_servers_log_names_the_command(served: Session) -> None:
    """The tests count what a server served from its log as soon as the client exits (``fresh_then_served``), so
    the server writes its line before it sends the exit code. Its log is made a FIFO that nobody reads yet: the
    server's open for writing waits for a reader, which makes the order visible without timing a race. Had the
    server sent the exit code first, the client would exit here before the line was written."""
    pid = served.wait_for_server()["pid"]
    before = served.served_by(pid)
    [log] = served.folder.glob("*.log")
    kept = log.read_bytes()
    log.unlink()
    os.mkfifo(log, 0o600)
    client = subprocess.Popen([str(SCRIPT), "lint", "-q"], cwd=served.project, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env={**served.env, "COURSEFORGE_SERVER": "on"})
    try:
        exited = None
        with contextlib.suppress(subprocess.TimeoutExpired):
            exited = client.wait(timeout=UNLOGGED_WAIT_S)
        written = fifo_bytes(log, SERVER_START_S)
        log.unlink()
        log.write_bytes(kept + written)
        out, err = client.communicate(timeout=60)
    finally:
        client.kill()
    assert exited is None, f"the client exited ({exited}) before the server logged its command: {written!r}"
    assert f"pid {pid}: served ['lint', '-q']".encode() in written, written
    assert client.returncode == 0 and served.served_by(pid) == before + 1, (out, err, served.logs())


def fifo_bytes(path: Path, seconds: float) -> bytes:
    """What the writers of the FIFO ``path`` send until the last one closes it; opened without waiting for a
    writer (a writer waiting for a reader goes on)."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    received = b""
    deadline = time.monotonic() + seconds
    try:
        while (left := deadline - time.monotonic()) > 0 and select.select([descriptor], [], [], left)[0]:
            chunk = os.read(descriptor, 65536)
            if not chunk:  # every writer closed it
                break
            received += chunk
    finally:
        os.close(descriptor)
    return received


def exchange(port: int, *frames: bytes) -> bytes:
    """What the server sends back to ``frames`` before it closes the connection (a reset, for the frames it did not
    read, ends it too)."""
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(b"".join(frames))
        with contextlib.suppress(ConnectionResetError):
            while chunk := connection.recv(65536):
                received += chunk
    return received


def test_a_wrong_token_gets_nothing_and_runs_nothing(served: Session) -> None:
    state = served.wait_for_server()
    port, token = state["port"], state["token"]
    assert isinstance(port, int) and isinstance(token, str)
    run = json_frame(REQUEST, {"action": "run", "argv": ["build"], "cwd": str(served.project), "env": {}})
    wrong = "0" * len(token) if token != "0" * len(token) else "1" * len(token)
    assert exchange(port, frame(AUTH, wrong.encode()), run) == b""
    assert exchange(port, run) == b""
    assert exchange(port, frame(AUTH, token[:-1].encode()), run) == b""
    assert served.served_by(state["pid"]) == 0
    assert exchange(port, frame(AUTH, token.encode()), json_frame(REQUEST, {"action": "ping"})) != b""


def test_changed_code_is_not_served_by_the_old_server(tmp_path: Path) -> None:
    """A copy of the package first on PYTHONPATH is "the install"; touching one of its files changes the code."""
    code = tmp_path / "code"
    shutil.copytree(REPO / "courseforge", code / "courseforge")
    session = session_for(tmp_path, PYTHONPATH=str(code))
    try:
        assert session.run("build", "-q").code == 0
        old = session.wait_for_server()
        touched = code / "courseforge" / "server" / "__init__.py"
        later = touched.stat().st_mtime_ns + 10**9
        os.utime(touched, ns=(later, later))
        changed = session.run("build", "-q")
        assert changed.code == 0, changed.err
        assert session.served_by(old["pid"]) == 0
        assert isinstance(old["pid"], int) and wait_gone(old["pid"], 30), session.logs()
        assert "exits: courseforge's code changed" in session.logs()
        new = session.wait_for_server(other_than=old["pid"])
        assert new["fingerprint"] != old["fingerprint"]
        assert session.run("build", "-q") == changed and session.served_by(new["pid"]) == 1
    finally:
        session.stop_all()


def test_an_idle_server_exits_and_removes_its_state(tmp_path: Path) -> None:
    session = session_for(tmp_path, COURSEFORGE_SERVER_IDLE="2")
    try:
        assert session.run("build", "-q").code == 0
        pid = session.wait_for_server()["pid"]
        assert isinstance(pid, int) and wait_gone(pid, 30), session.logs()
        assert session.states() == [] and f"pid {pid}: exits: idle for 2 s" in session.logs()
    finally:
        session.stop_all()


def copy_courses(project: Path, copies: int) -> None:
    """Each sample course ``copies`` times more under new ids, with its catalogs: a build long enough (some seconds)
    to be interrupted whatever the machine's speed."""
    for course in sorted((project / "courses").iterdir()):
        for number in range(1, copies + 1):
            new_id = f"{course.name}-copy{number}"
            shutil.copytree(course, course.with_name(new_id))
            manifest = course.with_name(new_id) / "course.yaml"
            manifest.write_text(manifest.read_text(encoding="utf-8").replace(f"id: {course.name}\n", f"id: {new_id}\n",
                                                                             1), encoding="utf-8")
            for catalog in (project / "locales").glob(f"*/**/{course.name}.po*"):
                shutil.copy(catalog, catalog.with_name(catalog.name.replace(course.name, new_id)))


def test_ctrl_c_interrupts_a_served_build_and_keeps_the_outputs_it_had(served: Session) -> None:
    earlier = outputs(served.project / "build")
    copy_courses(served.project, 8)  # an interrupted build writes none of theirs either
    pid = served.wait_for_server()["pid"]
    client = subprocess.Popen([str(SCRIPT), "build", "--no-cache", "--jobs", "2", "--locale", "all", "--format",
                               "scorm12,scorm2004,xapi,cmi5,web"], cwd=served.project,
                              env={**served.env, "COURSEFORGE_SERVER": "on"}, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not workers(pid) and time.monotonic() < deadline:  # the build forked its workers: under way
        time.sleep(0.01)
    time.sleep(0.3)  # past the fork itself (an interrupt inside Python's at-fork hooks is ignored, here as anywhere)
    client.send_signal(signal.SIGINT)
    out, err = client.communicate(timeout=60)
    assert client.returncode == 130, (out, err, served.logs())
    assert err.endswith("\naborted\n"), err  # what click says of a KeyboardInterrupt
    assert outputs(served.project / "build") == earlier
    assert served.served_by(pid) == 1 and f"pid {pid}: served ['build', '--no-cache', '--jobs', '2'" in served.logs()
    assert served.run("build", "-q").code == 0 and served.served_by(pid) == 2


def workers(pid: object) -> list[str]:
    """The server's child processes (a build's forked workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return children.read_text().split() if children.exists() else []


def test_a_command_while_the_server_is_busy_runs_in_its_own_process(served: Session) -> None:
    """The server is kept busy by a connection that authenticated and has not sent its request yet: the server
    waits for it (``HANDSHAKE_TIMEOUT_S``) as it would be serving a command, longer than a client waits to be
    taken (``READY_TIMEOUT_S``). A build held busy so depends on no build's length on a loaded machine."""
    assert HANDSHAKE_TIMEOUT_S > 2 * READY_TIMEOUT_S
    state = served.wait_for_server()
    pid, before = state["pid"], served.served_by(state["pid"])
    assert isinstance(state["port"], int) and isinstance(state["token"], str)
    with socket.create_connection(("127.0.0.1", state["port"])) as holder:
        holder.sendall(frame(AUTH, state["token"].encode()))
        assert holder.recv(16), "the server did not take the holding connection"
        meanwhile = served.run("lint", "-q")
    assert meanwhile.code == 0, meanwhile.err
    assert served.served_by(pid) == before and "served ['lint'" not in served.logs()


def test_status_and_stop_clean_up_after_a_killed_server(served: Session) -> None:
    pid = served.wait_for_server()["pid"]
    assert isinstance(pid, int)
    os.kill(pid, signal.SIGKILL)
    assert wait_gone(pid, 30) and len(served.states()) == 1
    assert json.loads(served.run("server", "status", "--json").out)["running"] is False
    assert served.states() == []
    again = served.run("build", "-q")
    assert again.code == 0 and served.wait_for_server(other_than=pid)["pid"] != pid


def test_server_status_and_stop(served: Session) -> None:
    state = served.wait_for_server()
    status = json.loads(served.run("server", "status", "--json").out)
    assert status["running"] is True and status["pid"] == state["pid"] and status["busy"] is False
    stopped = served.run("server", "stop")
    assert stopped.code == 0 and f"stopped the build server for {served.project}" in stopped.out
    assert isinstance(state["pid"], int) and not alive(state["pid"]) and served.states() == []
    assert "no build server" in served.run("server", "status").out
    again = served.run("build", "-q")
    assert again.code == 0 and served.served_by(state["pid"]) == 0
    served.wait_for_server(other_than=state["pid"])  # the new one it started, for the teardown to stop
