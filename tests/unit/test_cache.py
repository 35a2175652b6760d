"""The content-addressed cache: keys, stores, and what a damaged entry does."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from courseforge import __version__, cache
from courseforge.build_plan import Recorder
from courseforge.cache import (
    BLOBS,
    BYTES,
    JSON,
    LARGEST_VALUE_SHARE,
    SIZE_NAME,
    TEXT,
    WALK_EVERY,
    DiskStore,
    LayeredStore,
    MemoryStore,
    bound,
    cache_scope,
    code_fingerprint,
    digest,
    ensure_store,
    entry_key,
    memoized,
    package_files,
    package_state,
    prune,
    read_size,
    scope_lasts,
    structured,
)
from courseforge.model.package import PackageFormat


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
    """An entry in a file of its own (a big value, or a folder an older courseforge wrote); packs:
    test_cache_pack.py."""
    store = DiskStore(tmp_path, pack_below=0)
    with cache_scope(store):
        memoized("ns", "k", lambda: {"a": 1}, JSON)
    [entry] = [p for p in tmp_path.rglob("*") if p.is_file()]
    entry.write_bytes(entry.read_bytes()[:-1] + b"2")  # {"a":2}: the checksum no longer matches
    with cache_scope(store):
        assert memoized("ns", "k", lambda: {"a": 3}, JSON) == {"a": 3}
    with cache_scope(store):
        assert memoized("ns", "k", lambda: {"a": 4}, JSON) == {"a": 3}  # rewritten whole


def test_memory_store_evicts_least_recently_used() -> None:
    store = MemoryStore(max_bytes=10, max_value_bytes=10)
    store.put("n", "a", b"12345")
    store.put("n", "b", b"12345")
    assert store.get("n", "a") == b"12345"
    store.put("n", "c", b"12345")
    assert store.get("n", "b") is None
    assert store.get("n", "a") == store.get("n", "c") == b"12345"


def test_memory_store_keeps_no_value_past_its_share_of_the_bound() -> None:
    store = MemoryStore(max_bytes=80)
    assert store.max_value_bytes == 80 // LARGEST_VALUE_SHARE == 10
    store.put("n", "small", b"x" * 10)
    store.put("n", "big", b"x" * 11)
    assert store.get("n", "small") == b"x" * 10
    assert store.get("n", "big") is None


def test_a_value_too_big_for_memory_is_still_served_from_disk(tmp_path: Path) -> None:
    store = LayeredStore(MemoryStore(max_bytes=80), DiskStore(tmp_path))
    with cache_scope(store):
        assert memoized("ns", "k", lambda: "y" * 100, TEXT) == "y" * 100
        assert memoized("ns", "k", lambda: "computed again", TEXT) == "y" * 100


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


def test_blobs_are_named_by_their_sha256_and_checked_before_use(tmp_path: Path) -> None:
    store = DiskStore(tmp_path / "cache")
    sha = store.put_blob(b"package bytes")
    assert sha == hashlib.sha256(b"package bytes").hexdigest() and store.read_blob(sha) == b"package bytes"
    target = tmp_path / "out.zip"
    assert store.blob_into(sha, target) and target.read_bytes() == b"package bytes"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    store.path(BLOBS, sha).write_bytes(b"package bytez")  # damaged in place: a miss, nothing placed
    assert store.read_blob(sha) is None
    later = DiskStore(tmp_path / "cache")  # a blob this store did not just write and flush itself is hashed first
    assert not later.blob_into(sha, tmp_path / "other.zip") and not (tmp_path / "other.zip").exists()
    store.put_blob(b"package bytes")  # a fresh build rewrites the damaged blob
    assert store.read_blob(sha) == b"package bytes"


def test_a_blob_just_written_is_linked_as_flushed(tmp_path: Path) -> None:
    store = DiskStore(tmp_path / "cache")
    sha = store.put_blob(b"package bytes", hashlib.sha256(b"package bytes").hexdigest())
    blob = store.path(BLOBS, sha)
    assert store.fresh_blobs == {str(blob)}  # linked without being read back and hashed again
    assert store.blob_into(sha, tmp_path / "out.zip")
    assert (tmp_path / "out.zip").stat().st_ino == blob.stat().st_ino and stat.S_IMODE(blob.stat().st_mode) == 0o644


def test_read_only_store_reads_but_never_writes_or_touches(tmp_path: Path) -> None:
    DiskStore(tmp_path, pack_below=0).put("ns", "k" * 64, b"value")
    [entry] = [p for p in tmp_path.rglob("*") if p.is_file()]
    os.utime(entry, (1_000_000, 1_000_000))
    reader = DiskStore(tmp_path, read_only=True)
    assert reader.get("ns", "k" * 64) == b"value"
    reader.put("ns", "j" * 64, b"other")
    reader.put_blob(b"blob")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [entry]
    assert entry.stat().st_mtime == 1_000_000 and reader.written == 0


def test_pending_entries_are_found_and_join_the_cache_when_published(tmp_path: Path) -> None:
    root, pending = tmp_path / "cache", tmp_path / "spool" / "cache"
    DiskStore(root).put("ns", "a" * 64, b"old")
    store = DiskStore(root, pending=pending)
    store.put("ns", "b" * 64, b"new")
    sha = store.put_blob(b"zip")
    assert store.get("ns", "b" * 64) == b"new" and store.read_blob(sha) == b"zip"
    assert DiskStore(root).get("ns", "b" * 64) is None  # not in the cache folder until published
    store.publish()
    published = DiskStore(root)
    assert published.get("ns", "a" * 64) == b"old" and published.get("ns", "b" * 64) == b"new"
    assert published.read_blob(sha) == b"zip" and not pending.exists()


def test_prune_removes_least_recently_used_entries_and_nothing_else(tmp_path: Path) -> None:
    store = DiskStore(tmp_path, pack_below=0)
    keys = [hashlib.sha256(bytes([n])).hexdigest() for n in range(10)]
    for age, key in enumerate(keys):
        store.put("ns", key, b"x" * 100)
        os.utime(store.path("ns", key), (1_000_000 + age, 1_000_000 + age))
    store.get("ns", keys[0])  # a hit is recent use: the oldest entry survives
    foreign = tmp_path / "ns" / "notes.txt"
    foreign.write_text("not an entry")
    stale = tmp_path / "ns" / ".tmp-killed"
    stale.write_bytes(b"half")
    former = tmp_path / "ns" / keys[0][:2] / keys[0]  # the former layout's bucket folders are bounded too
    former.parent.mkdir()
    former.write_bytes(b"x" * 100)
    for old in (stale, former):
        os.utime(old, (1_000_000, 1_000_000))
    pruned = prune(tmp_path, max_bytes=600, now=1_000_000 + 10_000)
    left = {key for key in keys if store.path("ns", key).exists()}
    assert keys[0] in left and len(left) == 3 and pruned.kept_bytes == 3 * 132  # 32 bytes of checksum each
    assert set(keys[-2:]) <= left and foreign.exists() and not stale.exists() and not former.exists()
    assert pruned.files == 9 and prune(tmp_path, max_bytes=600).files == 0


def test_structured_keys_follow_values_and_refuse_unknown_types() -> None:
    @dataclass(frozen=True)
    class Options:
        name: str
        files: dict[str, bytes]

    assert digest(structured(Options("a", {"x": b"1", "y": b"2"}))) == \
        digest(structured(Options("a", {"y": b"2", "x": b"1"})))
    assert digest(structured(Options("a", {"x": b"1"}))) != digest(structured(Options("a", {"x": b"2"})))
    assert structured(PackageFormat.WEB) != structured("web")
    with pytest.raises(TypeError):
        structured(object())


def test_every_key_kept_on_disk_carries_the_code_that_computed_it(tmp_path: Path) -> None:
    disk = DiskStore(tmp_path)
    with cache_scope(LayeredStore(MemoryStore(), disk), disk=disk):
        on_disk = entry_key("ns", "k")
        with cache_scope(Recorder(MemoryStore(), write=False)):  # a helper's scope: its entries go to the outer
            assert entry_key("ns", "k") == on_disk
    assert on_disk == digest(code_fingerprint(), "ns", "k") != digest(__version__, "ns", "k")
    assert code_fingerprint() == code_fingerprint() and len(code_fingerprint()) == 64


def test_keys_kept_in_memory_only_name_no_code_and_hash_no_package_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """No disk store: the entries stay in this process tree, whose code is one (lint on a fresh clone)."""
    monkeypatch.setattr(cache, "code_fingerprint", lambda: pytest.fail("the package was fingerprinted"))
    with cache_scope(MemoryStore()):
        assert memoized("ns", "k", lambda: b"v", BYTES) == b"v"
        assert entry_key("ns", "k") == digest(cache.IN_PROCESS_CODE, "ns", "k")


def test_a_scope_lasts_unless_a_one_off_command_says_otherwise_and_its_inner_scopes_inherit_that() -> None:
    assert scope_lasts()  # no scope: nothing is known to end with a build
    with cache_scope(MemoryStore()):
        assert scope_lasts()  # watch mode's long-lived store
    with cache_scope(MemoryStore(), lasting=False):
        assert not scope_lasts()
        with cache_scope(MemoryStore()):
            assert not scope_lasts()  # a parallel task's scope inside a one-off build
        with ensure_store(1024):
            assert not scope_lasts()
    with ensure_store(1024):
        assert not scope_lasts()  # a build's own in-process store goes with the build


def test_a_cache_folder_is_walked_only_when_its_tally_may_pass_the_limit(tmp_path: Path) -> None:
    store = DiskStore(tmp_path, pack_below=0)
    for n in range(4):
        store.put("ns", hashlib.sha256(bytes([n])).hexdigest(), b"x" * 100)  # 132 bytes each, with the checksum
    first = bound(tmp_path, 1_000, store.written)
    assert first is not None and first.kept_bytes == 4 * 132  # no tally yet: walked
    assert bound(tmp_path, 1_000, 132) is None and read_size(tmp_path) == (5 * 132, 1)
    store.put("ns", hashlib.sha256(b"late").hexdigest(), b"x" * 600)
    over = bound(tmp_path, 1_000, 632)  # 660 + 632 may be over: walked, and the oldest go
    assert over is not None and over.files > 0 and read_size(tmp_path) == (over.kept_bytes, 0)
    for builds in range(1, WALK_EVERY):
        assert bound(tmp_path, 10**9, 0) is None and read_size(tmp_path) == (over.kept_bytes, builds)
    assert bound(tmp_path, 10**9, 0) is not None  # walked now and then all the same
    (tmp_path / SIZE_NAME).write_text('{"bytes": -1, "builds": 0}')
    assert bound(tmp_path, 10**9, 0) is not None  # a tally not to trust: walked


def test_the_code_fingerprint_is_looked_up_by_the_state_of_the_package_files(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    hashed = code_fingerprint.__wrapped__()  # no disk store: every file read and hashed
    monkeypatch.setattr(cache, "SETTLED_SECONDS", -1.0)  # every file counts as settled
    store = DiskStore(tmp_path)
    with cache_scope(store, disk=store):
        assert code_fingerprint.__wrapped__() == hashed
        assert store.written  # kept (in the store's pack)
    monkeypatch.setattr(cache, "hashed_package", lambda package, files: "0" * 64)
    later = DiskStore(tmp_path)  # a later process
    with cache_scope(later, disk=later):
        assert code_fingerprint.__wrapped__() == hashed  # found by the files' state, not hashed again


def test_a_package_state_follows_its_files_and_a_fresh_file_has_not_settled(tmp_path: Path) -> None:
    (tmp_path / "module.py").write_text("one")
    state, settled = package_state(str(tmp_path), package_files(str(tmp_path)))
    assert not settled  # written just now
    (tmp_path / "module.py").write_text("two")
    assert package_state(str(tmp_path), package_files(str(tmp_path)))[0] != state
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "module.pyc").write_bytes(b"x")
    assert [relative for relative, _ in package_files(str(tmp_path))] == [("module.py",)]
