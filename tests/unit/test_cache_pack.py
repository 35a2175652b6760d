"""The disk cache's packs: small entries appended to one pack per writing process, found through its index."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from courseforge import cache
from courseforge.cache import JSON, TOUCH_AFTER_SECONDS, DiskStore, bound, cache_scope, memoized, prune
from courseforge.cache_pack import (
    INDEX_SUFFIX,
    MERGE_ABOVE,
    MERGE_AFTER_SECONDS,
    MERGE_TO,
    PACK_BELOW_BYTES,
    PACK_SUFFIX,
    PACKS,
)
from tests.sample_project import copy_sample_project


def key(number: int) -> str:
    return hashlib.sha256(str(number).encode()).hexdigest()


def packs(root: Path, suffix: str) -> list[Path]:
    return sorted((root / PACKS).glob(f"*{suffix}"))


def test_small_entries_share_one_pack_and_big_ones_keep_a_file_each(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    for number in range(3):
        store.put("ns", key(number), b"small %d" % number)
    store.put("ns", key(9), b"x" * PACK_BELOW_BYTES)
    assert len(packs(tmp_path, PACK_SUFFIX)) == len(packs(tmp_path, INDEX_SUFFIX)) == 1
    assert [path.name for path in (tmp_path / "ns").iterdir()] == [key(9)]
    later = DiskStore(tmp_path)  # another process's view of the folder
    assert [later.get("ns", key(number)) for number in range(3)] == [b"small 0", b"small 1", b"small 2"]
    assert later.get("ns", key(9)) == b"x" * PACK_BELOW_BYTES and later.get("other", key(0)) is None


def test_an_entry_written_as_a_file_by_an_older_layout_is_still_found(tmp_path: Path) -> None:
    DiskStore(tmp_path, pack_below=0).put("ns", key(1), b"old layout")
    assert DiskStore(tmp_path).get("ns", key(1)) == b"old layout"


def test_a_store_sees_what_other_stores_packed_since_it_looked_once_refreshed(tmp_path: Path) -> None:
    reader, writer = DiskStore(tmp_path), DiskStore(tmp_path)
    assert reader.get("ns", key(1)) is None  # the packs are read on the first lookup
    writer.put("ns", key(1), b"later")
    assert reader.get("ns", key(1)) is None
    reader.refresh()
    assert reader.get("ns", key(1)) == b"later"


def test_a_damaged_or_truncated_pack_is_a_miss_and_is_written_anew(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    with cache_scope(store):
        for number in range(3):
            memoized("ns", number, lambda: {"n": 1}, JSON)
    [pack] = packs(tmp_path, PACK_SUFFIX)
    data = pack.read_bytes()
    first = data.index(b"1")
    pack.write_bytes(data[:first] + b"2" + data[first + 1:-3])  # the first entry edited, the last cut short
    fresh = DiskStore(tmp_path)
    with cache_scope(fresh):
        assert [memoized("ns", number, lambda: {"n": 3}, JSON) for number in range(3)] == [{"n": 3}, {"n": 1},
                                                                                         {"n": 3}]
    with cache_scope(DiskStore(tmp_path)):  # what was computed again was packed again, and is found
        assert [memoized("ns", number, lambda: {"n": 4}, JSON) for number in range(3)] == [{"n": 3}, {"n": 1},
                                                                                         {"n": 3}]


def test_a_damaged_index_line_is_skipped_and_a_line_cut_short_waits(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    for number in range(4):
        store.put("ns", key(number), b"value %d" % number)
    [index] = packs(tmp_path, INDEX_SUFFIX)
    lines = index.read_bytes().splitlines(keepends=True)
    renamed = lines[1].replace(key(1).encode(), key(7).encode())  # another entry's name: its checksum differs
    index.write_bytes(b"".join([b"garbage\tline\n", lines[0], renamed, lines[2], lines[3][:-10]]))
    reader = DiskStore(tmp_path)
    assert [reader.get("ns", key(number)) for number in (0, 1, 2, 3, 7)] == [b"value 0", None, b"value 2", None,
                                                                              None]


def test_a_read_only_store_packs_nothing(tmp_path: Path) -> None:
    DiskStore(tmp_path).put("ns", key(1), b"value")
    before = sorted(path.name for path in (tmp_path / PACKS).iterdir())
    reader = DiskStore(tmp_path, read_only=True)
    reader.put("ns", key(2), b"other")
    assert reader.get("ns", key(1)) == b"value" and reader.get("ns", key(2)) is None and reader.written == 0
    assert sorted(path.name for path in (tmp_path / PACKS).iterdir()) == before


def test_a_forked_process_writes_a_pack_of_its_own(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    store.put("ns", key(0), b"parent")
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            store.put("ns", key(1), b"child")
            code = 0 if store.get("ns", key(0)) == b"parent" else 1
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    store.put("ns", key(2), b"parent again")
    assert len(packs(tmp_path, PACK_SUFFIX)) == 2
    reader = DiskStore(tmp_path)
    assert [reader.get("ns", key(n)) for n in range(3)] == [b"parent", b"child", b"parent again"]


def test_packs_are_pruned_whole_by_last_use_and_size(tmp_path: Path) -> None:
    stems: list[Path] = []
    for age in range(4):  # four builds' packs, the oldest first
        DiskStore(tmp_path).put("ns", key(age), b"x" * 1000)
        stems.extend(set(packs(tmp_path, INDEX_SUFFIX)) - set(stems))
    for age, index in enumerate(stems):
        for path in (index, index.with_suffix(PACK_SUFFIX)):
            os.utime(path, (1_000_000 + age, 1_000_000 + age))
    reader = DiskStore(tmp_path)
    assert reader.get("ns", key(0)) == b"x" * 1000  # a hit renews its pack: the oldest survives
    assert stems[0].stat().st_mtime > 1_000_000 + TOUCH_AFTER_SECONDS
    foreign = tmp_path / PACKS / "notes.txt"
    foreign.write_text("not a pack")
    size = sum(path.stat().st_size for path in (tmp_path / PACKS).glob("*-*"))
    pruned = prune(tmp_path, max_bytes=size * 3 // 4)  # down to 60 %: the two least recently used go
    left = {number for number in range(4) if DiskStore(tmp_path).get("ns", key(number)) is not None}
    assert left == {0, 3} and pruned.files == 4 and foreign.exists()
    assert len(packs(tmp_path, PACK_SUFFIX)) == len(packs(tmp_path, INDEX_SUFFIX)) == 2
    assert bound(tmp_path, 10**9, 0) is not None and prune(tmp_path, max_bytes=size).files == 0


WRITER = """
import sys
from pathlib import Path
from courseforge.cache import DiskStore
import hashlib
store = DiskStore(Path(sys.argv[1]))
for number in range(300):
    store.put("ns", hashlib.sha256(str(number).encode()).hexdigest(), b"%d:" % number + b"v" * (number % 97))
