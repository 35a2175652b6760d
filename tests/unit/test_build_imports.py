"""What a one-page rebuild through the CLI loads: a regression guard on its import set, not a timer.

The cached edit rebuild (one page's Markdown changed, the rest from the build cache) spends about half its CPU
importing; a module it never uses that joins its import chain shows as time at every edit. A build of the source
language reads no catalog, so Babel's catalog code (and its PO reader) stays out, and what it takes from CLDR is
in the cache; nor does the build need the servers, the browser or the preview. Each build runs in a fresh
interpreter on a copy of the sample project.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sample_project import command_modules, copy_sample_project, loaded

COURSE = "workplace-safety"
NEVER = ("babel.messages", "babel.dates", "courseforge.i18n.po_reader", "uvicorn", "starlette", "httpx", "playwright",
         "sqlite3", "courseforge.stages.preview", "courseforge.lms.lrs.app", "courseforge.lms.cmi5.app")
"""Babel's catalog code and the PO reader (a source-language build has no catalog to read); Babel's CLDR data (the
locale's number symbols and duration words come from the cache: unpickling that data imports ``babel.dates``,
which looks up the local time zone); the servers and the browser."""
@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample project (its courses, catalogs and courseforge.yaml)."""
    root = copy_sample_project(tmp_path / "project")
    monkeypatch.chdir(root)
    return root


def build_modules(project: Path, cache: Path) -> set[str]:
    """The modules ``courseforge build COURSE --format scorm12`` imports with ``cache`` as its build cache."""
    return command_modules(project, cache, "build", COURSE, "--format", "scorm12", "--jobs", "1",
                           "--out", str(project / "out"), "-q")


def test_a_one_page_rebuild_of_the_source_language_loads_no_catalog_code(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build_modules(project, cache)
    page = project / "courses" / COURSE / "pages" / "welcome.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    modules = build_modules(project, cache)
    assert "courseforge.stages.render" in modules  # the edited page was built again
    assert loaded(modules, NEVER) == []
