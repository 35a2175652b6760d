"""The build server: one long-lived process per project that runs ``build`` and ``lint`` for its clients.

Started detached by a client (``python -m courseforge.server.daemon ROOT``), it takes its key's lock (one server
per key), imports everything a build uses, listens on 127.0.0.1 (an ephemeral port) and only then writes its
state file, so a client never waits on its imports. It serves one command at a time, in its main thread (no
other thread: a build may fork its workers, ``parallel.can_fork``), each as a fresh process would run it:
the client's working folder, environment, umask and arguments, output streams that send each write to the
client and say whether the client's are terminals. Builds share one memory store that outlives them
(:data:`~courseforge.commands.build_cache.LASTING_MEMORY`): what the last build computed answers the next.

A client that goes away (Ctrl-C) interrupts the command: the connection is armed for SIGIO, whose handler raises
KeyboardInterrupt when the peer has closed, as Ctrl-C does in a fresh process. The server exits after
``COURSEFORGE_SERVER_IDLE`` seconds without a command (default 15 minutes), when courseforge's code changed
under it (its fingerprint, checked at each command and every few seconds), on ``courseforge server stop`` and
on SIGTERM, removing its state file.
"""

from __future__ import annotations

import contextvars
import fcntl
import gc
import hmac
import io
import os
import secrets
import signal
import socket
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from courseforge.cli import EXIT_INTERRUPTED
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
from courseforge.server.state import ServerPlace, ServerState, code_fingerprint, log_line, tidy_logs

IDLE_ENV = "COURSEFORGE_SERVER_IDLE"
IDLE_DEFAULT_S = 15 * 60.0
CHECK_EVERY_S = 5.0
"""While idle, how often the server checks that its code did not change (a changed one is never served)."""
HANDSHAKE_TIMEOUT_S = 2.0
"""How long a connection may take to send its token and its request: a stray one does not hold the server."""
LASTING_MEMORY_BYTES = 256 * 2**20
STOP = "stop"
PING = "ping"


class FrameSink(io.RawIOBase):
    """A binary stream whose every write is one frame to the client; what cannot be sent (the client went away)
    is dropped. A terminal if the client's stream is one, so the command styles its output as it would there."""

    def __init__(self, connection: socket.socket, kind: bytes, terminal: bool) -> None:
        super().__init__()
        self.connection, self.kind, self.terminal = connection, kind, terminal
        self.broken = False

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.terminal

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        if not self.broken:
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGIO})  # a frame goes whole or not at all
            try:
                self.connection.sendall(frame(self.kind, bytes(data)))
            except OSError:
                self.broken = True
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        return len(data)


def text_stream(connection: socket.socket, kind: bytes, facts: dict[str, object]) -> io.TextIOWrapper:
    """A text stream like the client's: its encoding and error handler, unbuffered (each write goes as it is
    made, so output interleaves as in a fresh process)."""
    sink = FrameSink(connection, kind, facts.get("tty") is True)
    return io.TextIOWrapper(sink, encoding=str(facts.get("encoding") or "utf-8"),  # type: ignore[arg-type]
                            errors=str(facts.get("errors") or "strict"), write_through=True)


