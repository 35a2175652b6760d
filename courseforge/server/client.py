"""The command line's side of the build server: whether a command goes to one, sending it, relaying its output.

Which commands may be served is :mod:`courseforge.server.switch`'s (``build`` and ``lint``, inside a project,
unless ``COURSEFORGE_SERVER`` or ``CI`` says otherwise). When no server answers, the command runs in this
process as it always did and a server is started, detached, for the next one. A server busy with another
command does not make this one wait: if it has not answered within :data:`READY_TIMEOUT_S`, the command runs
here. Standard library only (see :mod:`courseforge.server`): this runs before click or pydantic is imported.
"""

from __future__ import annotations

import _socket  # the C module under socket: importing socket.py builds its enums, some 5 ms of the client
import contextlib
import os
import sys

from courseforge.cli import EXIT_INTERNAL, EXIT_INTERRUPTED
from courseforge.project_root import nearest_root
from courseforge.server.protocol import (
    AUTH,
    EXIT,
    READY,
    REQUEST,
    STDERR,
    STDOUT,
    ProtocolError,
    decoded,
    frame,
    json_frame,
    receive_frame,
)
from courseforge.server.state import ServerPlace, ServerState, code_fingerprint, log_line
from courseforge.server.switch import may_serve

CONNECT_TIMEOUT_S = 0.5
READY_TIMEOUT_S = 0.5
"""How long a client waits for a server to take its command; a server serves one command at a time, and one
still busy with another is not waited for longer (the command runs in the client's process instead). An idle
server takes a command in a few milliseconds, but on a loaded machine (a CI runner's other jobs) well over 0.1 s
has been seen: a slow answer must not be taken for a busy server."""
NO_SERVER = "no server"
BUSY = "busy"
BROKEN = "broken"


class Route:
    """A command that a server may serve: its arguments and the server's place for this project and code."""

    __slots__ = ("argv", "fingerprint", "interrupted", "place", "printed", "root")

    def __init__(self, argv: list[str], root: str, fingerprint: str, place: ServerPlace) -> None:
        self.argv, self.root, self.fingerprint, self.place = argv, root, fingerprint, place
        self.interrupted = self.printed = False

    def serve(self) -> int | str:
        """The exit code of the command as the server ran it, else why it did not (:data:`NO_SERVER`,
        :data:`BUSY`, :data:`BROKEN`: before anything was printed, so the command can run here instead)."""
        state = self.place.read()
        if state is None:  # said too: a server of other code (or another PYTHON* variable) has another key
            return self.not_served(NO_SERVER, f"no server's state under its key (code fingerprint "
                                              f"{self.fingerprint[:12]}); it starts one")
        if state.fingerprint != self.fingerprint:
            return self.not_served(NO_SERVER, "its code fingerprint is not this client's")
        try:
            connection = taken_connection(state, READY_TIMEOUT_S)
        except OSError as error:
            return self.not_served(NO_SERVER, f"no connection: {error!r}")
        if connection is None:
            return self.not_served(BUSY, f"no answer within {READY_TIMEOUT_S:g} s")
        try:
            return self.relay(connection)
        except (OSError, ProtocolError):
            return self.after_break()
        finally:
            connection.close()

    def not_served(self, outcome: str, why: str) -> str:
        """``outcome``, said in the log of this client's key: whenever a command that may be served runs in its own
        process, the log tells why (no server's state under the key, another code, no connection, no answer in
        time, a connection closed unanswered)."""
        with contextlib.suppress(OSError):
            log_line(self.place, f"client pid {os.getpid()} runs {self.argv!r} itself: {why}")
        return outcome

    def relay(self, connection: _socket.socket) -> int | str:
        """Send the command, write its output as it comes, return its exit code. Ctrl-C half-closes the
        connection (the server interrupts the command, which still reports as it would here); a second one
        leaves at once. The first is handled between two reads, never inside one: a frame is read whole."""
        import signal

        def on_interrupt(signum: int, frame: object) -> None:
            if self.interrupted:
                raise KeyboardInterrupt
            self.interrupted = True
            connection.shutdown(_socket.SHUT_WR)

        previous = signal.signal(signal.SIGINT, on_interrupt)
        try:
            connection.sendall(json_frame(REQUEST, request_document(self.argv)))
            while (received := receive_frame(connection)) is not None:
                kind, payload = received
                if kind == EXIT:
                    code = decoded(payload).get("code")
                    return code if isinstance(code, int) else EXIT_INTERNAL
                self.write(kind, payload)
            return self.after_break()
        except KeyboardInterrupt:
            return EXIT_INTERRUPTED
        finally:
            signal.signal(signal.SIGINT, previous)

    def write(self, kind: bytes, payload: bytes) -> None:
        if kind not in (STDOUT, STDERR):
            raise ProtocolError(f"unexpected frame {kind!r}")
        stream = sys.stdout if kind == STDOUT else sys.stderr
        stream.flush()
        stream.buffer.write(payload)
        stream.buffer.flush()
        self.printed = True

    def after_break(self) -> int | str:
        """The connection ended before the exit code: run the command here if nothing was printed, else say where
        the server's log is (exit 3)."""
        if self.interrupted:
            return EXIT_INTERRUPTED
        if not self.printed:
            return self.not_served(BROKEN, "the server closed the connection before it answered")
        print(f"courseforge: the build server stopped before the command ended; its log: {self.place.log_path}",
              file=sys.stderr)
        return EXIT_INTERNAL

    def start_server(self) -> None:
        """A server for the next command, detached from this one: its own session, no terminal, output to its
        log, no descriptor of ours. It takes the lock of its key first, so only one of several started at once
        stays. ``-P``: no working folder on its ``sys.path`` (it serves commands in the project's, whose files
        must never be imported)."""
        import subprocess

        with open(self.place.log_path, "ab") as log:
            subprocess.Popen([sys.executable, "-P", "-m", "courseforge.server.daemon", self.root],
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd="/", close_fds=True,
                             start_new_session=True)


