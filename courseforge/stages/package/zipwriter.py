"""Deterministic zip writing: same files in, same bytes out.

Written by hand (local headers, central directory, end record; no data descriptors, no extra fields but Zip64's
when a package needs them) because each member's compressed bytes are memoized by content: Python's zipfile can
only compress what it writes, so the images and runtime every locale and format share would be deflated again
for each package. Every member is deflated at level 6 and stored instead when that saves less than 3%; media
that is compressed already (JPEG, PNG, video, fonts, archives) is first probed on its head at the fastest
level, and stored unread when even that gains nothing (a photo), while a flat-colour PNG diagram, which
deflates well, still is deflated. A big member (the player page) is deflated in content-defined segments, each
memoized on its own (``deflate_segments``), so that an edit deflates one segment again. Nothing is deflated past
the zip guard's ratio (:data:`RATIO`), so a package built from legitimate files never looks like a zip bomb; and
writing never fails: past 65,534 entries or 4 GiB the Zip64 records are written, and ``verify`` judges the package.
"""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from posixpath import splitext

from courseforge.cache import Codec
from courseforge.model.zip_limits import DEFAULT_LIMITS
from courseforge.object_memo import kept, remembered, sha256_of
from courseforge.stages.package.deflate_segments import SEGMENTED_FROM_BYTES, segmented_deflate
from courseforge.stages.package.deflate_segments import deflate as raw_deflate

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
RATIO = DEFAULT_LIMITS
"""The zip guard's ratio rule (``verify``, and LMSs' upload checks): a member of a megabyte or more, and the
whole zip, may deflate at most ``max_ratio``:1. Data that shrinks more (a page repeating one sentence, a
recording of silence) is a legitimate file that would look like a zip bomb, so it is stored instead."""
PROBE_BYTES = 64 * 1024
PROBE_LEVEL = 1
MEMOIZED_FROM_BYTES = 4096
"""Smaller members deflate faster than their cache entry is looked up: they are only kept in the process."""
DEFLATED_MEMBER = "zip-deflate"
DEFLATE_VERSION = 3
"""Bump when the same data and level would deflate to other bytes, or the entry holds other fields (memoized
results: the CRC-32, then the deflated bytes). 3: big members are deflated in segments (``deflate_segments``)."""
VERSION = 20
"""Version needed to extract (2.0: deflate); also the version made by, with Unix (3) as the system."""
ZIP64_VERSION = 45
"""Version needed to extract an entry with Zip64 fields (4.5)."""
MADE_BY_UNIX = 3 << 8
UTF8_NAME = 0x800
"""General purpose flag: the entry name is UTF-8."""
LIMIT_32 = 0xFFFFFFFF
LIMIT_16 = 0xFFFF
ZIP64_FROM = LIMIT_32
"""A size or offset this large does not fit a classic header field: it goes to a Zip64 field."""
ZIP64_EXTRA_ID = 0x0001
LOCAL = struct.Struct("<IHHHHHIIIHH")
CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
END = struct.Struct("<IHHHHIIH")
ZIP64_END = struct.Struct("<IQHHIIQQQQ")
ZIP64_LOCATOR = struct.Struct("<IIQI")
ZIP64_EXTRA_HEADER = struct.Struct("<HH")
QWORD = struct.Struct("<Q")
CRC = struct.Struct("<I")


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
    return raw_deflate(data, level)


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
    packed = segmented_deflate(data, DEFLATE_LEVEL) if len(data) >= SEGMENTED_FROM_BYTES else deflate(data)
    return packed if gains(len(packed), len(data)) else b""


@dataclass(frozen=True)
class Packed:
    """A member's CRC-32 and its deflated bytes (b"" when it is to be stored)."""

    crc: int
    payload: bytes


def _encode_packed(packed: Packed) -> bytes:
    return CRC.pack(packed.crc) + packed.payload


def _decode_packed(data: bytes) -> Packed:
    return Packed(CRC.unpack_from(data)[0], data[CRC.size:])


PACKED: Codec[Packed] = Codec(_encode_packed, _decode_packed)


def packed_member(data: bytes, media: bool) -> Packed:
    return Packed(zlib.crc32(data), compressed(data, media))


def memoized_compressed(data: bytes, media: bool) -> Packed:
    """:func:`compressed` and the CRC, memoized by the data's digest when that is worth a lookup (the zlib
    version is in the key: another zlib may choose other, equally valid, bytes, and a shared cache must not mix
    them), and kept as an object too: every package of a build holds the same images and runtime."""
    if len(data) < MEMOIZED_FROM_BYTES:  # kept by the bytes themselves: no digest, no store entry
        return kept(DEFLATED_MEMBER, (DEFLATE_VERSION, DEFLATE_LEVEL, media, data), lambda: packed_member(data, media),
                    lambda found: len(data) + len(found.payload))
    key = (DEFLATE_VERSION, DEFLATE_LEVEL, zlib.ZLIB_RUNTIME_VERSION, media, sha256_of(data))
    return remembered(DEFLATED_MEMBER, key, lambda: packed_member(data, media), PACKED,
                      lambda found: len(found.payload))


@dataclass(frozen=True)
class Member:
    """One entry's data as the zip holds it."""

    method: int
    payload: bytes
    crc: int
    size: int


