"""Deflating a big member as content-defined segments, each reusable on its own, so an edit deflates one again.

A one-page edit changes the player page (``index.html``, every screen in one file) in one place; deflated as one
stream, everything after that place would be deflated again. Deflated the way pigz makes its blocks, the member is
a sequence of segments: each is deflated by a compressor of its own, primed with the 32 KiB of data before it as
its preset dictionary (deflate's whole window, so matches reach back as far as in one stream), and ended with a
sync flush (an empty stored block: byte-aligned, not final); an empty final block ends the stream. That is one
valid deflate stream, and segment k's bytes depend only on its data, the 32 KiB before it, the level and zlib's
version: so each is memoized by their digests (on disk for a later process, and kept as an object in a long-lived
one) and a rebuild deflates only the segment that changed, and the next one when the edit lies in its dictionary.

Segments end where the data says, not at fixed offsets, so that an insertion or deletion leaves the other segments
(and their ends) as they were: at a line start whose first bytes hash to a chosen residue, at least a minimum size
into the segment (:class:`Cuts`). Same data, same segments, same bytes, whether a segment was deflated now or found
memoized.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from itertools import pairwise

from courseforge.cache import BYTES, active_store
from courseforge.object_memo import remembered

SEGMENTED_FROM_BYTES = 256 * 1024
"""Smaller members are deflated as one stream: they make a segment or two, and deflate in a few milliseconds."""


@dataclass(frozen=True)
class Cuts:
    """Where segments end: at the first line start ``min_size`` or more into the segment whose first ``hashed``
    bytes' CRC-32, masked by ``mask``, is ``residue`` (about one line in ``mask + 1``), else ``max_size`` on; of
    ``candidates`` line starts examined at most (a file of blank lines has one at every byte), the last ends it.

    The minimum keeps Python's work small: it skips to ``min_size`` and looks at the lines after it (about
    ``mask + 1``). Measured on the bench course's player pages (1.4-2.3 MB; 21-33 segments) against other sizes
    and masks: within 0.3% of one stream's size, the line scan under a millisecond, and a sentence added, a word
    changed or a paragraph removed anywhere deflates 152 KiB again at most (mean about 100 KiB; an edit in the
    last 32 KiB of a segment changes the next one's dictionary). A denser mask, or a bigger minimum over it,
    makes an edit move the following ends more often (each moved end changes the segments around it)."""

    min_size: int = 64 * 1024
    max_size: int = 256 * 1024
    hashed: int = 32
    mask: int = 31
    residue: int = 10
    candidates: int = 1024


CUTS = Cuts()
"""What every member is cut by (tests use smaller segments)."""
WINDOW = 32 * 1024
"""Deflate's window: the dictionary a segment's compressor is primed with."""
END_OF_STREAM = b"\x03\x00"
"""An empty final block (fixed Huffman codes, only the end-of-block code): what ends the segments' stream."""
SEGMENTS = "zip-deflate-segment"
SEGMENT_VERSION = 1
"""Bump when the same segment, dictionary and level would deflate to other bytes."""


def deflate(data: bytes, level: int) -> bytes:
    """Raw deflate (no zlib header), what a zip member holds, as one stream."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def segment_end(data: bytes, start: int, cuts: Cuts = CUTS) -> int:
    """Where the segment that begins at ``start`` ends (see :class:`Cuts`), at most the end of the data. The bytes
    between line starts are searched by C code (``bytes.find``); Python only looks at line starts."""
    limit = min(start + cuts.max_size, len(data))
    view = memoryview(data)
    position = start + cuts.min_size - 1  # a newline here makes the first line start a segment may end at
    for _ in range(cuts.candidates):
        newline = data.find(b"\n", position, limit)
        if newline < 0:
            return limit
        position = newline + 1
        if zlib.crc32(view[position:position + cuts.hashed]) & cuts.mask == cuts.residue:
            return position
    return position


def segment_ends(data: bytes, cuts: Cuts = CUTS) -> list[int]:
    """The end of every segment, in order; the last one is the data's length."""
    ends = [segment_end(data, 0, cuts)]
    while ends[-1] < len(data):
        ends.append(segment_end(data, ends[-1], cuts))
    return ends


def deflated_segment(view: memoryview, start: int, end: int, level: int) -> bytes:
    """``view[start:end]`` deflated after the window before it, ended byte-aligned and not final."""
    if start:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=view[max(0, start - WINDOW):start])
    else:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(view[start:end]) + compressor.flush(zlib.Z_SYNC_FLUSH)


def memoized_segment(view: memoryview, start: int, end: int, level: int) -> bytes:
    """:func:`deflated_segment`, memoized by the digests of the segment and of its dictionary while a store is
    active (none: nothing is hashed). The zlib version is in the key: another zlib may choose other, equally
    valid, bytes, and a shared cache must not mix them."""
    if active_store() is None:
        return deflated_segment(view, start, end, level)
    dictionary = hashlib.sha256(view[max(0, start - WINDOW):start]).digest()
    key = (SEGMENT_VERSION, level, zlib.ZLIB_RUNTIME_VERSION, dictionary, hashlib.sha256(view[start:end]).digest())
    return remembered(SEGMENTS, key, lambda: deflated_segment(view, start, end, level), BYTES, len)


def segmented_deflate(data: bytes, level: int, cuts: Cuts = CUTS) -> bytes:
    """Raw deflate of ``data`` as content-defined segments (one valid stream, ending with a final block), each
    found memoized when an earlier member had the same segment after the same window."""
    view = memoryview(data)
    ends = segment_ends(data, cuts)
    parts = [memoized_segment(view, start, end, level) for start, end in pairwise([0, *ends])]
    return b"".join((*parts, END_OF_STREAM))
