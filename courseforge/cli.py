"""The ``courseforge`` command group. Commands are thin.

Exit codes: 0 ok; 1 problems found (errors, or warnings under --strict); 2 usage error (unknown option,
bad argument, no project); 3 internal error (one line on stderr plus the path of a log with the
traceback; nothing is written).
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from courseforge import __version__
from courseforge.commands.output import JSON_REQUESTED, emit_document

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


@dataclass(frozen=True)
class LazyCommand:
    """A command imported only when it runs, so ``--help`` and a server's start pay for nothing else."""

    target: str
    """``module:attribute`` of the click command."""
    summary: str
    """The line ``courseforge --help`` shows (a test keeps it equal to the command's own short help)."""

    def load(self) -> click.Command:
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
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in COMMANDS and cmd_name not in self.commands:
            self.add_command(COMMANDS[cmd_name].load(), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from the summaries, without importing every command."""
        rows = [(name, COMMANDS[name].summary) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="courseforge")
def cli() -> None:
    """Compile Markdown/YAML courses into validated LMS packages.

    Run inside a project (a folder with courseforge.yaml, or any folder below it).

    \b
    Example:
      courseforge new my-courses && cd my-courses
      courseforge lint && courseforge build --locale all
    """


def write_crash_log(error: BaseException) -> Path:
    """A bug, not a user mistake: the traceback goes to a log file, the user sees one line."""
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile("w", prefix="courseforge-crash-", suffix=".log", delete=False) as log:
        log.write(f"courseforge {__version__}\nargv: {sys.argv!r}\n\n")
        log.write("".join(traceback.format_exception(error)))
    return Path(log.name)


def report_crash(error: BaseException) -> None:
    import traceback

    log = write_crash_log(error)
    last = traceback.extract_tb(error.__traceback__)[-1:]
    where = f" at {Path(last[0].filename).name}:{last[0].lineno}" if last else ""
    click.echo(f"courseforge: internal error: {type(error).__name__}: {error}{where}; "
               f"nothing was written; traceback in {log}", err=True)
    if JSON_REQUESTED.get():
        emit_document({"ok": False, "internal_error": f"{type(error).__name__}: {error}", "log": str(log)})


def run(argv: Sequence[str] | None = None) -> int:
    """The command line, returning its exit code (tests call this in-process)."""
    JSON_REQUESTED.set(False)
    try:
        result = cli.main(args=list(argv) if argv is not None else None, prog_name="courseforge",
                          standalone_mode=False)
    except click.exceptions.UsageError as error:
        error.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as error:
        error.show()
        return EXIT_PROBLEMS
    except SystemExit as error:
        return error.code if isinstance(error.code, int) else EXIT_PROBLEMS
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except Exception as error:
        report_crash(error)
        return EXIT_INTERNAL
    return result if isinstance(result, int) else EXIT_OK


def main() -> None:
    """The console script's entry (tests call :func:`run`), with pydantic's plugin scan off (before any command
    imports pydantic: :data:`PYDANTIC_PLUGINS_SWITCH`) and collecting less often (:data:`COLLECT_AFTER`). What is
    left when the command is done is frozen out of the collector, so the interpreter's exit does not collect over
    the whole heap (modules, schemas, compiled templates: some 0.05 s for a lint) only to free it as the process
    ends. A command has finished writing by then (files closed by their blocks; atexit hooks and weakref
    finalizers still run)."""
    os.environ.setdefault(PYDANTIC_PLUGINS_SWITCH, "__all__")
    gc.set_threshold(COLLECT_AFTER, *gc.get_threshold()[1:])
    code = run()
    gc.freeze()
    sys.exit(code)
