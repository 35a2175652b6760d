"""Pausing Python's cyclic garbage collector while a bulk of acyclic objects is built.

The collector runs after every few hundred new container objects and, as the heap grows, rescans all of it. A
catalog of 8,000 entries is some 300,000 new lists, dicts and sets, none in a reference cycle: in a build's heap
that triggers collections which find nothing to free and cost a fifth of parsing four such catalogs and half of
rebuilding them from cache entries (measured: 0.50 -> 0.39 s and 0.27 -> 0.12 s). Reference counting still
frees everything at once; the collector resumes afterwards and sees the new objects once.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block (nested blocks and an already disabled collector are left as they
    are). Only for code that makes no reference cycles, or few: they wait until the block ends."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def heap_frozen() -> Iterator[None]:
    """The objects alive now (modules just imported: classes, functions, schemas, all kept for the process's life)
    are left out of every collection inside the block, so each one scans only what the block itself made."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
