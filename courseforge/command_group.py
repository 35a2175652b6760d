"""The click command group behind ``courseforge``, and :func:`run`, the command line in this process.

Apart from :mod:`courseforge.cli` so that the console script can hand a command to a build server
(:mod:`courseforge.server`) without importing click; the commands themselves are imported only when they run, and
so is :mod:`courseforge.commands.output` (with the diagnostics, dataclasses and json it imports: some 5-10 ms of
``courseforge --help``).
"""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from courseforge import __version__
from courseforge.cli import COMMANDS, EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE

JSON_REQUESTED: contextvars.ContextVar[bool] = contextvars.ContextVar("json_requested", default=False)
"""Set while a command runs with --json (:func:`courseforge.commands.output.reporting_options`), so a crash can
still answer with a JSON document."""


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
        from courseforge.commands.output import emit_document

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
