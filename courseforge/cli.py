"""The ``courseforge`` command group. Commands are thin.

Exit codes: 0 ok; 1 problems found (errors, or warnings under --strict); 2 usage error (unknown option,
bad argument, no project); 3 internal error (one line on stderr plus the path of a log with the
traceback; nothing is written).
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

import click

from courseforge import __version__
from courseforge.commands.build import build
from courseforge.commands.check import check
from courseforge.commands.i18n import i18n
from courseforge.commands.lint import lint
from courseforge.commands.lrs import lrs
from courseforge.commands.new import new
from courseforge.commands.output import JSON_REQUESTED, emit_document

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="courseforge")
def cli() -> None:
    """Compile Markdown/YAML courses into validated LMS packages.

    Run inside a project (a folder with courseforge.yaml, or any folder below it).

    \b
    Example:
      courseforge new my-courses && cd my-courses
      courseforge lint && courseforge build --locale all
    """


cli.add_command(lint)
cli.add_command(build)
cli.add_command(check)
cli.add_command(i18n)
cli.add_command(lrs)
cli.add_command(new)


def write_crash_log(error: BaseException) -> Path:
    """A bug, not a user mistake: the traceback goes to a log file, the user sees one line."""
    with tempfile.NamedTemporaryFile("w", prefix="courseforge-crash-", suffix=".log", delete=False) as log:
        log.write(f"courseforge {__version__}\nargv: {sys.argv!r}\n\n")
        log.write("".join(traceback.format_exception(error)))
    return Path(log.name)


def report_crash(error: BaseException) -> None:
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
    sys.exit(run())
