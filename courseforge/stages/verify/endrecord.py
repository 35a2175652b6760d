"""Read the zip's end record and central directory from the raw bytes, and say where they disagree.

Python's zipfile is forgiving: it ignores the entry counts, and it silently adds any bytes found before
the archive (a prepended stub) to every offset. Many LMS unzip libraries trust the end record instead,
so a zip that zipfile reads can be refused or read differently there. Layouts from APPNOTE.TXT:
end of central directory record (4.3.16), ZIP64 end record and locator (4.3.14-15), central directory
header (4.3.12) and the ZIP64 extra field (4.5.3).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.stages.verify.zipguard import too_many_entries

END_SIG = b"PK\x05\x06"
END_SIZE = 22
MAX_COMMENT = 0xFFFF
LOCATOR_SIG = b"PK\x06\x07"
LOCATOR_SIZE = 20
ZIP64_END_SIG = b"PK\x06\x06"
ZIP64_END_SIZE = 56
CENTRAL_SIG = b"PK\x01\x02"
CENTRAL_SIZE = 46
LOCAL_SIG = b"PK\x03\x04"
ZIP64_EXTRA = 0x0001
FULL16, FULL32 = 0xFFFF, 0xFFFFFFFF
REBUILD = "rebuild the package with a standard zip tool from the course folder"


@dataclass(frozen=True)
class EndRecord:
    """What the end record (or its ZIP64 successor) claims about the central directory."""

    position: int
    """Where the record the central directory must end at starts (the ZIP64 end record if there is one)."""
    disk_entries: int
    total_entries: int
    size: int
    offset: int
    trailing: int
    """Bytes after the end record's comment: zero in a well-formed zip."""


@dataclass(frozen=True)
class Directory:
    """The central directory as found by walking its records."""

    start: int
    end: int
    count: int
    first_local: int | None
    """Lowest local header offset any record names (as recorded), None for an empty zip."""
    complete: bool
    """False when the walk stopped at the entry limit."""


def find_end(data: bytes) -> int | None:
    """The end record's position, found as zipfile finds it: at the very end, else the last signature."""
    if len(data) >= END_SIZE and data[-END_SIZE : -END_SIZE + 4] == END_SIG:
        return len(data) - END_SIZE
    found = data.rfind(END_SIG, max(0, len(data) - END_SIZE - MAX_COMMENT))
    return found if found >= 0 and found + END_SIZE <= len(data) else None


def read_end(data: bytes) -> EndRecord | None:
    position = find_end(data)
    if position is None:
        return None
    disk_entries, total_entries, size, offset, comment = struct.unpack_from("<HHIIH", data, position + 8)
    trailing = len(data) - (position + END_SIZE + comment)
    locator = position - LOCATOR_SIZE
    zip64 = locator - ZIP64_END_SIZE
    if zip64 >= 0 and data[locator : locator + 4] == LOCATOR_SIG and data[zip64 : zip64 + 4] == ZIP64_END_SIG:
        disk_entries, total_entries, size, offset = struct.unpack_from("<QQQQ", data, zip64 + 24)
        return EndRecord(zip64, disk_entries, total_entries, size, offset, trailing)
    return EndRecord(position, disk_entries, total_entries, size, offset, trailing)


def zip64_offset(data: bytes, record: int, sizes: tuple[int, int], offset: int) -> int:
    """The local header offset of a central record, from its ZIP64 extra field when the 32-bit one is full."""
    if offset != FULL32:
        return offset
    name_len, extra_len = struct.unpack_from("<HH", data, record + 28)
    extra = record + CENTRAL_SIZE + name_len
    for field_id, body, length in extra_fields(data, extra, extra + extra_len):
        if field_id == ZIP64_EXTRA:
            skip = 8 * sum(1 for size in sizes if size == FULL32)
            if skip + 8 <= length:
                (value,) = struct.unpack_from("<Q", data, body + skip)
                return int(value)
    return offset


