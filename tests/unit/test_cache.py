"""The content-addressed cache: keys, stores, and what a damaged entry does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from courseforge.cache import (
    JSON,
    TEXT,
    DiskStore,
    LayeredStore,
    MemoryStore,
    cache_scope,
    digest,
    memoized,
)


def counting(value: str) -> tuple[list[int], Callable[[], str]]:
    calls: list[int] = []

    def compute() -> str:
        calls.append(1)
        return value

    return calls, compute


def test_no_store_always_computes() -> None:
    calls, compute = counting("x")
    assert memoized("ns", "k", compute, TEXT) == "x"
    assert memoized("ns", "k", compute, TEXT) == "x"
    assert len(calls) == 2


def test_store_computes_once_per_key(tmp_path: Path) -> None:
    calls, compute = counting("value")
    with cache_scope(DiskStore(tmp_path)):
        assert memoized("ns", ("a", 1), compute, TEXT) == "value"
        assert memoized("ns", ("a", 1), compute, TEXT) == "value"
        memoized("ns", ("a", 2), compute, TEXT)
        memoized("other", ("a", 1), compute, TEXT)
    assert len(calls) == 3


def test_key_parts_are_delimited() -> None:
    assert digest("ab", "c") != digest("a", "bc")
    assert digest(("a",), "b") != digest("a", ("b",))
    assert digest(b"1") != digest("1") != digest(1)


def test_damaged_disk_entry_is_a_miss(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    with cache_scope(store):
        memoized("ns", "k", lambda: {"a": 1}, JSON)
    [entry] = [p for p in tmp_path.rglob("*") if p.is_file()]
    entry.write_bytes(entry.read_bytes()[:-1] + b"2")  # {"a":2}: the checksum no longer matches
    with cache_scope(store):
        assert memoized("ns", "k", lambda: {"a": 3}, JSON) == {"a": 3}
    with cache_scope(store):
        assert memoized("ns", "k", lambda: {"a": 4}, JSON) == {"a": 3}  # rewritten whole


def test_memory_store_evicts_least_recently_used() -> None:
    store = MemoryStore(max_bytes=10)
    store.put("n", "a", b"12345")
    store.put("n", "b", b"12345")
    assert store.get("n", "a") == b"12345"
    store.put("n", "c", b"12345")
    assert store.get("n", "b") is None
    assert store.get("n", "a") == store.get("n", "c") == b"12345"


def test_layered_store_promotes_hits(tmp_path: Path) -> None:
    back = DiskStore(tmp_path)
    back.put("n", "k", b"v")
    front = MemoryStore()
    assert LayeredStore(front, back).get("n", "k") == b"v"
    assert front.get("n", "k") == b"v"


def test_unwritable_disk_store_only_costs_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with cache_scope(DiskStore(blocker)):
        assert memoized("ns", "k", lambda: "computed", TEXT) == "computed"