"""


def test_two_processes_writing_one_folder_at_once_leave_every_entry_whole(tmp_path: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": str(Path(cache.__file__).parent.parent)}  # this checkout's code
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], env=environment) for _ in range(2)]
    assert [writer.wait(timeout=60) for writer in writers] == [0, 0]
    assert len(packs(tmp_path, PACK_SUFFIX)) == 2
    reader = DiskStore(tmp_path)
    assert all(reader.get("ns", key(number)) == b"%d:" % number + b"v" * (number % 97) for number in range(300))


def test_two_builds_at_once_into_one_cache_folder_leave_it_consistent(tmp_path: Path) -> None:
    """Two ``courseforge build`` processes sharing a cache folder, cold: a third build then takes every package from
    the cache, and its outputs are the first build's byte for byte."""
    project = copy_sample_project(tmp_path / "project")
    cache_dir = tmp_path / "cache"
    environment = {**os.environ, "COURSEFORGE_SERVER": "off", "PYTHONPATH": str(Path(cache.__file__).parent.parent)}

    def build(out: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "courseforge", "build", "--locale", "all", "--json", "-q",
                                 "--out", str(tmp_path / out), "--cache-dir", str(cache_dir)], cwd=project,
                                env=environment, stdout=subprocess.PIPE, text=True)

    first, second = build("one"), build("two")
    documents = [json.loads(process.communicate(timeout=300)[0]) for process in (first, second)]
    assert [document["ok"] for document in documents] == [True, True]
    assert len(packs(cache_dir, INDEX_SUFFIX)) >= 2  # each build (and each of its workers) packed its own
    third = build("three")
    document = json.loads(third.communicate(timeout=300)[0])
    assert document["ok"] and document["from_cache"] == len(document["packages"]) > 0
    assert package_bytes(tmp_path / "three") == package_bytes(tmp_path / "one") == package_bytes(tmp_path / "two")


def package_bytes(out: Path) -> dict[str, bytes]:
    return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*.zip"))}


def test_too_many_packs_are_merged_and_every_entry_is_still_found(tmp_path: Path) -> None:
    builds = MERGE_ABOVE + 4
    for number in range(builds):  # a store (a build) each: a pack each
        store = DiskStore(tmp_path)
        store.put("ns", key(2 * number), b"first %d" % number)
        store.put("ns", key(2 * number + 1), b"second %d" % number)
    quiet = time.time() - MERGE_AFTER_SECONDS - 100
    units = packs(tmp_path, INDEX_SUFFIX)
    damaged = units[1].with_suffix(PACK_SUFFIX)
    damaged_build = build_of(damaged)
    damaged.write_bytes(b"x" + damaged.read_bytes()[1:])  # its first entry no longer reads whole
    for age, index in enumerate(units[1:]):  # all but one were last written long enough ago
        for path in (index, index.with_suffix(PACK_SUFFIX)):
            os.utime(path, (quiet + age, quiet + age))
    bound(tmp_path, 10**9, 0)
    left = packs(tmp_path, INDEX_SUFFIX)
    assert len(left) == len(packs(tmp_path, PACK_SUFFIX)) == MERGE_TO and units[0] in left
    reader = DiskStore(tmp_path)
    found = [reader.get("ns", key(n)) for n in range(2 * builds)]
    assert [n for n, value in enumerate(found) if value is None] == [2 * damaged_build]
    assert all(value == (b"first %d" if n % 2 == 0 else b"second %d") % (n // 2)
               for n, value in enumerate(found) if value is not None)
    assert quiet <= max(path.stat().st_mtime for path in left if path != units[0]) <= quiet + builds
    bound(tmp_path, 10**9, 0)
    assert packs(tmp_path, INDEX_SUFFIX) == left  # few enough now


def build_of(pack: Path) -> int:
    """Which build wrote a pack (the number of its entries' pair)."""
    reader = DiskStore(pack.parent.parent)
    return next(number for number in range(MERGE_ABOVE + 4)
                if reader.packs().get("ns", key(2 * number))[0].pack == str(pack))