def taken_connection(state: ServerState, ready_timeout: float) -> _socket.socket | None:
    """A connection to the server that accepted the token and is ready for a request within ``ready_timeout``;
    None if it is busy; :class:`OSError` when nothing listens, or when it closed the connection unanswered (it is
    going away: its code changed, or it is not the server that wrote the state)."""
    connection = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    try:
        connection.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
        connection.settimeout(CONNECT_TIMEOUT_S)
        connection.connect(("127.0.0.1", state.port))
    except OSError:
        connection.close()
        raise
    try:
        connection.sendall(frame(AUTH, state.token.encode()))
        connection.settimeout(ready_timeout)
        answer = receive_frame(connection)
    except (OSError, ProtocolError):  # a timeout (busy) or a server that closed on us
        connection.close()
        return None
    if answer is None or answer[0] != READY:
        connection.close()
        raise ConnectionResetError("the server closed the connection without taking the command")
    connection.settimeout(None)
    return connection


def ask(state: ServerState, action: str, timeout: float) -> dict[str, object] | None:
    """The server's answer to ``action`` (``ping``, ``stop``), or None when it does not give one in time."""
    try:
        connection = taken_connection(state, timeout)
    except OSError:
        return None
    if connection is None:
        return None
    try:
        connection.sendall(json_frame(REQUEST, {"action": action}))
        connection.settimeout(timeout)
        answer = receive_frame(connection)
        return decoded(answer[1]) if answer is not None and answer[0] == EXIT else None
    except (OSError, ProtocolError):
        return None
    finally:
        connection.close()


def request_document(argv: list[str]) -> dict[str, object]:
    """What the server needs to run the command as this process would: arguments, working folder, environment,
    umask, what the output streams are (terminals or not, their encoding) and the terminal's size."""
    umask = os.umask(0o022)
    os.umask(umask)
    return {"action": "run", "argv": argv, "argv0": sys.argv[0], "cwd": os.getcwd(), "env": dict(os.environ),
            "umask": umask, "streams": [stream_facts(sys.stdout), stream_facts(sys.stderr)],
            "terminal_size": terminal_size()}


def stream_facts(stream: object) -> dict[str, object]:
    """Whether ``stream`` is a terminal, and the encoding and error handler its text is written with."""
    try:
        terminal = stream.isatty()  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        terminal = False
    return {"tty": terminal is True, "encoding": getattr(stream, "encoding", None) or "utf-8",
            "errors": getattr(stream, "errors", None) or "strict"}


def terminal_size() -> list[int] | None:
    """The size of the first of stdin, stdout and stderr that is a terminal, as rich looks for it."""
    for descriptor in (0, 1, 2):
        try:
            size = os.get_terminal_size(descriptor)
        except OSError:
            continue
        return [size.columns, size.lines]
    return None


def route(argv: list[str]) -> Route | None:
    """The command's route to a server, or None when it runs here only (not served, switched off, no project,
    no private runtime folder)."""
    if not may_serve(argv):
        return None
    root = nearest_root(os.getcwd())
    if root is None:
        return None
    fingerprint = code_fingerprint()
    try:
        place = ServerPlace.of(root, fingerprint)
    except OSError:
        return None
    return Route(argv, root, fingerprint, place)
