"""A big member deflated again from an earlier deflate's checkpoint is byte for byte a deflate made whole,
whatever changed where; and a one-page edit resumes past everything before the edit."""

from __future__ import annotations

import random
import zlib

import pytest

from courseforge.cache import MemoryStore, cache_scope
from courseforge.object_memo import active_memo
from courseforge.stages.package.deflate_resume import (
    RESUMED_FROM_BYTES,
    STREAMS,
    RecentStreams,
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
