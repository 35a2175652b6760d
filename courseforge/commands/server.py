"""``courseforge server status|stop``: the current project's build server (:mod:`courseforge.server`)."""

from __future__ import annotations

import os
import signal
import time

import click

from courseforge.commands.common import NO_PROJECT_HINT
from courseforge.commands.output import Reporter, reporting_options
from courseforge.project_root import CONFIG_NAME, nearest_root
from courseforge.server.client import ask
from courseforge.server.state import ServerPlace, ServerState, code_fingerprint

ANSWER_TIMEOUT_S = 2.0
"""A server answers status and stop between two commands; one busy longer is stopped with SIGTERM."""
EXIT_WAIT_S = 10.0
SERVER_MODULE = b"courseforge.server.daemon"


def project_place() -> tuple[str, ServerPlace]:
    """The project root around the working folder and the place of its server for this code."""
    root = nearest_root(os.getcwd())
    if root is None:
        raise click.UsageError(f"no {CONFIG_NAME} in {os.getcwd()} or any folder above it; {NO_PROJECT_HINT}")
    return root, ServerPlace.of(root, code_fingerprint())


def is_server_process(pid: int) -> bool:
    """Whether ``pid`` is still a build server (not a process that took the number of one that died)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return SERVER_MODULE in cmdline.read().split(b"\0")
    except OSError:
        return False


@click.group()
def server() -> None:
    """The current project's build server, which serves build and lint warm (COURSEFORGE_SERVER=auto|on|off).

    A build or lint run from a terminal is served by a background process of the project that has courseforge
    imported and keeps what the last build computed; its output, exit code and files are those the command
    would have had in its own process. The first command runs in its own process and starts the server, which
    exits after COURSEFORGE_SERVER_IDLE seconds without a command (15 minutes) or once courseforge changed.
    COURSEFORGE_SERVER=off (or CI set) runs every command in its own process.

    \b
    Example:
      courseforge server status
    """


@server.command()
@reporting_options
def status(reporter: Reporter) -> None:
    """Show whether the current project has a build server running, and its process, port and log.

    \b
    Example:
      courseforge server status --json
    """
    root, place = project_place()
    state = place.read()
    answer = ask(state, "ping", ANSWER_TIMEOUT_S) if state is not None else None
    if state is not None and answer is None and not is_server_process(state.pid):  # killed: its file stayed
        place.remove(state.pid)
        state = None
    document: dict[str, object] = {"ok": True, "root": root, "running": state is not None, "log": place.log_path}
    if state is None:
        reporter.result(f"no build server for {root}")
    else:
        busy = "" if answer is not None else " (busy with a command)"
        document.update(pid=state.pid, port=state.port, started_at=state.started_at, busy=answer is None)
        reporter.result(f"build server for {root}: pid {state.pid} on 127.0.0.1:{state.port}, up "
                        f"{time.time() - state.started_at:.0f} s{busy}; log: {place.log_path}")
    reporter.document(document)


@server.command()
@reporting_options
def stop(reporter: Reporter) -> None:
    """Stop the current project's build server (a command it is serving is interrupted).

    \b
    Example:
      courseforge server stop
    """
    root, place = project_place()
    state = place.read()
    if state is None:
        reporter.result(f"no build server for {root}")
        reporter.document({"ok": True, "root": root, "stopped": None})
        return
    if ask(state, "stop", ANSWER_TIMEOUT_S) is None and is_server_process(state.pid):
        os.kill(state.pid, signal.SIGTERM)
    ended = wait_for_exit(state)
    if ended:
        place.remove(state.pid)  # a killed server's file (a server that stopped removed its own)
    reporter.result(f"stopped the build server for {root} (pid {state.pid})" if ended
                    else f"the build server for {root} (pid {state.pid}) has not exited yet")
    reporter.document({"ok": ended, "root": root, "stopped": state.pid})
    if not ended:
        raise SystemExit(1)


def wait_for_exit(state: ServerState) -> bool:
    """Whether the server's process is gone within :data:`EXIT_WAIT_S`."""
    deadline = time.monotonic() + EXIT_WAIT_S
    while is_server_process(state.pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
