"""How every command talks: results on stdout, human diagnostics on stderr, one JSON document with --json.

Colour only on a terminal (rich also honours NO_COLOR); a progress bar only on an interactive terminal,
never in CI logs or JSON runs; ``--quiet`` keeps just errors and results, ``--verbose`` adds details.
rich is imported when a command first prints to a terminal, not with this module: ``--help`` never pays for it,
and neither does a run whose output goes to a file, a pipe or a CI log (:class:`Printer`).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ParamSpec, TextIO, TypeVar

import click

from courseforge.command_group import JSON_REQUESTED
from courseforge.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from rich.console import Console

P = ParamSpec("P")
R = TypeVar("R")

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow"}
CONTROL_CODES = dict.fromkeys((0x07, 0x08, 0x0B, 0x0C, 0x0D))
"""BEL, BS, VT, FF and CR: what rich removes from every text it prints (``rich.control.strip_control_codes``)."""


def emit_document(document: object) -> None:
    """The one JSON document a --json run prints on stdout."""
    click.echo(json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False))


def console(*, stderr: bool) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


@dataclass
class Line:
    """One line of output in runs of text, each with a rich style (``"bold red"``; ``""`` for none)."""

    runs: list[tuple[str, str]]

    def append(self, text: str, style: str = "") -> None:
        self.runs.append((text, style))

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.runs)


def styled(text: str, style: str = "") -> Line:
    return Line([(text, style)])


def may_style(stream: TextIO) -> bool:
    """Whether rich could draw styles on ``stream``: it is a terminal, or the environment says to treat it as one
    (``FORCE_COLOR``, ``TTY_COMPATIBLE=1``; rich's own test, ``Console.is_terminal``, then decides)."""
    if "FORCE_COLOR" in os.environ or os.environ.get("TTY_COMPATIBLE") == "1":
        return True
    try:
        return stream.isatty()
    except ValueError:  # a closed stream
        return False


class Printer:
    """stdout or stderr, looked up at each line (tests capture them). Where rich could draw styles the line goes
    through rich; elsewhere it is written as rich writes it there, without loading rich: the text with rich's
    control codes removed. A tab, which rich expands by the cell width of the characters before it, still goes
    through rich."""

    def __init__(self, *, stderr: bool) -> None:
        self.stderr = stderr
        self._rich: Console | None = None

    @property
    def stream(self) -> TextIO:
        return sys.stderr if self.stderr else sys.stdout

    @property
    def rich(self) -> Console:
        if self._rich is None:
            self._rich = console(stderr=self.stderr)
        return self._rich

    @property
    def is_terminal(self) -> bool:
        return may_style(self.stream) and self.rich.is_terminal

    def print(self, line: Line) -> None:
        text = line.plain
        if "\t" in text or may_style(self.stream):
            from rich.text import Text

            self.rich.print(Text.assemble(*line.runs))
            return
        self.stream.write(f"{text.translate(CONTROL_CODES)}\n")
        self.stream.flush()


@dataclass
class Reporter:
    json_mode: bool = False
    verbosity: int = 0
    """-1 quiet, 0 normal, 1 verbose."""
    err: Printer = field(default_factory=lambda: Printer(stderr=True))
    out: Printer = field(default_factory=lambda: Printer(stderr=False))

    def diagnostics(self, items: Iterable[Diagnostic]) -> None:
        """path:line:col: severity: message [code] and its hint, on stderr (a JSON run puts them in its document)."""
        if self.json_mode:
            return
        for diagnostic in items:
            if self.verbosity < 0 and diagnostic.severity is not Severity.ERROR:
                continue
            line = styled(f"{diagnostic.location}: ")
            line.append(diagnostic.severity.value, style=SEVERITY_STYLE[diagnostic.severity])
            line.append(f": {diagnostic.message} [{diagnostic.code}]")
            self.err.print(line)
            if diagnostic.hint:
                self.err.print(styled(f"    hint: {diagnostic.hint}", "dim"))

    def result(self, text: str) -> None:
        """What the command produced (a package line, a table row): stdout, not in JSON runs."""
        if not self.json_mode:
            self.out.print(styled(text))

    def info(self, text: str, *, style: str = "") -> None:
        """A human summary line on stderr; --quiet drops it."""
        if self.verbosity >= 0 and not self.json_mode:
            self.err.print(styled(text, style))

    def failure(self, text: str) -> None:
        """Why the command failed, on stderr even with --quiet."""
        if not self.json_mode:
            self.err.print(styled(text, "bold red"))

    def detail(self, text: str) -> None:
        if self.verbosity > 0 and not self.json_mode:
            self.err.print(styled(text, "dim"))

    def document(self, document: object) -> None:
        if self.json_mode:
            emit_document(document)

    def show_progress(self) -> bool:
        return (self.err.is_terminal and self.verbosity >= 0 and not self.json_mode
                and not os.environ.get("CI"))

    @contextmanager
    def progress(self, description: str, total: int) -> Iterator[Callable[[str], None]]:
        """Yields ``step(label)``; draws a bar on an interactive terminal only, and only for long work."""
        if total < 2 or not self.show_progress():
            yield lambda label: None
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       TextColumn("{task.fields[label]}"), console=self.err.rich, transient=True)
        with bar:
            task = bar.add_task(description, total=total, label="")
            yield lambda label: bar.update(task, advance=1, label=label)


def reporting_options(command: Callable[..., R]) -> Callable[..., R]:
    """--json, --quiet/-q and --verbose/-v for a command; it receives ``reporter``."""

    @click.option("--json", "json_mode", is_flag=True,
                  help="Print exactly one JSON document on stdout (for CI); human messages stay on stderr.")
    @click.option("-q", "--quiet", is_flag=True, help="Only errors and results.")
    @click.option("-v", "--verbose", is_flag=True, help="More detail on stderr.")
    @functools.wraps(command)
    def wrapper(*args: Any, json_mode: bool, quiet: bool, verbose: bool, **kwargs: Any) -> R:
        if quiet and verbose:
            raise click.UsageError("--quiet and --verbose exclude each other")
        JSON_REQUESTED.set(json_mode)
        reporter = Reporter(json_mode=json_mode, verbosity=-1 if quiet else int(verbose))
        return command(*args, reporter=reporter, **kwargs)

    return wrapper
