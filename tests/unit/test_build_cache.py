"""The build cache as ``courseforge build`` and ``lint`` use it, on real files: a warm build is the cold build
byte for byte and diagnostic for diagnostic, a changed input rebuilds what it feeds and nothing else, a damaged
entry is a miss, ``--no-cache`` and a read-only cache folder work, and lint writes nothing."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from courseforge.cache import (
    BLOBS,
    BUILD_MEMORY_BYTES,
    BUILD_MEMORY_OVER_DISK_BYTES,
    DiskStore,
    LayeredStore,
    MemoryStore,
    active_store,
)
from courseforge.cache_pack import PACK_SUFFIX, PACKS
from courseforge.cli import EXIT_OK, EXIT_PROBLEMS, run
from courseforge.commands.build_cache import build_cache
from courseforge.diagnostics import DiagnosticSink
from courseforge.project import load_project
from courseforge.unit_cache import UNIT_NAMESPACE
from tests.sample_project import REPO, copy_sample_project

UNPRIVILEGED = ["setpriv", "--bounding-set=-dac_override,-dac_read_search",
                "--inh-caps=-dac_override,-dac_read_search"]
"""As root, drop the capabilities that let root write any file (util-linux setpriv)."""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample project (two courses, their catalogs) building SCORM 1.2 and xAPI."""
    config = (REPO / "courseforge.yaml").read_text(encoding="utf-8")
    root = copy_sample_project(tmp_path / "project", config.replace("\n  formats: []", "\n  formats: [scorm12, xapi]"))
    monkeypatch.chdir(root)
    monkeypatch.delenv("COURSEFORGE_CACHE_DIR", raising=False)
    return root


def build(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], tuple[int, int]]:
    """``build --locale all --json`` in this process: exit code, the JSON document but ``from_cache``, and
    (packages from the cache, packages)."""
    code = run(["build", "--locale", "all", "--json", "--jobs", "1", *args])
    document = json.loads(capsys.readouterr().out)
    cached = document.pop("from_cache", 0)
    return code, document, (cached, len(document["packages"]))


