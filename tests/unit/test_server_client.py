"""The build server's client side without a server: when a command goes to one, the state file, the frames, the
code fingerprint, and that the console script's path imports nothing heavy."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from courseforge.project import find_root
from courseforge.project_root import nearest_root
from courseforge.server.client import BROKEN, NO_SERVER, Route
from courseforge.server.protocol import AUTH, EXIT, READY, STDOUT, ProtocolError, frame, json_frame, receive_frame
from courseforge.server.state import (
    LOG_KEPT_S,
    LOG_MAX_BYTES,
    ServerPlace,
    ServerState,
    code_fingerprint,
    server_key,
    tidy_logs,
)
from courseforge.server.switch import served_command, server_wanted


@pytest.mark.parametrize(("environ", "wanted"), [
    ({}, True), ({"CI": "true"}, False), ({"CI": "1"}, False), ({"CI": "0"}, True), ({"CI": "false"}, True),
    ({"CI": ""}, True), ({"CI": "true", "COURSEFORGE_SERVER": "on"}, True),
    ({"COURSEFORGE_SERVER": "off"}, False), ({"COURSEFORGE_SERVER": "Auto", "CI": "yes"}, False)])
def test_the_switch_is_on_unless_off_or_under_ci(environ: dict[str, str], wanted: bool) -> None:
    assert server_wanted(environ) is wanted


@pytest.mark.parametrize(("argv", "served"), [
    (["build"], True), (["lint", "--json"], True), (["-q", "build"], True), (["build", "--help"], False),
    (["lint", "-h"], False), (["--version"], False), (["-V", "build"], False), (["check", "x.zip"], False),
    (["i18n", "extract"], False), (["server", "stop"], False), ([], False), (["build", "--", "--help"], True)])
def test_only_build_and_lint_that_ask_no_help_are_served(argv: list[str], served: bool) -> None:
    assert served_command(argv) is served


def test_the_lean_project_root_is_the_projects(tmp_path: Path) -> None:
    (tmp_path / "courseforge.yaml").write_text("")
    inner = tmp_path / "courses" / "a"
    inner.mkdir(parents=True)
    assert nearest_root(str(inner)) == str(tmp_path.resolve()) == str(find_root(inner))
    assert nearest_root("/") is None and find_root(Path("/")) is None


def test_a_state_file_is_written_whole_private_and_read_back_only_when_ours(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    place = ServerPlace.of("/project", "f" * 64)
    assert (tmp_path / "courseforge").stat().st_mode & 0o777 == 0o700
    state = ServerState(1234, "ab" * 32, os.getpid(), "f" * 64, "/project", sys.executable, 1.5)
    place.write(state)
    assert Path(place.state_path).stat().st_mode & 0o777 == 0o600
    assert place.read() is not None and place.read().to_json() == state.to_json()  # type: ignore[union-attr]
    for broken in ("{", "[]", json.dumps({**state.to_json(), "port": "1234"}), json.dumps({"port": 1})):
        Path(place.state_path).write_text(broken)
        assert place.read() is None
    place.write(state)
    place.remove(pid=state.pid + 1)  # another server's: left alone
    assert place.read() is not None
    place.remove(pid=state.pid)
    assert place.read() is None


def test_frames_go_whole_and_a_cut_one_is_an_error() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(frame(STDOUT, b"\x00bytes as written\n") + json_frame(EXIT, {"code": 2}))
        assert receive_frame(right) == (STDOUT, b"\x00bytes as written\n")
        assert receive_frame(right) == (EXIT, b'{"code": 2}')
        left.sendall(frame(STDOUT, b"cut")[:-1])
        left.shutdown(socket.SHUT_WR)
        with pytest.raises(ProtocolError):
            receive_frame(right)
    left, right = socket.socketpair()
    with left, right:
        left.close()
        assert receive_frame(right) is None


def test_the_code_fingerprint_changes_with_any_file_of_the_package(tmp_path: Path) -> None:
    package = tmp_path / "courseforge"
    (package / "themes").mkdir(parents=True)
    (package / "cli.py").write_text("x = 1\n")
    (package / "themes" / "page.html").write_text("<p>\n")
    (package / "__pycache__").mkdir()
    first = code_fingerprint(str(package))
    (package / "__pycache__" / "cli.cpython-311.pyc").write_bytes(b"compiled")
    assert code_fingerprint(str(package)) == first
    (package / "themes" / "page.html").write_text("<p>x\n")
    assert code_fingerprint(str(package)) != first


def test_the_console_script_decides_before_importing_anything_heavy(tmp_path: Path) -> None:
    """A served command's client imports only the standard library and the client modules: here no server
    answers (an empty runtime folder), so the probe stops at the decision."""
    (tmp_path / "courseforge.yaml").write_text("")
    probe = ("import sys, courseforge.cli; from courseforge.server.client import route; served = route(['build']); "
             "print(served.serve(), sorted(m for m in sys.modules if m.split('.')[0] in "
             "{'click', 'pydantic', 'jinja2', 'yaml', 'rich', 'markdown_it', 'dataclasses', 'typing'}))")
    environment = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path), "COURSEFORGE_SERVER": "on"}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            cwd=tmp_path, env=environment)
    assert result.stdout.split() == ["no", "server", "[]"]


def test_a_starting_server_bounds_its_log_and_removes_old_logs_of_dead_keys(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    place = ServerPlace.of("/project", "f" * 64)
    folder = Path(place.folder)
    Path(place.log_path).write_bytes(b"x" * (LOG_MAX_BYTES + 1))
    for name in ("old-dead.log", "old-live.log", "old-live.json", "new-dead.log"):
        (folder / name).write_text("")
    old = 1_000_000_000.0
    for name in ("old-dead.log", "old-live.log"):
        os.utime(folder / name, (old, old))
    tidy_logs(place, now=old + LOG_KEPT_S + 1)
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        [Path(place.log_path).name, "old-live.log", "old-live.json", "new-dead.log"])
    assert Path(place.log_path).stat().st_size == 0


def test_the_server_key_holds_what_python_reads_only_as_it_starts() -> None:
    key = server_key("/project", "f" * 64, "/venv/bin/python", {"HOME": "/home/a", "PYTHONHASHSEED": "0"})
    assert key == server_key("/project", "f" * 64, "/venv/bin/python", {"HOME": "/home/b", "PYTHONHASHSEED": "0"})
    assert key != server_key("/project", "f" * 64, "/venv/bin/python", {"PYTHONHASHSEED": "1"})
    assert key != server_key("/project", "f" * 64, "/venv/bin/python", {"HOME": "/home/a"})
    assert key != server_key("/project", "e" * 64, "/venv/bin/python", {"PYTHONHASHSEED": "0"})
    assert key != server_key("/other", "f" * 64, "/venv/bin/python", {"PYTHONHASHSEED": "0"})
    assert key != server_key("/project", "f" * 64, "/usr/bin/python3", {"PYTHONHASHSEED": "0"})


@pytest.mark.parametrize("options", [(), ("-W", "error"), ("-X", "dev"), ("-O",), ("-E",), ("-b",)])
def test_a_python_started_with_options_that_change_code_keeps_its_command(options: tuple[str, ...]) -> None:
    probe = "from courseforge.server.switch import may_serve; print(may_serve(['build']))"
    environment = {**os.environ, "COURSEFORGE_SERVER": "on"}
    result = subprocess.run([sys.executable, *options, "-c", probe], capture_output=True, text=True, check=True,
                            env=environment)
    assert result.stdout.strip() == str(not options)


def test_a_command_that_may_be_served_and_runs_in_its_own_process_says_why_in_the_log(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No server's state under the client's key (none started yet, or one of other code, whose key differs), and a
    server that closes the connection once it has the request: each is a line in the key's log."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    fingerprint = code_fingerprint()
    place = ServerPlace.of("/project", fingerprint)
    assert Route(["build"], "/project", fingerprint, place).serve() == NO_SERVER
    assert f"runs ['build'] itself: no server's state under its key (code fingerprint {fingerprint[:12]})" in (
        Path(place.log_path).read_text(encoding="utf-8"))
    with socket.create_server(("127.0.0.1", 0)) as listener:
        state = ServerState(listener.getsockname()[1], "ab" * 32, os.getpid(), fingerprint, "/project", sys.executable,
                            1.5)
        place.write(state)
        peer = threading.Thread(target=take_and_close, args=(listener, state.token))
        peer.start()
        outcome = Route(["lint"], "/project", fingerprint, place).serve()
        peer.join(10)
    assert outcome == BROKEN
    assert "runs ['lint'] itself: the server closed the connection before it answered" in (
        Path(place.log_path).read_text(encoding="utf-8"))


def take_and_close(listener: socket.socket, token: str) -> None:
    """A server that takes a client's token and request, then closes the connection without answering."""
    connection, _ = listener.accept()
    with connection:
        connection.settimeout(10)
        assert receive_frame(connection) == (AUTH, token.encode())
        connection.sendall(frame(READY))
        assert receive_frame(connection) is not None
