"""A content-addressed cache for work whose result depends only on its inputs.

Stages stay pure: a stage wraps an expensive, deterministic computation in :func:`memoized` with every input
that can change the result in its key. With no store active (tests, ``check``) that simply computes. A command
(the edge) or a long-lived process (watch mode, the benchmark) opens a :func:`cache_scope` with a store, and the
same computation is then looked up by the sha256 of its key first.

Values are bytes through an explicit :class:`Codec`, never pickles: a CI cache is restored from other branches'
runs, and a poisoned pickle would run code. A disk entry carries a checksum of its value, so a truncated or
edited file is a miss, never a wrong result.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from threading import Lock
from typing import Any, Generic, Protocol, TypeVar

from courseforge import __version__

T = TypeVar("T")

KeyPart = str | bytes | int | float | bool | None | tuple["KeyPart", ...]
CHECKSUM_BYTES = 32
"""A disk entry is the sha256 of its value followed by the value."""


@dataclass(frozen=True)
class Codec(Generic[T]):
    """How a cached value becomes bytes and back."""

    encode: Callable[[T], bytes]
    decode: Callable[[bytes], T]


def _identity(data: bytes) -> bytes:
    return data


def _encode_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


TEXT: Codec[str] = Codec(lambda text: text.encode(), lambda data: data.decode())
BYTES: Codec[bytes] = Codec(_identity, _identity)
JSON: Codec[Any] = Codec(_encode_json, json.loads)


def _feed(hasher: Any, part: KeyPart) -> None:
    """Each part typed and length-prefixed, so ("ab", "c") and ("a", "bc") never share a key."""
    if isinstance(part, tuple):
        hasher.update(b"t%d:" % len(part))
        for item in part:
            _feed(hasher, item)
        return
    if isinstance(part, bytes):
        tag, data = b"b", part
    elif isinstance(part, str):
        tag, data = b"s", part.encode()
    else:
        tag, data = b"v", repr(part).encode()  # int, float, bool, None
    hasher.update(tag + b"%d:" % len(data) + data)


def digest(*parts: KeyPart) -> str:
    """The sha256 hex of the parts (use it to pre-hash a big input once and key on the digest)."""
    hasher = hashlib.sha256()
    _feed(hasher, parts)
    return hasher.hexdigest()


class Store(Protocol):
    """Where cached values live, addressed by namespace and key digest."""

    def get(self, namespace: str, key: str) -> bytes | None: ...

    def put(self, namespace: str, key: str, value: bytes) -> None: ...


class MemoryStore:
    """An in-process LRU bounded by the bytes it holds: for a long-lived process (watch mode)."""

    def __init__(self, max_bytes: int = 256 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._size = 0
        self._lock = Lock()

    def get(self, namespace: str, key: str) -> bytes | None:
        with self._lock:
            value = self._entries.get((namespace, key))
            if value is not None:
                self._entries.move_to_end((namespace, key))
            return value

    def put(self, namespace: str, key: str, value: bytes) -> None:
        if len(value) > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop((namespace, key), None)
            self._size += len(value) - (len(old) if old is not None else 0)
            self._entries[(namespace, key)] = value
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted)


class DiskStore:
    """Files ``root/<namespace>/<2 hex>/<digest>``, written whole or not at all (temp file, then rename), so
    concurrent processes and parallel CI jobs sharing a restored folder never see half an entry."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, namespace: str, key: str) -> Path:
        return self.root / namespace / key[:2] / key

    def get(self, namespace: str, key: str) -> bytes | None:
        try:
            data = self.path(namespace, key).read_bytes()
        except OSError:
            return None
        checksum, value = data[:CHECKSUM_BYTES], data[CHECKSUM_BYTES:]
        return value if hashlib.sha256(value).digest() == checksum else None

    def put(self, namespace: str, key: str, value: bytes) -> None:
        target = self.path(namespace, key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            with os.fdopen(handle, "wb") as file:
                file.write(hashlib.sha256(value).digest() + value)
            os.replace(temporary, target)
        except OSError:
            return  # a cache that cannot be written (full disk, read-only mount) only costs speed


class LayeredStore:
    """A fast store in front of a slower one: hits from below are kept above."""

    def __init__(self, front: Store, back: Store) -> None:
        self.front, self.back = front, back

    def get(self, namespace: str, key: str) -> bytes | None:
        value = self.front.get(namespace, key)
        if value is None:
            value = self.back.get(namespace, key)
            if value is not None:
                self.front.put(namespace, key, value)
        return value

    def put(self, namespace: str, key: str, value: bytes) -> None:
        self.front.put(namespace, key, value)
        self.back.put(namespace, key, value)


_active: ContextVar[Store | None] = ContextVar("courseforge_cache_store", default=None)


@contextmanager
def cache_scope(store: Store | None) -> Iterator[None]:
    """Make ``store`` the one :func:`memoized` uses in this context (None: compute everything)."""
    token = _active.set(store)
    try:
        yield
    finally:
        _active.reset(token)


def active_store() -> Store | None:
    return _active.get()


def memoized(namespace: str, key: KeyPart, compute: Callable[[], T], codec: Codec[T]) -> T:
    """``compute()``, or the value cached under ``key`` in ``namespace`` by an earlier identical call.

    ``key`` must hold every input that can change the result (with a version constant the caller bumps when
    the computation changes); courseforge's own version is added here.
    """
    store = _active.get()
    if store is None:
        return compute()
    key_digest = digest(__version__, namespace, key)
    cached = store.get(namespace, key_digest)
    if cached is not None:
        try:
            return codec.decode(cached)
        except (ValueError, UnicodeDecodeError, KeyError, TypeError, IndexError):
            pass  # an entry written by another codec version: recompute and overwrite it
    value = compute()
    store.put(namespace, key_digest, codec.encode(value))
    return value