def member(name: str, data: bytes) -> Member:
    found = memoized_compressed(data, is_media(name)) if data else Packed(0, b"")
    packed = found.payload
    if packed and len(data) >= RATIO.ratio_floor_bytes and past_ratio(len(data), len(packed)):
        packed = b""
    method, payload = (DEFLATED, packed) if packed else (STORED, data)
    return Member(method, payload, found.crc, len(data))


def stored(entry: Member, data: bytes) -> Member:
    return Member(STORED, data, entry.crc, entry.size)


def past_ratio(size: int, packed: int) -> bool:
    return size > RATIO.max_ratio * packed


def within_ratio(members: dict[str, Member], files: Mapping[str, bytes]) -> dict[str, Member]:
    """``members``, the ones that shrink most stored until the whole zip is within the ratio (each member of a
    megabyte or more already is: many small files of zeros still add up)."""
    size = sum(entry.size for entry in members.values())
    packed = sum(len(entry.payload) for entry in members.values())
    if size < RATIO.ratio_floor_bytes or not past_ratio(size, packed):
        return members
    kept = dict(members)
    shrinking = sorted((name for name, entry in members.items() if entry.method == DEFLATED),
                       key=lambda name: (len(members[name].payload) / members[name].size, name))
    for name in shrinking:
        if not past_ratio(size, packed):
            break
        packed += members[name].size - len(members[name].payload)
        kept[name] = stored(members[name], files[name])
    return kept


def zip64_extra(values: tuple[int, ...]) -> bytes:
    """The Zip64 extended information field (APPNOTE 4.5.3) holding ``values`` (8 bytes each)."""
    return ZIP64_EXTRA_HEADER.pack(ZIP64_EXTRA_ID, 8 * len(values)) + b"".join(QWORD.pack(v) for v in values)


@dataclass(frozen=True)
class Record:
    """One entry's local header (with its name) and central directory record."""

    local: bytes
    central: bytes


def entry_records(name: str, entry: Member, offset: int, stamp: tuple[int, int], zip64_from: int) -> Record:
    """Headers for ``entry`` at ``offset``; a size or offset of ``zip64_from`` or more (the classic 32-bit fields
    are full) moves to a Zip64 field, each header field then saying 0xFFFFFFFF."""
    encoded = name.encode("utf-8")
    flags = 0 if name.isascii() else UTF8_NAME
    clock, date = stamp
    big_sizes = entry.size >= zip64_from or len(entry.payload) >= zip64_from
    big_offset = offset >= zip64_from
    version = ZIP64_VERSION if big_sizes or big_offset else VERSION
    sizes = (LIMIT_32, LIMIT_32) if big_sizes else (len(entry.payload), entry.size)
    local_extra = zip64_extra((entry.size, len(entry.payload))) if big_sizes else b""
    central_extra = zip64_extra((*((entry.size, len(entry.payload)) if big_sizes else ()),
                                 *((offset,) if big_offset else ()))) if big_sizes or big_offset else b""
    local = LOCAL.pack(0x04034B50, version, flags, entry.method, clock, date, entry.crc, *sizes, len(encoded),
                       len(local_extra)) + encoded + local_extra
    central = CENTRAL.pack(0x02014B50, MADE_BY_UNIX | version, version, flags, entry.method, clock, date, entry.crc,
                           *sizes, len(encoded), len(central_extra), 0, 0, 0, FILE_MODE << 16,
                           LIMIT_32 if big_offset else offset) + encoded + central_extra
    return Record(local, central)


def end_records(entries: int, central_size: int, central_offset: int, zip64_from: int) -> bytes:
    """The end of central directory record, after a Zip64 end record and its locator when a count, size or
    offset does not fit the classic one (which then says 0xFFFF or 0xFFFFFFFF)."""
    zip64 = entries >= LIMIT_16 or central_size >= zip64_from or central_offset >= zip64_from
    end = END.pack(0x06054B50, 0, 0, min(entries, LIMIT_16), min(entries, LIMIT_16), min(central_size, LIMIT_32),
                   min(central_offset, LIMIT_32), 0)
    if not zip64:
        return end
    record = ZIP64_END.pack(0x06064B50, ZIP64_END.size - 12, MADE_BY_UNIX | ZIP64_VERSION, ZIP64_VERSION, 0, 0,
                            entries, entries, central_size, central_offset)
    locator = ZIP64_LOCATOR.pack(0x07064B50, 0, central_offset + central_size, 1)
    return record + locator + end


def write_zip(files: Mapping[str, bytes], source_date_epoch: int | None = None, *,
              zip64_from: int = ZIP64_FROM) -> bytes:
    """Sorted entries, fixed timestamp and permissions, no extra fields but Zip64's where a package needs them
    (past 65,534 entries or 4 GiB: verify and LMSs judge such a package; writing it never fails).
    ``zip64_from``: the size or offset from which Zip64 fields are written (lowered only to test them)."""
    stamp = dos_time(zip_timestamp(source_date_epoch))
    members = within_ratio({name: member(name, files[name]) for name in sorted(files)}, files)
    chunks: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for name, entry in members.items():
        record = entry_records(name, entry, offset, stamp, zip64_from)
        chunks += (record.local, entry.payload)
        directory.append(record.central)
        offset += len(record.local) + len(entry.payload)
    central = b"".join(directory)
    return b"".join((*chunks, central, end_records(len(directory), len(central), offset, zip64_from)))
