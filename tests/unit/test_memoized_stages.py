"""What the stages memoize (page outlines, rendered Markdown, deflated members, catalog reads) never changes a
package: the sample courses build to the same bytes and diagnostics with every computation done afresh, with a
cold memory or disk store, and warm from either (a warm memory store answering through the objects kept beside
it, ``object_memo``, too)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from courseforge.cache import DiskStore, LayeredStore, MemoryStore, Store, cache_scope
from courseforge.diagnostics import DiagnosticSink
from courseforge.markdown_blocks import shared_pages
from courseforge.object_memo import memo_of
from courseforge.pipeline import ALL_LOCALES, BuildOptions, build_course

REPO = Path(__file__).resolve().parents[2]
COURSES = ("workplace-safety", "data-privacy")
STAGE_NAMESPACES = {"md-outline", "md-block", "zip-deflate", "po-read"}
KEPT_NAMESPACES = {"load-text", "md-references", "activity-view", "template-section"}
"""What a warm in-process rebuild takes from the objects kept beside its store."""

Build = dict[str, tuple[bytes, tuple[str, ...]]]
"""``<course>/<locale>/<format>`` -> the package's bytes and its course's diagnostics."""


class NoStore:
    """A store that keeps nothing, in memory either (``max_bytes`` 0: no object is kept beside it): every
    memoized computation runs (what stages do with no store at all; a build always opens at least a memory
    store of its own when none is active)."""

    max_bytes = 0

    def get(self, namespace: str, key: str) -> bytes | None:
        return None

    def put(self, namespace: str, key: str, value: bytes) -> None:
        return None


class CountingStore:
    """Counts the hits per namespace of the store it wraps."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.hits: Counter[str] = Counter()

    def get(self, namespace: str, key: str) -> bytes | None:
        value = self.inner.get(namespace, key)
        if value is not None:
            self.hits[namespace] += 1
        return value

    def put(self, namespace: str, key: str, value: bytes) -> None:
        self.inner.put(namespace, key, value)


def build_samples(store: Store) -> Build:
    options = BuildOptions(locales=(ALL_LOCALES,), locales_dir=REPO / "locales", source_date_epoch=0)
    built: Build = {}
    with cache_scope(store):  # no disk: every unit is built, none is taken whole from the cache
        for course in COURSES:
            sink = DiagnosticSink()
            result = build_course(REPO / "courses" / course, f"courses/{course}", options, sink)
            assert result is not None, [d.format() for d in sink]
            diagnostics = tuple(d.format() for d in sink)
            for unit in result.packages:
                package = unit.package
                built[f"{course}/{package.locale}/{package.filename}"] = (package.data, diagnostics)
    return built


@pytest.fixture(scope="module")
def computed() -> Build:
    return build_samples(NoStore())


def test_the_samples_build_every_locale_and_format(computed: Build) -> None:
    assert len(computed) == 35 and all(data[:2] == b"PK" for data, _ in computed.values())


def test_a_memory_store_cold_then_warm_gives_the_same_packages(computed: Build) -> None:
    store = CountingStore(MemoryStore())
    assert build_samples(store) == computed
    cold_hits = store.hits + memo_of(store).hits
    assert build_samples(store) == computed
    warm_hits = store.hits + memo_of(store).hits - cold_hits
    # a page's blocks come from its structure kept in the process (``markdown_blocks.shared_pages``), its
    # references from the kept validation: no outline is read back
    assert set(warm_hits) >= (STAGE_NAMESPACES - {"md-outline"}) | KEPT_NAMESPACES, warm_hits


def test_a_disk_store_cold_then_warm_in_a_new_process_gives_the_same_packages(computed: Build,
                                                                             tmp_path: Path) -> None:
    assert build_samples(LayeredStore(MemoryStore(), DiskStore(tmp_path))) == computed
    store = CountingStore(DiskStore(tmp_path))  # as a later process sees the folder: nothing in memory
    with cache_scope(MemoryStore()):
        shared_pages().clear()  # not the page structures this process keeps either
    assert build_samples(LayeredStore(MemoryStore(), store)) == computed
    assert set(store.hits) >= STAGE_NAMESPACES, store.hits
