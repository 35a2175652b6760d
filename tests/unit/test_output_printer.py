"""Output to a file, a pipe or a CI log is written without rich, byte for byte as rich writes it there."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from rich.console import Console
from rich.text import Text

from courseforge.commands.output import Line, Printer, Reporter
from courseforge.diagnostics import Diagnostic, Location, Severity

LINES = [
    [("courses/a/page.md:3:1: ", ""), ("error", "bold red"), (": a message [code.x]", "")],
    [("    hint: [bold]not markup[/] :smile: ", "dim")],
    [("bell\x07 back\x08 vt\x0b ff\x0c cr\r and an escape \x1b[31m stay as rich leaves them", "")],
    [("wide 漢字, combining e\u0301, trailing spaces   ", "yellow")],
    [("two\nlines\n", ""), ("", "bold")],
    [("a tab\tand 漢\tthe next", "")],
    [("x" * 300, "")],
    [("", "")],
]


def rich_writes(runs: list[tuple[str, str]]) -> str:
    """What the console the Reporter used to hold (rich, not a terminal) writes for one line."""
    stream = io.StringIO()
    Console(file=stream, highlight=False, soft_wrap=True).print(Text.assemble(*runs))
    return stream.getvalue()


@pytest.mark.parametrize("runs", LINES, ids=range(len(LINES)))
@pytest.mark.parametrize("stderr", [False, True], ids=["stdout", "stderr"])
def test_a_line_not_for_a_terminal_is_what_rich_writes(runs: list[tuple[str, str]], stderr: bool,
                                                       capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    printer = Printer(stderr=stderr)
    printer.print(Line(list(runs)))
    captured = capsys.readouterr()
    assert (captured.err if stderr else captured.out) == rich_writes(runs)
    assert (captured.out if stderr else captured.err) == ""
    assert not printer.is_terminal


def test_forced_colour_goes_through_rich(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    Printer(stderr=True).print(Line([("error", "bold red")]))
    assert "\x1b[" in capsys.readouterr().err  # styled as rich styles it


def test_a_reporter_writing_to_a_pipe_never_loads_rich() -> None:
    """Diagnostics, a summary and a result through pipes, in a fresh interpreter."""
    code = """
import sys
from courseforge.commands.output import Reporter
from courseforge.diagnostics import Diagnostic, Location, Severity
reporter = Reporter()
reporter.diagnostics([Diagnostic(Severity.WARNING, "x.y", "a warning", Location("a.md", 2, 1), "a hint")])
reporter.info("done", style="bold")
reporter.result("a result")
with reporter.progress("working", 3) as step:
    step("one")
print("rich" in sys.modules, file=sys.stderr)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={"PATH": "/usr/bin:/bin"})
    assert result.stdout == "a result\n"
    assert result.stderr == "a.md:2:1: warning: a warning [x.y]\n    hint: a hint\ndone\nFalse\n"


def test_diagnostics_read_the_same_with_and_without_rich(capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    diagnostic = Diagnostic(Severity.ERROR, "quiz.no-correct", "question 'q3' has no correct choice",
                            Location("courses/safety/quizzes/final.yaml", 14, 3), "mark one choice correct")
    Reporter().diagnostics([diagnostic])
    expected = rich_writes([("courses/safety/quizzes/final.yaml:14:3: ", ""), ("error", "bold red"),
                            (": question 'q3' has no correct choice [quiz.no-correct]", "")])
    expected += rich_writes([("    hint: mark one choice correct", "dim")])
    assert capsys.readouterr().err == expected