def extra_fields(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    while start + 4 <= end:
        field_id, length = struct.unpack_from("<HH", data, start)
        if start + 4 + length > end:
            return
        yield field_id, start + 4, length
        start += 4 + length


def walk(data: bytes, start: int, limit: int) -> Directory:
    """Follow central directory records from ``start`` until something else begins, or ``limit`` is passed."""
    position, count, first = start, 0, None
    while data[position : position + 4] == CENTRAL_SIG and position + CENTRAL_SIZE <= len(data):
        if count == limit:
            return Directory(start, position, count + 1, first, complete=False)
        compressed, uncompressed, name_len, extra_len, comment_len = struct.unpack_from(
            "<IIHHH", data, position + 20
        )
        (offset,) = struct.unpack_from("<I", data, position + 42)
        local = zip64_offset(data, position, (uncompressed, compressed), offset)
        first = local if first is None else min(first, local)
        count += 1
        position += CENTRAL_SIZE + name_len + extra_len + comment_len
    return Directory(start, min(position, len(data)), count, first, complete=True)


def locate(data: bytes, end: EndRecord, limit: int) -> tuple[Directory, int] | None:
    """The directory walked from where the end record says it is, else from where zipfile assumes it is
    (just before the end record); with the shift between the two. None when neither holds a record."""
    assumed = end.position - end.size
    for start in dict.fromkeys((end.offset, assumed)):
        if 0 <= start < len(data) and data[start : start + 4] == CENTRAL_SIG:
            return walk(data, start, limit), start - end.offset
    return None


def at(package: str) -> Location:
    return Location(package)


def check(package: str, data: bytes, max_entries: int, sink: DiagnosticSink) -> bool:
    """Report an end record that disagrees with the directory, and bytes before or after the zip.

    False when the zip must not be read further: its directory is not where the end record says (other
    unzip tools would read other entries), or it has more entries than allowed (refused unparsed).
    """
    try:
        end = read_end(data)
        found = None if end is None else locate(data, end, max_entries)
    except struct.error:
        return True  # a record cut short: zipfile names the damage
    if end is None or found is None:
        return True
    directory, shift = found
    if not directory.complete or end.total_entries > max_entries:
        count = max(directory.count, end.total_entries)
        too_many_entries(package, f"{'more than ' * (not directory.complete)}{count}", max_entries, sink)
        return False
    check_counts(package, end, directory, sink)
    readable = check_place(package, end, directory, shift, sink)
    check_edges(package, data, end, directory, shift, sink)
    return readable


def end_record_error(package: str, problem: str, sink: DiagnosticSink) -> None:
    sink.error(
        "zip.end-record",
        f"the end-of-central-directory record of {package} {problem}; unzip tools that trust it read a "
        "different set of entries",
        at(package),
        hint="the zip was damaged or edited by hand; " + REBUILD,
    )


def check_counts(package: str, end: EndRecord, directory: Directory, sink: DiagnosticSink) -> None:
    for what, claimed in (("entries on this disk", end.disk_entries), ("entries in total", end.total_entries)):
        if claimed != directory.count:
            end_record_error(package, f"says {claimed} {what}, but the central directory holds "
                             f"{directory.count}", sink)
            return


def check_place(package: str, end: EndRecord, directory: Directory, shift: int, sink: DiagnosticSink) -> bool:
    """Size and offset: True when the directory is where and as long as the end record says."""
    size = directory.end - directory.start
    if size != end.size or directory.end != end.position:
        gap = end.position - directory.end
        between = f", and {gap} other bytes sit between them and the end record" if gap else ""
        end_record_error(package, f"gives the central directory as {end.size} bytes, but its records take "
                         f"{size}{between}", sink)
        return False
    prefix_only = directory.first_local == 0 and shift > 0
    if shift and not prefix_only:
        end_record_error(package, f"puts the central directory at offset {end.offset}, but it starts at "
                         f"{directory.start}", sink)
        return False
    return True


def check_edges(
    package: str, data: bytes, end: EndRecord, directory: Directory, shift: int, sink: DiagnosticSink
) -> None:
    """Bytes before the first entry (a stub, or junk) and after the end record."""
    first = (directory.first_local or 0) + shift
    if first > 0 and data[first : first + 4] == LOCAL_SIG:
        unadjusted = " (the zip's own offsets do not count them)" if shift > 0 else ""
        sink.error(
            "zip.prefix-bytes",
            f"{package} has {first} bytes before its first entry{unadjusted}; many LMS unzip libraries "
            "refuse such a zip or read garbage",
            at(package),
            hint="a stub or junk was prepended to the zip; " + REBUILD,
        )
    if end.trailing != 0:
        found = f"{end.trailing} bytes follow it" if end.trailing > 0 else "the file ends before it"
        sink.error(
            "zip.end-record",
            f"the end-of-central-directory record of {package} is not at the end of the file: after its "
            f"comment {found}; unzip tools may not find it",
            at(package),
            hint="the file was padded, cut or joined to another; " + REBUILD,
        )