class HangupWatch:
    """KeyboardInterrupt in the main thread once the client has closed its side of the connection (SIGIO tells
    when something happens on it; the handler looks whether it was the end). No thread: see the module."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.armed = False
        self.flags = fcntl.fcntl(connection.fileno(), fcntl.F_GETFL)

    def peer_closed(self) -> bool:
        try:
            return self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except BlockingIOError:
            return False
        except OSError:
            return True

    def on_io(self, signum: int, frame: object) -> None:
        if self.armed and self.peer_closed():
            self.armed = False
            raise KeyboardInterrupt

    def arm(self) -> None:
        descriptor = self.connection.fileno()
        signal.signal(signal.SIGIO, self.on_io)
        fcntl.fcntl(descriptor, fcntl.F_SETOWN, os.getpid())
        fcntl.fcntl(descriptor, fcntl.F_SETFL, self.flags | os.O_ASYNC)
        self.armed = True
        self.on_io(signal.SIGIO, None)  # closed before it was armed

    def disarm(self) -> None:
        """Idempotent, and safe to repeat if a last signal interrupted it."""
        self.armed = False
        signal.signal(signal.SIGIO, signal.SIG_IGN)
        with suppress(OSError):
            fcntl.fcntl(self.connection.fileno(), fcntl.F_SETFL, self.flags)


@contextmanager
def client_process(connection: socket.socket, request: dict[str, object]) -> Iterator[list[str]]:
    """This process as the client's for the duration: its working folder, environment, umask, ``sys.argv`` and
    output streams (yields the arguments). Everything is put back afterwards, and the working folder is ``/`` in
    between (a server holds no project folder). When the client's output is a terminal and it did not set
    ``COLUMNS``/``LINES``, they carry its size: the server has no terminal to ask, as rich and click would."""
    argv = [str(word) for word in list_of(request.get("argv"))]
    environment = {str(key): str(value) for key, value in dict_of(request.get("env")).items()}
    streams = [*(dict_of(facts) for facts in list_of(request.get("streams"))), {}, {}]
    size = list_of(request.get("terminal_size"))
    if len(size) == 2:
        environment.setdefault("COLUMNS", str(size[0]))
        environment.setdefault("LINES", str(size[1]))
    saved = (dict(os.environ), sys.argv, sys.stdout, sys.stderr, tempfile.tempdir)
    os.chdir(str(request.get("cwd")))
    umask = request.get("umask")
    previous_umask = os.umask(umask if isinstance(umask, int) else 0o022)
    os.environ.clear()
    os.environ.update(environment)
    tempfile.tempdir = None  # found again from the client's TMPDIR
    sys.argv = [str(request.get("argv0") or "courseforge"), *argv]
    out, err = text_stream(connection, STDOUT, streams[0]), text_stream(connection, STDERR, streams[1])
    sys.stdout, sys.stderr = out, err
    try:
        yield argv
    finally:
        with suppress(OSError, ValueError):
            out.flush()
            err.flush()
        environ, sys.argv, sys.stdout, sys.stderr, tempfile.tempdir = saved
        os.environ.clear()
        os.environ.update(environ)
        os.umask(previous_umask)
        os.chdir("/")


def list_of(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def dict_of(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def run_command(connection: socket.socket, argv: list[str]) -> int:
    """``courseforge ARGV`` as :func:`courseforge.cli.run` runs it, interrupted if the client goes away, in a
    copy of the server's context (a command's context variables do not outlive it) and with the warning filters
    as they were, the registries of warnings already shown forgotten (``catch_warnings`` does both): a warning
    shows once per command, as in a fresh process, not once per server."""
    from courseforge.cli import run

    watch = HangupWatch(connection)
    try:
        watch.arm()
        with warnings.catch_warnings():
            return contextvars.copy_context().run(run, argv)
    except KeyboardInterrupt:  # after run() returned (it reports one inside it as a fresh process does)
        return EXIT_INTERRUPTED
    finally:
        watch.disarm()


class Server:
    """The listening socket, the token, and the loop that serves one command at a time until it should stop."""

    def __init__(self, place: ServerPlace, root: str, fingerprint: str, idle_s: float) -> None:
        self.place, self.root, self.fingerprint, self.idle_s = place, root, fingerprint, idle_s
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=16)
        self.token = secrets.token_hex(32)
        self.state = ServerState(self.listener.getsockname()[1], self.token, os.getpid(), fingerprint, root,
                                 sys.executable, time.time())
        self.terminated = False

    def terminate(self, signum: int, frame: object) -> None:
        """SIGTERM: a command being served is interrupted (exit 130, outputs as they were), then the server ends.
        A build's forked worker inherits this handler: there SIGTERM ends the process, as it does in the worker
        of a fresh process (its pool stops busy workers so)."""
        if os.getpid() != self.state.pid:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
        self.terminated = True
        raise KeyboardInterrupt

    def serve(self) -> str:
        """Commands until idle, stopped or outdated; why it stopped."""
        self.place.write(self.state)
        log_line(self.place, f"serving {self.root} on 127.0.0.1:{self.state.port}, code fingerprint "
                             f"{self.fingerprint[:12]}")
        idle_until = time.monotonic() + self.idle_s
        while True:
            left = idle_until - time.monotonic()
            if left <= 0:
                return f"idle for {self.idle_s:g} s"
            self.listener.settimeout(min(left, CHECK_EVERY_S))
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                if self.outdated():
                    return "courseforge's code changed"
                continue
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each frame goes as it is written
            with connection:
                if self.outdated():
                    return "courseforge's code changed"
                if self.answer(connection) == STOP:
                    return "stopped by a client"
            if self.terminated:
                return "terminated"
            idle_until = time.monotonic() + self.idle_s

    def outdated(self) -> bool:
        return code_fingerprint() != self.fingerprint

    def answer(self, connection: socket.socket) -> str | None:
        """Serve one connection: nothing at all without the right token. A served command's line is in the log
        before its exit code is sent: a client that has its exit code can count on the log naming the command (the
        tests count what a server served so, right after the client exits)."""
        request = self.request(connection)
        if request is None:
            return None
        action = request.get("action")
        if action in (STOP, PING):
            connection.sendall(json_frame(EXIT, {"code": 0, "pid": os.getpid()}))
            return str(action)
        started, cpu = time.perf_counter(), time.process_time()
        try:
            with client_process(connection, request) as argv:
                code = run_command(connection, argv)
        except OSError as error:  # the client's folder is gone: nothing was run or printed, the client runs it
            log_line(self.place, f"not served: {error}")
            return None
        with suppress(OSError):  # a log that cannot be written does not take the exit code from the client
            log_line(self.place, f"served {argv!r} in {request.get('cwd')}: exit {code}, "
                                 f"{time.perf_counter() - started:.3f} s, {time.process_time() - cpu:.3f} s CPU")
        with suppress(OSError):
            connection.sendall(json_frame(EXIT, {"code": code}))
        return None

    def request(self, connection: socket.socket) -> dict[str, object] | None:
        """The authenticated request, or None (wrong token, a stray connection, a client that gave up waiting)."""
        connection.settimeout(HANDSHAKE_TIMEOUT_S)
        try:
            received = receive_frame(connection)
            if received is None or received[0] != AUTH or not hmac.compare_digest(received[1], self.token.encode()):
                return None
            connection.sendall(frame(READY))
            received = receive_frame(connection)
            if received is None or received[0] != REQUEST:
                return None
            request = decoded(received[1])
        except (OSError, ProtocolError):
            return None
        connection.settimeout(None)
        return request


def warm_up() -> None:
    """Import what ``build`` and ``lint`` run, and what a terminal's output needs, before taking commands."""
    import importlib

    from courseforge.commands.build_cache import LASTING_MEMORY
    from courseforge.pipeline import import_unit_stages

    for name in ("courseforge.command_group", "courseforge.commands.build", "courseforge.commands.lint",
                 "rich.console", "rich.text", "rich.progress"):
        importlib.import_module(name)
    import_unit_stages()
    from courseforge.cache import MemoryStore

    LASTING_MEMORY.set(MemoryStore(LASTING_MEMORY_BYTES))


