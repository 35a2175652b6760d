"""A big member deflated in content-defined segments is one valid deflate stream of the data, the same bytes
whatever was memoized (and in another process), within a fraction of a percent of one stream's size; an edit
moves no segment end but near it, so a rebuild deflates one segment again, or two."""

from __future__ import annotations

import hashlib
import io
import random
import shutil
import subprocess
import sys
import zipfile
import zlib
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courseforge.cache import DiskStore, LayeredStore, MemoryStore, cache_scope, computed_values
from courseforge.stages.package.deflate_segments import (
    CUTS,
    END_OF_STREAM,
    SEGMENTED_FROM_BYTES,
    Cuts,
    deflate,
    segment_ends,
    segmented_deflate,
)
from courseforge.stages.package.zipwriter import write_zip
from courseforge.stages.verify import verify_package
from tests.unit import packages as pkg

REPO = Path(__file__).resolve().parents[2]


def page(seed: int, size: int = 1_500_000) -> bytes:
    """Like a player page: markup and made-up words, compressing about 4:1."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghijklmnop") for _ in range(rng.randint(2, 9))) for _ in range(2_000)]
    lines, written = [], 0
    while written < size:
        line = f'<p class="cf-text">{" ".join(rng.choices(words, k=14))}</p>\n'
        lines.append(line)
        written += len(line)
    return "".join(lines).encode()


BASE = page(1)
MIDDLE = len(BASE) // 2
EDITS = {
    "sentence appended mid-page": BASE[:MIDDLE] + b"<p>One more sentence.</p>\n" + BASE[MIDDLE:],
    "first byte changed": b"X" + BASE[1:],
    "end changed": BASE[:-10] + b"0123456789",
    "a segment removed": BASE[:200_000] + BASE[400_000:],
    "cut short": BASE[:700_000],
    "unchanged": BASE,
    "another page": page(2),
}
SMALL = Cuts(min_size=64, max_size=256, hashed=8, mask=3, residue=1, candidates=16)
"""Segments of a few hundred bytes, so that small generated data makes many (and reaches every rule)."""


def inflated(stream: bytes) -> bytes:
    """The data of one raw deflate stream, which must end exactly at its last byte."""
    decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
    data = decompressor.decompress(stream) + decompressor.flush()
    assert decompressor.eof and not decompressor.unused_data
    return data


def segments(data: bytes, cuts: Cuts = CUTS) -> list[bytes]:
    ends = segment_ends(data, cuts)
    return [data[start:end] for start, end in pairwise([0, *ends])]


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_the_stream_inflates_to_the_data(edit: str) -> None:
    assert inflated(segmented_deflate(EDITS[edit], 6)) == EDITS[edit]
    assert inflated(segmented_deflate(EDITS[edit], 9)) == EDITS[edit]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.binary(max_size=5_000),
    st.lists(st.sampled_from([b"\n", b"<p>", b"a", b"word ", b"\n\n", b"x" * 300, bytes(range(256))]),
             max_size=400).map(b"".join),
))
def test_hostile_data_inflates_to_itself_in_small_segments(data: bytes) -> None:
    stream = segmented_deflate(data, 6, SMALL)
    assert inflated(stream) == data and stream.endswith(END_OF_STREAM)
    ends = segment_ends(data, SMALL)
    assert ends[-1] == len(data) and ends == sorted(set(ends))
    assert all(SMALL.min_size <= end - start <= SMALL.max_size for start, end in pairwise([0, *ends[:-1]]))


@pytest.mark.parametrize("data", [
    b"", b"x", b"\n",
    b"a" * CUTS.min_size, b"a" * CUTS.max_size, b"a" * (CUTS.max_size + 1),
    b"\n" * (CUTS.min_size - 1), b"\n" * (CUTS.min_size + 1),
    b"a" * 10_000_000, b"\n" * 10_000_000,
    random.Random(4).randbytes(3 * CUTS.max_size),
], ids=["empty", "one byte", "one newline", "min", "max", "max+1", "newlines below min", "newlines past min",
        "10 MB of one byte", "10 MB of newlines", "noise"])
def test_edge_sizes_and_shapes_inflate_to_themselves(data: bytes) -> None:
    assert inflated(segmented_deflate(data, 6)) == data
    ends = segment_ends(data)
    assert all(end - start <= CUTS.max_size for start, end in pairwise([0, *ends]))
    assert all(end - start >= CUTS.min_size for start, end in pairwise([0, *ends[:-1]]))


def test_segments_end_at_line_starts_and_are_byte_aligned_and_not_final() -> None:
    parts = segments(BASE)
    assert len(parts) > 5 and all(part.endswith(b"\n") for part in parts)
    stream = segmented_deflate(BASE, 6)
    assert stream.count(b"\x00\x00\xff\xff") >= len(parts)  # every segment ends with a sync flush's empty block
    decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
    assert decompressor.decompress(stream[:-len(END_OF_STREAM)]) == BASE and not decompressor.eof


def test_the_size_is_within_a_percent_of_one_stream() -> None:
    for data in (BASE, EDITS["another page"]):
        assert len(segmented_deflate(data, 6)) <= 1.01 * len(deflate(data, 6))


def test_same_input_same_bytes_whatever_was_memoized(tmp_path: Path) -> None:
    expected = segmented_deflate(BASE, 6)
    for store in (MemoryStore(), DiskStore(tmp_path)):
        with cache_scope(store):
            assert segmented_deflate(BASE, 6) == expected  # cold: computed and kept
            assert segmented_deflate(BASE, 6) == expected  # warm
    with cache_scope(LayeredStore(MemoryStore(), DiskStore(tmp_path))):  # as a later process finds the disk
        before = computed_values()
        assert segmented_deflate(BASE, 6) == expected
        assert computed_values() == before  # every segment read back


def test_the_bytes_are_the_same_in_another_process() -> None:
    """Nothing in the cuts or the stream depends on the process (hash seeds, memory addresses)."""
    script = ("import hashlib; from tests.unit.test_deflate_segments import BASE; "
              "from courseforge.stages.package.deflate_segments import segmented_deflate; "
              "print(hashlib.sha256(segmented_deflate(BASE, 6)).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True,
                              env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout.strip() for seed in ("1", "2")}
    assert digests == {hashlib.sha256(segmented_deflate(BASE, 6)).hexdigest()}


def deflated_again(edited: bytes) -> int:
    """How many segments a deflate of ``edited`` computes after one of :data:`BASE` in the same store (and the
    bytes are those of a deflate with nothing memoized)."""
    expected = segmented_deflate(edited, 6)
    with cache_scope(MemoryStore()):
        segmented_deflate(BASE, 6)
        before = computed_values()
        assert segmented_deflate(edited, 6) == expected
        return computed_values() - before


@pytest.mark.parametrize("edit", ["sentence appended mid-page", "first byte changed", "end changed", "cut short",
                                  "a segment removed"])
def test_an_edit_deflates_at_most_two_segments_again(edit: str) -> None:
    assert deflated_again(EDITS[edit]) <= 2
    assert deflated_again(BASE) == 0


def test_insertions_anywhere_move_no_end_but_near_them() -> None:
    """A line inserted at 40 places of the page: the ends after the next one are the old ones, shifted."""
    old = segment_ends(BASE)
    rng = random.Random(7)
    for where in sorted(rng.sample(range(len(BASE)), 40)):
        at = BASE.index(b"\n", where) + 1
        insert = b"<p>A sentence an author added.</p>\n"
        new = segment_ends(BASE[:at] + insert + BASE[at:])
        shifted = [end + len(insert) if end > at else end for end in old]
        assert len(set(shifted) - set(new)) <= 2, where


def zip_codes(data: bytes) -> list[str]:
    """What the package checks say about the zip itself (the page is not in the manifest: not asked here)."""
    return [code for code in verify_package("p.zip", data).codes() if code.startswith("zip.")]


def test_a_package_with_a_big_page_is_read_by_every_reader(tmp_path: Path) -> None:
    files = {**pkg.package_files(), "big.html": BASE}
    data = write_zip(files)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None and archive.read("big.html") == BASE
        assert archive.getinfo("big.html").compress_type == zipfile.ZIP_DEFLATED
    assert zip_codes(data) == []
    package = tmp_path / "p.zip"
    package.write_bytes(data)
    for tool, command in (("unzip", ["unzip", "-tq"]), ("7z", ["7z", "t"])):
        if shutil.which(tool) is not None:
            tested = subprocess.run([*command, str(package)], capture_output=True, text=True, check=False)
            assert tested.returncode == 0, tested.stdout + tested.stderr


def test_an_edited_big_page_verifies_resumed_in_a_lasting_store() -> None:
    """The integrity check of the edited page resumes from the first page's check (``inflate_resume``) inside
    the compressed beginning the segments share, and still answers intact only for the whole intact stream."""
    files = {**pkg.package_files(), "big.html": BASE}
    edited = {**files, "big.html": EDITS["sentence appended mid-page"]}
    with cache_scope(MemoryStore()):
        assert zip_codes(write_zip(files)) == []
        assert zip_codes(write_zip(edited)) == []
        assert zip_codes(pkg.wrong_crc(write_zip(edited), "big.html")) == ["zip.corrupt"]


def test_only_big_members_are_segmented() -> None:
    small = BASE[:SEGMENTED_FROM_BYTES - 1]
    with zipfile.ZipFile(io.BytesIO(write_zip({"a.html": small, "b.html": BASE}))) as archive:
        sizes = {info.filename: info.compress_size for info in archive.infolist()}
    assert sizes == {"a.html": len(deflate(small, 6)), "b.html": len(segmented_deflate(BASE, 6))}


def test_a_package_with_an_edited_page_in_a_later_process_deflates_two_segments_at_most(tmp_path: Path) -> None:
    """The edited page's whole is new, but its segments before and after the edit are on disk (a later process:
    a new memory store over the same folder): the package is the one a build with no cache writes."""
    files = {**pkg.package_files(), "big.html": BASE}
    edited = {**files, "big.html": EDITS["sentence appended mid-page"]}
    expected = write_zip(edited)
    disk = DiskStore(tmp_path)
    with cache_scope(LayeredStore(MemoryStore(), disk)):
        write_zip(files)
    with cache_scope(LayeredStore(MemoryStore(), disk)):
        before = computed_values()
        assert write_zip(edited) == expected
        assert computed_values() - before <= 3  # the member, and its segments deflated again
