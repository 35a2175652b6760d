"""Deterministic zip writing: same files in, same bytes out.

Written by hand (local headers, central directory, end record; no extra fields, no data descriptors) because
each member's compressed bytes are memoized by content: Python's zipfile can only compress what it writes, so
the images and runtime every locale and format share would be deflated again for each package. Every member is
deflated at level 6 and stored instead when that saves less than 3%; media that is compressed already (JPEG,
PNG, video, fonts, archives) is first probed on its head at the fastest level, and stored unread when even
that gains nothing (a photo), while a flat-colour PNG diagram, which deflates well, still is deflated.
"""

from __future__ import annotations

import hashlib
import struct
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from posixpath import splitext

from courseforge.cache import BYTES, memoized

DOS_EPOCH = 315532800
"""1980-01-01T00:00:00Z, the earliest time a zip entry can carry."""
FILE_MODE = 0o100644
STORED, DEFLATED = 0, 8
"""Zip compression methods."""
DEFLATE_LEVEL = 6
"""zlib's default: level 9 costs about twice the time for under 1% on course text."""
WORTH_DEFLATING = 0.97
"""A member is stored when deflating leaves more than this share of its size."""
MEDIA_SUFFIXES = frozenset({
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".heic", ".mp4", ".m4v", ".mov", ".webm", ".mkv", ".ogv",
    ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".flac", ".woff", ".woff2", ".zip", ".gz", ".tgz", ".bz2",
    ".xz", ".7z", ".br", ".zst",
})
"""Formats whose data is usually compressed already: probed before the whole is deflated."""
PROBE_BYTES = 64 * 1024
PROBE_LEVEL = 1
MEMOIZED_FROM_BYTES = 4096
"""Smaller members deflate faster than their cache entry is looked up."""
DEFLATE_VERSION = 1
"""Bump when the same data and level would deflate to other bytes (memoized results)."""
VERSION = 20
"""Version needed to extract (2.0: deflate); also the version made by, with Unix (3) as the system."""
MADE_BY = 3 << 8 | VERSION
UTF8_NAME = 0x800
"""General purpose flag: the entry name is UTF-8."""
LIMIT_32 = 0xFFFFFFFF
LIMIT_16 = 0xFFFF
LOCAL = struct.Struct("<IHHHHHIIIHH")
CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
END = struct.Struct("<IHHHHIIH")


def zip_timestamp(source_date_epoch: int | None) -> tuple[int, int, int, int, int, int]:
    """The one timestamp every entry gets (UTC, even seconds as zip stores them)."""
    seconds = max(source_date_epoch if source_date_epoch is not None else DOS_EPOCH, DOS_EPOCH)
    moment = time.gmtime(seconds)
    return (moment.tm_year, moment.tm_mon, moment.tm_mday, moment.tm_hour, moment.tm_min, moment.tm_sec)


def dos_time(stamp: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    """(time, date) as the zip headers hold them."""
    year, month, day, hour, minute, second = stamp
    return hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day


def deflate(data: bytes, level: int = DEFLATE_LEVEL) -> bytes:
    """Raw deflate (no zlib header), what a zip member holds."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def is_media(name: str) -> bool:
    return splitext(name)[1].lower() in MEDIA_SUFFIXES


def gains(packed: int, size: int) -> bool:
    return packed < WORTH_DEFLATING * size


def compressed(data: bytes, media: bool) -> bytes:
    """The member's deflated bytes, or b"" when it is to be stored (deflate never makes data empty)."""
    if media:
        head = data[:PROBE_BYTES]
        if not gains(len(deflate(head, PROBE_LEVEL)), len(head)):
            return b""
    packed = deflate(data)
    return packed if gains(len(packed), len(data)) else b""


def memoized_compressed(data: bytes, media: bool) -> bytes:
    """:func:`compressed`, memoized by the data's digest when that is worth a lookup (the zlib version is in
    the key: another zlib may choose other, equally valid, bytes, and a shared cache must not mix them)."""
    if len(data) < MEMOIZED_FROM_BYTES:
        return compressed(data, media)
    key = (DEFLATE_VERSION, DEFLATE_LEVEL, zlib.ZLIB_RUNTIME_VERSION, media, hashlib.sha256(data).digest())
    return memoized("zip-deflate", key, lambda: compressed(data, media), BYTES)


@dataclass(frozen=True)
class Member:
    """One entry's data as the zip holds it."""

    method: int
    payload: bytes
    crc: int
    size: int


def member(name: str, data: bytes) -> Member:
    packed = memoized_compressed(data, is_media(name)) if data else b""
    method, payload = (DEFLATED, packed) if packed else (STORED, data)
    return Member(method, payload, zlib.crc32(data), len(data))


def check_limits(entries: int, size: int) -> None:
    """Zip64 is not written: packages that large are refused by verify (and by most LMSs) anyway."""
    if entries >= LIMIT_16 or size >= LIMIT_32:
        raise ValueError(f"a package of {entries} entries and {size} bytes needs Zip64, which courseforge does not "
                         "write")


def write_zip(files: Mapping[str, bytes], source_date_epoch: int | None = None) -> bytes:
    """Sorted entries, fixed timestamp and permissions, no extra fields."""
    check_limits(len(files), 0)
    clock, date = dos_time(zip_timestamp(source_date_epoch))
    chunks: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for name in sorted(files):
        encoded = name.encode("utf-8")
        flags = 0 if name.isascii() else UTF8_NAME
        entry = member(name, files[name])
        header = LOCAL.pack(0x04034B50, VERSION, flags, entry.method, clock, date, entry.crc, len(entry.payload),
                            entry.size, len(encoded), 0)
        chunks += (header, encoded, entry.payload)
        directory.append(CENTRAL.pack(0x02014B50, MADE_BY, VERSION, flags, entry.method, clock, date, entry.crc,
                                      len(entry.payload), entry.size, len(encoded), 0, 0, 0, 0, FILE_MODE << 16,
                                      offset) + encoded)
        offset += len(header) + len(encoded) + len(entry.payload)
    central = b"".join(directory)
    check_limits(len(directory), offset + len(central))
    end = END.pack(0x06054B50, 0, 0, len(directory), len(directory), len(central), offset, 0)
    return b"".join((*chunks, central, end))
