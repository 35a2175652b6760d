"""Deflating a big member from where an earlier deflate of data with the same beginning stood.

A one-page edit changes the player page (``index.html``, every screen in one file) from that page on; the
bytes before it are the same as in the last build. zlib's output for the same input, level and version does
not depend on how the input is fed to it (no flushes are made), and a compressor's state can be copied: so
the deflate of the new page can start from a copy of the old deflate's state at its last checkpoint inside
the shared beginning, after the output it had emitted up to there. The result is byte for byte
``deflate(data)`` (the tests hold it to that) for the cost of deflating the rest. The five formats' pages
of one locale share most of their beginning too.

Checkpoints are taken at every multiple of a segment size (a sixteenth of the member or so, at least 64 KiB),
and one a little before where the member first differs from the stream it resumed: an author edits the same
page again and again (watch mode), so the next deflate resumes there instead of up to a segment earlier (on
the bench page, some 70 KiB less to deflate: about 2 ms of the 21 a resumed deflate took). For the few most
recent members, their data (compared with a new member's by memcmp), compressor states (about 260 KiB each)
and output are kept.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from courseforge.cache import scope_lasts
from courseforge.object_memo import active_memo, kept
from courseforge.recent_items import RecentItems

RESUMED_FROM_BYTES = 256 * 1024
"""Smaller members are deflated whole: their deflate costs less than what resuming keeps."""
CHECKPOINTS = 16
MIN_SEGMENT = 64 * 1024
STREAMS_KEPT = 2
"""The most recent deflates resumable: the page being edited, and another format's or locale's."""
EDIT_MARGIN = 4 * 1024
"""How far before a difference the edit's checkpoint lies, so that an edit a little earlier in the same passage
(a word changed in the sentence before) resumes from it too."""
STATE_BYTES = 262 * 1024
"""What one copied compressor state holds (level 6, 32 KiB window)."""
STREAMS = "deflate-streams"


def deflate(data: bytes, level: int) -> bytes:
    """Raw deflate (no zlib header), what a zip member holds."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def segment_size(size: int) -> int:
    """The distance between checkpoints: a power of two, so that the same member a little longer or shorter
    (one sentence added) keeps the same checkpoints."""
    wanted = max(MIN_SEGMENT, -(-size // CHECKPOINTS))
    return 1 << (wanted - 1).bit_length()


@dataclass(frozen=True)
class Checkpoint:
    """The compressor as it stood after ``data[:end]``, never fed again (resuming copies it)."""

    end: int
    state: Any
    """A ``zlib`` compressor object (its type is not public)."""
    emitted: int
    """Output bytes the compressor had returned by then."""


@dataclass(frozen=True)
class Stream:
    level: int
    data: bytes
    checkpoints: tuple[Checkpoint, ...]
    output: bytes


class RecentStreams:
    """The last few deflates of big members, with their checkpoints; answers are exactly ``deflate``'s."""

    def __init__(self) -> None:
        self._streams: RecentItems[Stream] = RecentItems(STREAMS_KEPT)

    def recent(self) -> tuple[Stream, ...]:
        return self._streams.items()

    def deflate(self, data: bytes, level: int) -> bytes:
        recent = self.recent()
        kept_checkpoints, output = resume_point(data, level, recent)
        stream = deflate_from(data, level, kept_checkpoints, output, edit_checkpoint(data, level, recent))
        self._streams.add(stream)
        return stream.output


def shared_checkpoints(data: bytes, stream: Stream) -> tuple[Checkpoint, ...]:
    """``stream``'s checkpoints that lie inside the beginning ``data`` shares with the data it deflated."""
    earlier = memoryview(stream.data)
    start = 0
    for index, checkpoint in enumerate(stream.checkpoints):
        if not data.startswith(earlier[start:checkpoint.end], start):
            return stream.checkpoints[:index]
        start = checkpoint.end
    return stream.checkpoints


def resume_point(data: bytes, level: int, streams: tuple[Stream, ...]) -> tuple[tuple[Checkpoint, ...], bytes]:
    """The longest run of an earlier stream's checkpoints ``data`` can resume from, and the output emitted up to
    its last one (nothing when no stream shares a segment)."""
    best: tuple[Checkpoint, ...] = ()
    best_stream: Stream | None = None
    for stream in streams:
        if stream.level != level:
            continue
        shared = shared_checkpoints(data, stream)
        if shared and (not best or shared[-1].end > best[-1].end):
            best, best_stream = shared, stream
    if best_stream is None:
        return (), b""
    return best, best_stream.output[:best[-1].emitted]


def common_prefix(data: bytes, other: bytes) -> int:
    """How many first bytes ``data`` and ``other`` share (a binary search of memcmps, not a byte loop)."""
    view, low, high = memoryview(other), 0, min(len(data), len(other))
    while low < high:
        middle = (low + high + 1) // 2
        if data.startswith(view[low:middle], low):
            low = middle
        else:
            high = middle - 1
    return low


def edit_checkpoint(data: bytes, level: int, streams: tuple[Stream, ...]) -> int:
    """Where to take the extra checkpoint: :data:`EDIT_MARGIN` before the first byte ``data`` does not share
    with the recent stream it shares the most with (0, none, when it shares no more than a margin or is that
    stream's data unchanged)."""
    shared = max((common_prefix(data, stream.data) for stream in streams if stream.level == level), default=0)
    return shared - EDIT_MARGIN if EDIT_MARGIN < shared < len(data) else 0


def deflate_from(data: bytes, level: int, checkpoints: tuple[Checkpoint, ...], output: bytes,
                 extra: int = 0) -> Stream:
    """Deflate ``data`` from the last of ``checkpoints`` (from the start when there are none), taking new
    checkpoints on the way: at every segment boundary, and at ``extra`` when it lies past where it starts. An
    earlier edit's checkpoint is not carried over (each edit would add one, 260 KiB, for as long as the page is
    edited): a stream keeps its segments' and at most one more, this edit's or, when it takes none (the same
    place edited again), the one it resumed from."""
    if checkpoints:
        compressor, start = checkpoints[-1].state.copy(), checkpoints[-1].end
    else:
        compressor, start = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS), 0
    parts = [output]
    emitted = len(output)
    taken = [checkpoint for checkpoint in checkpoints if checkpoint.end % MIN_SEGMENT == 0 or extra <= start]
    for boundary in checkpoint_ends(start, len(data), extra):
        part = compressor.compress(data[start:boundary])
        parts.append(part)
        emitted += len(part)
        taken.append(Checkpoint(boundary, compressor.copy(), emitted))
        start = boundary
    parts += (compressor.compress(data[start:]), compressor.flush())
    return Stream(level, data, tuple(taken), b"".join(parts))


def checkpoint_ends(start: int, size: int, extra: int) -> list[int]:
    """The ends of the checkpoints a deflate from ``start`` takes, in order: the segment boundaries past it and
    ``extra`` when it lies between ``start`` and the end (never one twice)."""
    step = segment_size(size)
    ends = set(range((start // step + 1) * step, size, step))
    if start < extra < size:
        ends.add(extra)
    return sorted(ends)


def resumable_deflate(data: bytes, level: int) -> bytes:
    """Raw deflate of ``data`` at ``level``, resumed from a recent stream while a store that outlives the build
    is active (``object_memo``, ``cache.scope_lasts``), else made whole; the same bytes either way. A one-off
    build deflates each locale's player page once for every format (memoized by its digest), and the pages of two
    locales differ from their first line: checkpoints taken there would never be resumed from (a one-off build's
    memo is also too small to keep them), and each costs a copy of the compressor's state."""
    if active_memo() is None or not scope_lasts():
        return deflate(data, level)
    weight = STREAMS_KEPT * ((CHECKPOINTS + 1) * STATE_BYTES + len(data) + len(data) // 2)
    streams = kept(STREAMS, (level, zlib.ZLIB_RUNTIME_VERSION), lambda: RecentStreams(), lambda _: weight)
    return streams.deflate(data, level)