def idle_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get(IDLE_ENV, "")))
    except ValueError:
        return IDLE_DEFAULT_S


def main(argv: list[str]) -> int:
    """``python -m courseforge.server.daemon ROOT``: serve ROOT until idle, stopped or outdated."""
    root = os.path.realpath(argv[0])
    fingerprint = code_fingerprint()
    place = ServerPlace.of(root, fingerprint)
    with open(place.lock_path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # another server of this key is starting or serving
        signal.signal(signal.SIGIO, signal.SIG_IGN)
        tidy_logs(place)
        from courseforge.cli import COLLECT_AFTER, PYDANTIC_PLUGINS_SWITCH

        os.environ.setdefault(PYDANTIC_PLUGINS_SWITCH, "__all__")
        os.chdir("/")
        warm_up()

        gc.set_threshold(COLLECT_AFTER, *gc.get_threshold()[1:])
        gc.freeze()  # the modules just imported are never collected: commands' collections skip them
        server = Server(place, root, fingerprint, idle_seconds())
        signal.signal(signal.SIGTERM, server.terminate)
        reason = "terminated"
        try:
            reason = server.serve()
        except KeyboardInterrupt:
            pass
        finally:
            place.remove(os.getpid())
            server.listener.close()
            with suppress(OSError):  # still held: a server starting now makes a new one and takes it
                os.unlink(place.lock_path)
            log_line(place, f"exits: {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
