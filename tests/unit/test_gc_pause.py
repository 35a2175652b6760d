"""The collector helpers leave the collector as they found it, whatever happens inside."""

from __future__ import annotations

import gc

import pytest

from courseforge.gc_pause import collector_paused, heap_frozen


def test_collector_paused_disables_then_restores() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the outer block re-enables
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_heap_frozen_leaves_what_exists_out_of_collections_only_inside_the_block() -> None:
    before = gc.get_freeze_count()
    kept: list[list[int]] = [[] for _ in range(10)]
    with heap_frozen():
        frozen = gc.get_freeze_count()
        assert frozen >= before + len(kept)
        made_inside: list[list[int]] = [[] for _ in range(10)]
        # New objects are not frozen (collected as usual); frozen ones freed meanwhile may lower the count.
        assert gc.get_freeze_count() <= frozen and len(made_inside) == 10
    assert gc.get_freeze_count() == 0


def test_heap_frozen_unfreezes_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), heap_frozen():
        raise RuntimeError("inside")
    assert gc.get_freeze_count() == 0
