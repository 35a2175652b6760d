"""Results kept as Python objects while a cache store is active, for work a rebuild repeats on unchanged inputs.

``cache.memoized`` keeps bytes, so that a result can go to disk and be shared; reading one back costs a digest of
its key and a decode. Inside one long-lived process (watch mode, the benchmark's in-process rebuild) a page
that did not change should cost next to nothing: :func:`kept` answers from a dictionary keyed by the key parts
themselves (Python compares them exactly, and hashes a string once), so neither is paid. The memo lives beside
the active store (a build's own store: one build; watch mode's: the session) and goes with it; it is bounded by
the weights its callers give (about the bytes a value holds), least recently used first, to a quarter of what
its store may hold in memory: a one-off build's small store keeps little (nothing comes back to use it), a
long-lived process's store more.

Only immutable values may be kept (frozen dataclasses, tuples, strings): every caller shares the object. The
key must hold every input that can change the value, as for ``memoized`` (the code cannot change within a
process, so it is not in the key). With no active store nothing is kept, so stages stay pure and testable.
"""

from __future__ import annotations

import hashlib
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import TypeVar, cast
from weakref import WeakKeyDictionary, ref

from courseforge.cache import Codec, KeyPart, LayeredStore, Store, active_store, memoized

T = TypeVar("T")

MEMO_WEIGHT = 32 * 2**20
"""What one store's memo holds at most, in its callers' weights (about bytes)."""
SHA256 = "sha256"
MEMO_SHARE = 4
"""The memo holds at most this fraction (1/4) of what its store's memory holds (``max_bytes``)."""


class ObjectMemo:
    """A least-recently-used map of (namespace, key) to a value and its weight."""

    def __init__(self, max_weight: int = MEMO_WEIGHT) -> None:
        self.max_weight = max_weight
        self._entries: OrderedDict[tuple[str, Hashable], tuple[object, int]] = OrderedDict()
        self._weight = 0
        self._lock = Lock()
        self.hits: Counter[str] = Counter()
        """Answers given, per namespace (what a rebuild did not compute again)."""

    def get(self, namespace: str, key: Hashable) -> tuple[object] | None:
        """``(value,)`` when kept (a value may be None), else None."""
        with self._lock:
            found = self._entries.get((namespace, key))
            if found is None:
                return None
            self._entries.move_to_end((namespace, key))
            self.hits[namespace] += 1
            return (found[0],)

    def put(self, namespace: str, key: Hashable, value: object, weight: int) -> None:
        if weight > self.max_weight or self.max_weight <= 0:
            return  # a memo of no weight (a store that keeps nothing in memory) keeps nothing
        with self._lock:
            old = self._entries.pop((namespace, key), None)
            self._weight += weight - (old[1] if old is not None else 0)
            self._entries[(namespace, key)] = (value, weight)
            while self._weight > self.max_weight:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._weight -= evicted


class Same:
    """A key part that is one particular object: equal only to itself. It holds the object, so its id cannot
    be reused while the key lives. For results of a kept computation (a parsed file the load stage kept): work
    on the very same object, which every stage treats as read-only, gives the same result."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.value is self.value


def sha256_of(data: bytes) -> bytes:
    """The sha256 of ``data``, once per bytes object while a store is active: the same asset's bytes go into
    every package of a build (and their digest into each package's keys), one object throughout."""
    return kept(SHA256, Same(data), lambda: hashlib.sha256(data).digest(), lambda _: len(data))


_memos: WeakKeyDictionary[Store, ObjectMemo] = WeakKeyDictionary()
_memos_lock = Lock()
_last_memo: tuple[ref[Store], ObjectMemo] | None = None
"""The store :func:`memo_of` last answered for (by a weak reference: it keeps no store alive) and its memo."""


def memo_weight(store: object) -> int:
    """A quarter of the store's in-memory bound (a layered store's: its front's), at most :data:`MEMO_WEIGHT`;
    a store without one (disk only) gets the most."""
    while not hasattr(store, "max_bytes") and hasattr(store, "front"):
        store = store.front
    max_bytes = getattr(store, "max_bytes", None)
    return MEMO_WEIGHT if not isinstance(max_bytes, int) else min(MEMO_WEIGHT, max_bytes // MEMO_SHARE)


def active_memo() -> ObjectMemo | None:
    """The memo of the active store (made on first use), or None when no store is active."""
    store = active_store()
    return None if store is None else memo_of(store)


def memo_of(store: Store) -> ObjectMemo:
    """The memo beside ``store`` (a layered store's: beside its front, which may outlive the layered store made
    for one build, as the build server's memory does), made on first use; the last one asked for is found without
    the lock (a rebuild asks hundreds of times, nearly always for the same store)."""
    global _last_memo
    while isinstance(store, LayeredStore):
        store = store.front
    last = _last_memo
    if last is not None and last[0]() is store:
        return last[1]
    with _memos_lock:
        memo = _memos.get(store)
        if memo is None:
            memo = _memos[store] = ObjectMemo(memo_weight(store))
        _last_memo = (ref(store), memo)
        return memo


def kept(namespace: str, key: Hashable, compute: Callable[[], T], weight: Callable[[T], int]) -> T:
    """``compute()``, or the object an earlier identical call made while the same store was active."""
    memo = active_memo()
    if memo is None:
        return compute()
    found = memo.get(namespace, key)
    if found is not None:
        return cast(T, found[0])
    value = compute()
    memo.put(namespace, key, value, weight(value))
    return value


def remembered(namespace: str, key: KeyPart, compute: Callable[[], T], codec: Codec[T],
               weight: Callable[[T], int]) -> T:
    """``compute()`` memoized in the store under ``key`` (``cache.memoized``: a later process reads it back), and
    kept as an object beside the store too (:func:`kept`), so a long-lived process neither decodes it again nor
    digests the key."""
    return kept(namespace, key, lambda: memoized(namespace, key, compute, codec), weight)
