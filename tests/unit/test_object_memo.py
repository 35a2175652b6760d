"""Objects kept beside the active cache store: computed once per key while the same store is active, never
without one, bounded by weight (least recently used first) to a share of the store's own memory bound."""

from __future__ import annotations

from pathlib import Path

from courseforge.cache import DiskStore, LayeredStore, MemoryStore, cache_scope
from courseforge.object_memo import MEMO_WEIGHT, ObjectMemo, kept, memo_of, memo_weight


class Calls:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> tuple[int, ...]:
        self.count += 1
        return (self.count,)


def test_kept_while_the_store_is_active_and_shared_by_equal_keys() -> None:
    compute = Calls()
    store = MemoryStore()
    with cache_scope(store):
        first = kept("test", ("a", b"x", 1), compute, lambda _: 10)
        assert kept("test", ("a", b"x", 1), compute, lambda _: 10) is first
        assert kept("test", ("a", b"y", 1), compute, lambda _: 10) != first
    assert compute.count == 2 and memo_of(store).hits["test"] == 1
    with cache_scope(MemoryStore()):  # another store: its own memo
        assert kept("test", ("a", b"x", 1), compute, lambda _: 10) == (3,)


def test_nothing_is_kept_without_a_store() -> None:
    compute = Calls()
    assert kept("test", "k", compute, lambda _: 1) == (1,)
    assert kept("test", "k", compute, lambda _: 1) == (2,)


def test_the_least_recently_used_go_first_and_a_value_heavier_than_the_memo_is_not_kept() -> None:
    memo = ObjectMemo(max_weight=100)
    memo.put("n", 1, "one", 40)
    memo.put("n", 2, "two", 40)
    assert memo.get("n", 1) == ("one",)  # 1 is now the most recent
    memo.put("n", 3, "three", 40)
    assert memo.get("n", 2) is None and memo.get("n", 1) == ("one",) and memo.get("n", 3) == ("three",)
    memo.put("n", 4, "four", 101)
    assert memo.get("n", 4) is None
    memo.put("n", 5, None, 1)
    assert memo.get("n", 5) == (None,)  # a kept None is told apart from a miss


def test_a_memo_takes_a_quarter_of_its_stores_memory(tmp_path: Path) -> None:
    assert memo_weight(MemoryStore(max_bytes=8 * 2**20)) == 2 * 2**20
    assert memo_weight(LayeredStore(MemoryStore(max_bytes=8 * 2**20), DiskStore(tmp_path))) == 2 * 2**20
    assert memo_weight(MemoryStore(max_bytes=2**40)) == MEMO_WEIGHT
    assert memo_weight(DiskStore(tmp_path)) == MEMO_WEIGHT


def test_each_store_has_its_own_memo_whichever_was_asked_for_last() -> None:
    first, second = MemoryStore(), MemoryStore()
    memo = memo_of(first)
    assert memo_of(first) is memo and memo_of(second) is not memo
    assert memo_of(first) is memo and memo_of(second) is memo_of(second)
