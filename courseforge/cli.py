"""The ``courseforge`` command line: a build server's, when one serves the command, else this process's.

Exit codes: 0 ok; 1 problems found (errors, or warnings under --strict); 2 usage error (unknown option,
bad argument, no project); 3 internal error (one line on stderr plus the path of a log with the
traceback; nothing is written).

This module imports the standard library only: the console script decides whether a build server runs the
command (:mod:`courseforge.server.client`) before click, pydantic or any command is imported. The click group
is :mod:`courseforge.command_group`.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Sequence

TYPE_CHECKING = False  # as typing's (mypy knows the name), without importing typing: some 4 ms of the client
if TYPE_CHECKING:
    import click

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
PYDANTIC_PLUGINS_SWITCH = "PYDANTIC_DISABLE_PLUGINS"
"""Pydantic's documented switch: ``__all__`` skips its scan of every installed distribution's entry points for
plugins (some 3 ms, at the first model). courseforge's models use no plugin; a user who wants one sets the variable
to an empty string or to the names to leave out."""
COLLECT_AFTER = 20_000
"""New container objects between two young-generation collections (Python's default is 700). A command makes
hundreds of thousands of objects that reference counting frees or that live for good (modules, schemas,
models, views), and hardly any cycle: at 700 a one-page rebuild spends some 0.02 s of CPU in collections that
free next to nothing. Garbage in cycles waits for at most this many new objects (well under a megabyte)."""


class LazyCommand:
    """A command imported only when it runs, so ``--help`` and a server's start pay for nothing else. (A plain
    class: importing dataclasses would cost the console script some 10 ms before it can hand a command to a
    server.)"""

    __slots__ = ("summary", "target")

    def __init__(self, target: str, summary: str) -> None:
        self.target = target
        """``module:attribute`` of the click command."""
        self.summary = summary
        """The line ``courseforge --help`` shows (a test keeps it equal to the command's own short help)."""

    def load(self) -> click.Command:
        import click

        module, _, attribute = self.target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


COMMANDS = {
    "new": LazyCommand("courseforge.commands.new:new",
                       "Create a project in PROJECT_DIR, or add a course to the current project."),
    "lint": LazyCommand("courseforge.commands.lint:lint",
                        "Check course sources and report every problem at once (file:line:col, with a hint)."),
    "build": LazyCommand("courseforge.commands.build:build",
                         "Build verified packages to OUT/<course>/<locale>/<format>.zip and OUT/reports/build.json."),
    "check": LazyCommand("courseforge.commands.check:check",
                         "Verify package zips, ours or a vendor's: zip safety, manifest schema, references, launchable "
                         "content."),
    "i18n": LazyCommand("courseforge.commands.i18n:i18n",
                        "Translation catalogs: locales/templates/*.pot and locales/<lang>/LC_MESSAGES/*.po."),
    "preview": LazyCommand("courseforge.commands.preview:preview",
                           "Run each package in headless Chromium against a test LMS with a robot learner, under "
                           "real LMS behaviours."),
    "lrs": LazyCommand("courseforge.commands.lrs:lrs",
                       "Serve the xAPI 1.0.3 Learning Record Store under /xAPI/ (prints its URL)."),
    "publish": LazyCommand("courseforge.commands.publish:publish",
                           "Build the selected courses and publish their packages to a target (review LMS, SCORM "
                           "Cloud, SFTP, folder)."),
    "serve": LazyCommand("courseforge.commands.serve:serve",
                         "Serve the review LMS: catalog, launch in an LMS frame, attempts, and the upload API "
                         "(prints its URL)."),
    "server": LazyCommand("courseforge.commands.server:server",
                          "The current project's build server, which serves build and lint warm "
                          "(COURSEFORGE_SERVER=auto|on|off)."),
}


def run(argv: Sequence[str] | None = None) -> int:
    """The command line in this process, returning its exit code (tests call this in-process; a build server
    calls it for each command it serves)."""
    from courseforge.command_group import run as run_here

    return run_here(argv)


def __getattr__(name: str) -> click.Group:
    """``courseforge.cli.cli``, the click group (tests invoke it), imported on first use."""
    if name == "cli":
        from courseforge.command_group import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """The console script's entry (tests call :func:`run`): a build server runs ``build`` and ``lint`` when one
    answers (:mod:`courseforge.server.client`); otherwise this process does, and starts a server for the next
    command. Here, with pydantic's plugin scan off (before any command imports pydantic:
    :data:`PYDANTIC_PLUGINS_SWITCH`; a server's commands see the same environment) and collecting less often
    (:data:`COLLECT_AFTER`). What is left when the command is done is frozen out of the collector, so the
    interpreter's exit does not collect over the whole heap (modules, schemas, compiled templates: some 0.05 s
    for a lint) only to free it as the process ends. A command has finished writing by then (files closed by
    their blocks; atexit hooks and weakref finalizers still run)."""
    os.environ.setdefault(PYDANTIC_PLUGINS_SWITCH, "__all__")
    from courseforge.server.switch import may_serve

    served, outcome = None, ""
    if may_serve(sys.argv[1:]):  # else nothing more is imported for the decision
        from courseforge.server.client import BUSY, route

        served = route(sys.argv[1:])
        answer = served.serve() if served is not None else ""
        if isinstance(answer, int):
            sys.exit(answer)
        outcome = answer
    gc.set_threshold(COLLECT_AFTER, *gc.get_threshold()[1:])
    code = run()
    if served is not None and outcome != BUSY:
        served.start_server()
    gc.freeze()
    sys.exit(code)
