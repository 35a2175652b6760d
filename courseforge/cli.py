"""The ``courseforge`` command group. Commands are thin; exit codes: 0 ok, 1 errors, 2 crash."""

from __future__ import annotations

import sys
import tempfile
import traceback
from pathlib import Path

import click

from courseforge import __version__
from courseforge.commands.build import build
from courseforge.commands.check import check
from courseforge.commands.i18n import i18n
from courseforge.commands.lint import lint

CRASH_EXIT = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="courseforge")
def cli() -> None:
    """Compile Markdown/YAML courses into validated LMS packages."""


cli.add_command(lint)
cli.add_command(build)
cli.add_command(check)
cli.add_command(i18n)


def report_crash(error: BaseException) -> None:
    """A bug, not a user mistake: a short message here, the full traceback in a log file."""
    with tempfile.NamedTemporaryFile("w", prefix="courseforge-crash-", suffix=".log", delete=False) as log:
        log.write(traceback.format_exc())
    last = traceback.extract_tb(error.__traceback__)[-1:]
    where = f" at {Path(last[0].filename).name}:{last[0].lineno}" if last else ""
    click.echo(f"courseforge crashed: {type(error).__name__}: {error}{where}\n"
               f"full traceback: {log.name}", err=True)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(1)
    except SystemExit:
        raise
    except Exception as error:
        report_crash(error)
        sys.exit(CRASH_EXIT)
