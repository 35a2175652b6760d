"""``courseforge --help``, ``--version`` and each command's ``--help`` load click, not the pipeline.

A regression guard, not a timer: help costs about the import of click only while none of the heavy
libraries (pydantic, Jinja2, lxml, markdown-it, rich, Babel, PyYAML, Playwright) is imported to print it.
Each case runs in a fresh interpreter, as a user's shell does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from courseforge.cli import cli

HEAVY = ("pydantic", "jinja2", "lxml", "markdown_it", "rich", "babel", "yaml", "playwright")
PROBE = """
import json, sys
from courseforge.cli import run
code = run(sys.argv[1:])
print(json.dumps({"code": code, "heavy": sorted({m.split(".")[0] for m in sys.modules} & set(HEAVY))}))
"""
STILL_HEAVY: dict[tuple[str, ...], str] = {}
"""Known exceptions (strict: the test fails once one of them is fixed, so the entry goes)."""


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    context = click.Context(group)
    paths: list[tuple[str, ...]] = []
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, (*prefix, name)))
    return paths


CASES = [("--help",), ("--version",), *((*path, "--help") for path in command_paths(cli))]


def probe(args: tuple[str, ...]) -> tuple[int, list[str]]:
    """The exit code of ``courseforge ARGS`` and the heavy libraries it imported."""
    code = PROBE.replace("set(HEAVY)", repr(set(HEAVY)))
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return report["code"], list(report["heavy"])


@pytest.mark.parametrize("args", [
    pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=STILL_HEAVY[case])) if case in STILL_HEAVY
    else case for case in CASES], ids=" ".join)
def test_help_and_version_import_none_of_the_heavy_libraries(args: tuple[str, ...]) -> None:
    assert probe(args) == (0, [])


def test_the_probe_sees_heavy_imports_when_a_command_runs() -> None:
    """The guard itself works: running a command (not printing its help) loads what the command needs (lxml; not
    rich, which only a terminal needs: the probe's output is a pipe)."""
    code, heavy = probe(("check", "no-such-package.zip"))
    assert code == 1 and "lxml" in heavy and "rich" not in heavy


SCAN_PROBE = """
import atexit, json, os, sys
def report():
    from pydantic.plugin import _loader
    print(json.dumps([os.environ.get("PYDANTIC_DISABLE_PLUGINS"), _loader._plugins is not None]))
atexit.register(report)
sys.argv = ["courseforge", "new", sys.argv[1]]
from courseforge.cli import main
main()
"""


def scan_probe(tmp_path: Path, switch: str | None) -> list[object]:
    """The switch's value after ``courseforge new`` (which validates the project it writes) ran through the console
    script's entry, and whether pydantic scanned the installed distributions for plugins."""
    environment = {key: value for key, value in os.environ.items() if key != "PYDANTIC_DISABLE_PLUGINS"}
    if switch is not None:
        environment["PYDANTIC_DISABLE_PLUGINS"] = switch
    result = subprocess.run([sys.executable, "-c", SCAN_PROBE, str(tmp_path / "project")], capture_output=True,
                            text=True, env=environment, check=True)
    return list(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(("switch", "expected"), [(None, ["__all__", False]), ("", ["", True])], ids=["unset", "empty"])
def test_the_console_script_skips_pydantic_plugin_scan_unless_the_user_asks_for_it(
        tmp_path: Path, switch: str | None, expected: list[object]) -> None:
    """The switch works only if it is set before pydantic makes its first validator: the entry point sets it, and
    leaves a value the user set alone (an empty one scans again)."""
    assert scan_probe(tmp_path, switch) == expected