def outputs(out: Path) -> dict[str, bytes]:
    """Every file of the output folder but the cache's."""
    return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*"))
            if path.is_file() and path.relative_to(out).parts[0] != ".cache"}


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file with its bytes and modification time (a cache hit must not even touch a read-only folder)."""
    return {path.relative_to(folder).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_a_warm_build_is_the_cold_build_byte_for_byte_and_diagnostic_for_diagnostic(
        capsys: pytest.CaptureFixture[str], project: Path) -> None:
    code, cold, (cached, units) = build(capsys)
    assert code == EXIT_OK and cached == 0 and units == 14
    assert any(d["severity"] == "warning" for d in cold["diagnostics"]), "the sample's French has fallbacks"
    first = outputs(project / "build")
    code, warm, (cached, units) = build(capsys)
    assert code == EXIT_OK and (cached, units) == (14, 14)
    assert warm == cold and outputs(project / "build") == first


def test_a_changed_catalog_rebuilds_its_locale_only(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    build(capsys)
    before = outputs(project / "build")
    catalog = project / "locales" / "fr" / "LC_MESSAGES" / "data-privacy.po"
    text = catalog.read_text(encoding="utf-8")
    first = re.search(r'\nmsgstr "([^"\n]+)"', text)
    assert first is not None
    catalog.write_text(text.replace(first[0], f'\nmsgstr "{first[1]} (revu)"', 1), encoding="utf-8")
    code, _, (cached, units) = build(capsys)
    after = outputs(project / "build")
    assert code == EXIT_OK and (cached, units) == (12, 14)
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed == {"data-privacy/fr/scorm12.zip", "data-privacy/fr/xapi.zip", "reports/build.json"}


def edit_image(project: Path) -> None:
    """A change to one of workplace-safety's files that no catalog depends on."""
    image = project / "courses" / "workplace-safety" / "assets" / "fire-triangle.svg"
    image.write_text(image.read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8")


def test_an_edited_course_file_rebuilds_that_course_only(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    build(capsys)
    edit_image(project)
    code, _, (cached, units) = build(capsys)
    assert code == EXIT_OK and (cached, units) == (6, 14)  # data-privacy's 3 locales x 2 formats


def test_damaged_or_truncated_entries_are_misses_and_are_written_anew(capsys: pytest.CaptureFixture[str],
                                                                      project: Path) -> None:
    _, cold, _ = build(capsys)
    first = outputs(project / "build")
    cache = project / "build" / ".cache"
    blobs = sorted((cache / BLOBS).iterdir())
    assert len(blobs) == 14 and DiskStore(cache).namespaces()[UNIT_NAMESPACE] == 14
    for number, path in enumerate(blobs):
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2] if number % 2 else data[:-1] + bytes([data[-1] ^ 1]))
    for pack in (cache / PACKS).glob(f"*{PACK_SUFFIX}"):  # every small entry (the units') damaged, half cut short
        data = bytes(byte ^ 1 for byte in pack.read_bytes())
        pack.write_bytes(data[: len(data) // 2])
    code, again, (cached, _) = build(capsys)
    assert code == EXIT_OK and cached == 0 and again == cold and outputs(project / "build") == first
    assert build(capsys)[2] == (14, 14)


def test_no_cache_neither_reads_nor_writes_one(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    _, cached_build, _ = build(capsys)
    first = outputs(project / "build")
    shutil.rmtree(project / "build")
    code, document, (cached, _) = build(capsys, "--no-cache")
    assert code == EXIT_OK and cached == 0 and document == cached_build
    assert outputs(project / "build") == first and not (project / "build" / ".cache").exists()


def test_the_cache_folder_can_come_from_the_environment(capsys: pytest.CaptureFixture[str], project: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COURSEFORGE_CACHE_DIR", str(project / "ci-cache"))
    build(capsys)
    assert (project / "ci-cache" / "CACHEDIR.TAG").is_file() and not (project / "build" / ".cache").exists()
    shutil.rmtree(project / "build")
    assert build(capsys)[2] == (14, 14)


def test_a_failed_build_keeps_no_cache_entry_and_creates_nothing(capsys: pytest.CaptureFixture[str],
                                                                 project: Path) -> None:
    manifest = project / "courses" / "data-privacy" / "course.yaml"
    manifest.write_text(manifest.read_text().replace("required: 95", "required: 100"))  # French is at 96%
    code, document, _ = build(capsys)
    assert code == EXIT_PROBLEMS and "i18n.below-required" in {d["code"] for d in document["diagnostics"]}
    assert sorted(path.name for path in project.iterdir()) == ["courseforge.yaml", "courses", "locales"]


def run_unprivileged(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    prefix = UNPRIVILEGED if os.geteuid() == 0 else []
    return subprocess.run([*prefix, sys.executable, "-m", "courseforge", *args], cwd=root, capture_output=True,
                          text=True, check=False)


def test_a_read_only_cache_folder_serves_hits_and_stays_as_it_was(capsys: pytest.CaptureFixture[str],
                                                                  project: Path) -> None:
    if os.geteuid() == 0 and shutil.which(UNPRIVILEGED[0]) is None:
        pytest.skip("needs setpriv to drop root's file-access override")
    cache = project / "restored-cache"
    assert run_unprivileged(project, "build", "--locale", "all", "--cache-dir", str(cache)).returncode == EXIT_OK
    expected = outputs(project / "build")
    shutil.rmtree(project / "build")
    for path in [cache, *cache.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    before = snapshot(cache)
    try:
        result = run_unprivileged(project, "build", "--locale", "all", "--jobs", "1", "-v", "--cache-dir", str(cache))
        assert result.returncode == EXIT_OK, result.stderr
        assert "14 of 14 package(s) from the cache" in result.stderr
        assert outputs(project / "build") == expected and snapshot(cache) == before
        edit_image(project)
        result = run_unprivileged(project, "build", "--locale", "all", "--jobs", "1", "-v", "--cache-dir", str(cache))
        assert result.returncode == EXIT_OK, result.stderr  # misses are built; nothing can be kept: fine
        assert "6 of 14 package(s) from the cache" in result.stderr and snapshot(cache) == before
    finally:
        for path in [cache, *cache.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_lint_reads_the_cache_and_writes_nothing_to_it(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    assert run(["lint", "--locale", "all", "--json"]) == EXIT_OK
    fresh = json.loads(capsys.readouterr().out)
    assert not (project / "build").exists()
    build(capsys)
    before = snapshot(project)
    assert run(["lint", "--locale", "all", "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out) == fresh
    assert snapshot(project) == before
    page = next((project / "courses" / "data-privacy" / "pages").glob("*.md"))
    page.write_text(page.read_text(encoding="utf-8").replace("---\n", "---\nbroken: [\n", 1), encoding="utf-8")
    before = snapshot(project)
    assert run(["lint", "--locale", "all"]) == EXIT_PROBLEMS
    assert snapshot(project) == before


def test_the_memory_store_is_small_only_in_front_of_a_disk_store_the_build_writes(project: Path) -> None:
    """What a small memory store evicts must come back from disk: without a disk store, or with a read-only one,
    the memory store is the only thing that spares recomputing, and is the larger one."""
    loaded = load_project(project, DiagnosticSink())
    assert loaded is not None

    def memory_bound(folder: Path | None, read_only: bool = False) -> int:
        with build_cache(loaded, folder, read_only=read_only):
            store = active_store()
            memory = store.front if isinstance(store, LayeredStore) else store
            assert isinstance(memory, MemoryStore)
            return memory.max_bytes

    assert BUILD_MEMORY_OVER_DISK_BYTES < BUILD_MEMORY_BYTES
    assert memory_bound(project / "cache") == BUILD_MEMORY_OVER_DISK_BYTES
    assert memory_bound(project / "cache", read_only=True) == BUILD_MEMORY_BYTES
    assert memory_bound(None) == BUILD_MEMORY_BYTES
