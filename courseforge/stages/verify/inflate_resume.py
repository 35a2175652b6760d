"""Checking a big deflated entry intact from where the check of an earlier entry with the same beginning stood.

After a one-page edit the player page's compressed bytes are the last build's up to about the edit (its deflated
segments before the edit are the last build's, ``stages/package/deflate_segments``). Inflating is a function of the
compressed bytes alone, and a decompressor's state (its 32 KiB window) can be copied: so the check of the new entry
can start from a copy of the old check's decompressor at its last checkpoint inside the shared compressed beginning,
with the CRC-32 and length of what it had produced by then, and inflate only the rest. This module only ever says
"intact": an entry it does not find intact is inflated again by zipfile, whose verdict (and wording) stands.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from courseforge.cache import scope_lasts
from courseforge.object_memo import active_memo, kept
from courseforge.recent_items import RecentItems

CHECKED_FROM_BYTES = 64 * 1024
"""Smaller entries (compressed) are inflated whole: resuming them saves less than the checkpoints cost."""
SEGMENT = 64 * 1024
"""Compressed bytes between checkpoints (a copied decompressor holds about 40 KiB)."""
CHECKS_KEPT = 2
"""The most recent checks resumable: the page being edited, and another format's or locale's."""
STATE_BYTES = 40 * 1024
"""What one copied decompressor holds (its 32 KiB window and tables)."""
CHECKS = "inflate-checks"


@dataclass(frozen=True)
class InflatePoint:
    """The decompressor as it stood after ``compressed[:consumed]``, never fed again (resuming copies it)."""

    consumed: int
    state: Any
    """A ``zlib`` decompressor object (its type is not public)."""
    crc: int
    produced: int


@dataclass(frozen=True)
class Check:
    compressed: bytes
    points: tuple[InflatePoint, ...]


def shared_points(compressed: memoryview, check: Check) -> tuple[InflatePoint, ...]:
    """``check``'s points that lie inside the beginning ``compressed`` shares with the bytes it inflated."""
    start = 0
    for index, point in enumerate(check.points):
        if not check.compressed.startswith(compressed[start:point.consumed], start):
            return check.points[:index]
        start = point.consumed
    return check.points


def inflate_from(compressed: memoryview, points: tuple[InflatePoint, ...]) -> tuple[Check, int, int, bool]:
    """Inflate ``compressed`` from the last of ``points`` (from the start when there are none), taking a point
    at every segment boundary: the check, the CRC-32 and length of the output, and whether the deflate stream
    ended exactly at the last byte."""
    if points:
        last = points[-1]
        decompressor, start, crc, produced = last.state.copy(), last.consumed, last.crc, last.produced
    else:
        decompressor, start, crc, produced = zlib.decompressobj(-zlib.MAX_WBITS), 0, 0, 0
    taken = list(points)
    for end in [*range((start // SEGMENT + 1) * SEGMENT, len(compressed), SEGMENT), len(compressed)]:
        output = decompressor.decompress(compressed[start:end])
        crc, produced, start = zlib.crc32(output, crc), produced + len(output), end
        if end < len(compressed):
            taken.append(InflatePoint(end, decompressor.copy(), crc, produced))
    ended = decompressor.eof and not decompressor.unused_data and not decompressor.unconsumed_tail
    return Check(bytes(compressed), tuple(taken)), crc, produced, ended


class RecentChecks:
    """The last few checks of big entries, with their points."""

    def __init__(self) -> None:
        self._checks: RecentItems[Check] = RecentItems(CHECKS_KEPT)

    def recent(self) -> tuple[Check, ...]:
        return self._checks.items()

    def intact(self, compressed: memoryview, crc: int, size: int) -> bool:
        """Whether ``compressed`` is one whole deflate stream of ``size`` bytes whose CRC-32 is ``crc``."""
        best = max((shared_points(compressed, check) for check in self.recent()), key=len, default=())
        check, found_crc, produced, ended = inflate_from(compressed, best)
        self._checks.add(check)
        return ended and found_crc == crc and produced == size


def resumed_intact(compressed: memoryview, crc: int, size: int) -> bool | None:
    """Whether a deflated entry's data is intact, resumed from a recent check; None when no store that outlives
    the build is active or the entry is small (the caller inflates it as usual)."""
    if len(compressed) < CHECKED_FROM_BYTES or active_memo() is None or not scope_lasts():
        return None
    weight = CHECKS_KEPT * (len(compressed) // SEGMENT * STATE_BYTES + len(compressed))
    checks = kept(CHECKS, zlib.ZLIB_RUNTIME_VERSION, lambda: RecentChecks(), lambda _: weight)
    return checks.intact(compressed, crc, size)
