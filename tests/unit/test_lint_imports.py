"""What ``courseforge lint`` loads: a regression guard on its import set, not a timer.

Lint's cold start is mostly imports, so a module it never uses that joins its import chain shows as time at every
run. A cold lint (no build cache) needs the whole build in memory, but none of the servers, the browser or the
preview; a lint answered from the build cache needs no stage past validation. Each case runs in a fresh
interpreter on a copy of the sample project, as a user's shell does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from courseforge.cli import EXIT_OK, run
from courseforge.stages.package import available_formats
from courseforge.standards import format_profiles
from tests.sample_project import command_modules, copy_sample_project, loaded

COURSE = "workplace-safety"
NEVER = ("uvicorn", "starlette", "httpx", "anyio", "h11", "playwright", "sqlite3", "asyncio",
         "courseforge.lms.lrs.app", "courseforge.lms.lrs.server", "courseforge.lms.cmi5.app",
         "courseforge.stages.preview", "courseforge.build_plan", "courseforge.parallel", "multiprocessing", "ctypes",
         "rich")
"""Servers, their HTTP stack, the browser, the preview and the build's process pool (and what forks it, or swaps
outputs in: multiprocessing, ctypes): lint uses none of them; nor rich while its output goes to a pipe (as here:
rich only draws on a terminal)."""
FRESH_ONLY = ("courseforge.stages.render", "courseforge.stages.package", "courseforge.stages.verify", "lxml",
              "jinja2")
"""The stages that make and check a unit's package, and the libraries only they use here (lxml: SVG images aside;
Jinja: a project theme's templates aside, which lint parses): a lint answered from the cache needs none.
(Localization stays: the cache's unit entries hold its translation gate.)"""
@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample project (its courses, catalogs and courseforge.yaml: every format)."""
    root = copy_sample_project(tmp_path / "project")
    monkeypatch.chdir(root)
    monkeypatch.delenv("COURSEFORGE_CACHE_DIR", raising=False)
    return root


def lint_modules(project: Path, cache: Path) -> set[str]:
    """The modules ``courseforge lint COURSE`` imports with ``cache`` as its build cache (it must pass)."""
    return command_modules(project, cache, "lint", COURSE)


def test_a_cold_lint_loads_the_build_but_no_server_browser_or_preview(project: Path, tmp_path: Path) -> None:
    modules = lint_modules(project, tmp_path / "no-cache")
    assert loaded(modules, FRESH_ONLY) == list(FRESH_ONLY)  # it builds every format in memory
    assert loaded(modules, NEVER) == []


def test_a_lint_answered_from_the_cache_loads_no_packaging_stage(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert run(["build", COURSE, "--jobs", "1", "--cache-dir", str(cache), "--out", str(tmp_path / "out")]) == EXIT_OK
    modules = lint_modules(project, cache)
    assert "courseforge.stages.validate" in modules
    assert loaded(modules, FRESH_ONLY + NEVER) == []


def test_every_format_with_a_profile_has_a_packager() -> None:
    """The pipeline takes 'every format' from the standards' profiles so that a cached lint loads no packager:
    the two registries must name the same formats, in the same order."""
    assert tuple(format_profiles()) == available_formats()
