"""A big member deflated again from an earlier deflate's checkpoint is byte for byte a deflate made whole,
whatever changed where; and a one-page edit resumes past everything before the edit."""

from __future__ import annotations

import random
import zlib

import pytest

from courseforge.cache import MemoryStore, cache_scope
from courseforge.object_memo import active_memo
from courseforge.stages.package.deflate_resume import (
    EDIT_MARGIN,
    RESUMED_FROM_BYTES,
    STREAMS,
    RecentStreams,
    common_prefix,
    deflate,
    resumable_deflate,
    resume_point,
    segment_size,
)


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


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_resumed_deflate_equals_a_whole_deflate(edit: str) -> None:
    with cache_scope(MemoryStore()):
        assert resumable_deflate(BASE, 6) == deflate(BASE, 6)
        assert resumable_deflate(EDITS[edit], 6) == deflate(EDITS[edit], 6)
        assert resumable_deflate(EDITS[edit], 9) == deflate(EDITS[edit], 9)  # another level: not resumed


def test_an_edit_resumes_from_the_last_checkpoint_before_it() -> None:
    streams = RecentStreams()
    streams.deflate(BASE, 6)
    checkpoints, output = resume_point(EDITS["sentence appended mid-page"], 6, streams.recent())
    step = segment_size(len(BASE))
    assert checkpoints[-1].end == MIDDLE // step * step
    assert deflate(EDITS["sentence appended mid-page"], 6).startswith(output)
    assert resume_point(EDITS["first byte changed"], 6, streams.recent()) == ((), b"")


def test_without_a_store_nothing_is_kept_and_the_bytes_are_the_same() -> None:
    assert len(BASE) >= RESUMED_FROM_BYTES
    assert resumable_deflate(BASE, 6) == deflate(BASE, 6)


def test_a_one_off_build_keeps_no_stream() -> None:
    with cache_scope(MemoryStore(), lasting=False):
        assert resumable_deflate(BASE, 6) == deflate(BASE, 6)
        memo = active_memo()
        assert memo is not None and memo.get(STREAMS, (6, zlib.ZLIB_RUNTIME_VERSION)) is None


def test_the_next_edit_of_the_same_passage_resumes_just_before_it() -> None:
    """The first edit leaves a checkpoint a margin before where it differs; a second edit there (a sentence
    more) resumes from it, not from the segment boundary before, and is still a deflate made whole."""
    first = EDITS["sentence appended mid-page"]
    second = first[:MIDDLE] + b"<p>One more sentence.</p>\n<p>And another.</p>\n" + BASE[MIDDLE:]
    streams = RecentStreams()
    streams.deflate(BASE, 6)
    assert streams.deflate(first, 6) == deflate(first, 6)
    checkpoints, _output = resume_point(second, 6, streams.recent())
    assert checkpoints[-1].end == MIDDLE - EDIT_MARGIN
    assert streams.deflate(second, 6) == deflate(second, 6)


def test_edits_do_not_pile_up_checkpoints() -> None:
    """Each edit's checkpoint replaces the one before: a page edited all day keeps its segments' and one, also
    when the same place is edited again (no checkpoint is taken, the one resumed from stays)."""
    streams = RecentStreams()
    streams.deflate(BASE, 6)
    edited = BASE
    inserts = [f"<p>Sentence {number}.</p>\n".encode() for number in range(5)] + [b"X", b"X"]
    for insert in inserts:
        edited = edited[:MIDDLE] + insert + edited[MIDDLE:]
        assert streams.deflate(edited, 6) == deflate(edited, 6)
        step = segment_size(len(edited))
        ends = [checkpoint.end for checkpoint in streams.recent()[-1].checkpoints]
        assert [end for end in ends if end % step] == [ends[MIDDLE // step]]
        assert MIDDLE - EDIT_MARGIN <= ends[MIDDLE // step] < MIDDLE


def test_the_shared_beginning_is_found_to_the_byte() -> None:
    assert common_prefix(BASE, EDITS["sentence appended mid-page"]) == MIDDLE
    assert common_prefix(BASE, BASE) == len(BASE)
    assert common_prefix(BASE, EDITS["first byte changed"]) == 0
    assert common_prefix(BASE, EDITS["cut short"]) == 700_000
