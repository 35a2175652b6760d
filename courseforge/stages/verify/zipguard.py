"""Judge a zip from its central directory before reading any entry, then read entries with bounds.

A package may come from anyone, so sizes, ratios and names are checked from the directory alone: a
zip bomb is refused before a single byte is inflated, and nothing is ever written to disk.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator, Sequence

from courseforge.cache import TEXT
from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.model.zip_limits import DEFAULT_LIMITS as DEFAULT_LIMITS
from courseforge.model.zip_limits import MIB
from courseforge.model.zip_limits import Limits as Limits
from courseforge.model.zip_limits import human_size as human_size
from courseforge.object_memo import remembered
from courseforge.stages.verify.inflate_resume import resumed_intact

CHUNK = MIB
INTEGRITY = "zip-integrity"
INTEGRITY_VERSION = 1
"""Bump when the same entry would be judged otherwise (memoized verdicts: "" intact, else why not)."""
LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
LOCAL_SIGNATURE = 0x04034B50
LOCAL_HEADER_MIN = 30
"""Fixed part of a zip local file header; the entry's data starts at least this far after its offset."""

LMS_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
RISKY_METHODS = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA"}
"""Methods Python reads but many LMS unzip libraries (Java's, for one) do not."""
UNKNOWN_METHODS = {6: "Implode", 9: "Deflate64", 93: "Zstandard", 95: "XZ", 98: "PPMd", 99: "WinZip AES"}
DRIVE = re.compile(r"^[A-Za-z]:")
REBUILD = "rebuild the package with a standard zip tool from the course folder"
UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError,
              struct.error, IndexError, KeyError, OverflowError)
"""What zipfile raises on a damaged directory (NotImplementedError for a nonsense 'version needed')."""


def at(package: str, entry: str = "") -> Location:
    return Location(f"{package}!{entry}" if entry else package)


def open_zip(package: str, data: bytes, sink: DiagnosticSink) -> zipfile.ZipFile | None:
    """Read the central directory only; a damaged one becomes a diagnostic, never an exception."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except UNREADABLE as error:
        sink.error(
            "zip.unreadable",
            f"{package} is not a readable zip file ({error})",
            at(package),
            hint="check that the download or upload was not cut short, or " + REBUILD,
        )
        return None


def file_entries(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return [info for info in archive.infolist() if not info.is_dir()]


def refuse_unsafe(package: str, infos: Sequence[zipfile.ZipInfo], limits: Limits, sink: DiagnosticSink) -> bool:
    """True (and an error) when the directory promises more than the limits allow: then read nothing."""
    before = sink.error_count
    check_counts(package, infos, limits, sink)
    check_ratios(package, infos, limits, sink)
    check_overlaps(package, infos, sink)
    return sink.error_count > before


def check_counts(package: str, infos: Sequence[zipfile.ZipInfo], limits: Limits, sink: DiagnosticSink) -> None:
    if len(infos) > limits.max_entries:
        too_many_entries(package, f"{len(infos)}", limits.max_entries, sink)
    total = sum(info.file_size for info in infos)
    if total > limits.max_total_bytes:
        sink.error(
            "zip.too-large",
            f"{package} expands to {human_size(total)}, more than the {human_size(limits.max_total_bytes)} "
            "allowed",
            at(package),
            hint="shrink or stream large media, or raise the limit with --max-size",
        )


def too_many_entries(package: str, count: str, limit: int, sink: DiagnosticSink) -> None:
    sink.error(
        "zip.too-many-entries",
        f"{package} has {count} entries, more than the {limit} allowed",
        at(package),
        hint="bundle small assets together; a course rarely needs this many files",
    )


def ratio(info: zipfile.ZipInfo) -> float:
    return info.file_size / max(info.compress_size, 1)


def check_ratios(package: str, infos: Sequence[zipfile.ZipInfo], limits: Limits, sink: DiagnosticSink) -> None:
    """Refuse entries (or a whole zip) that inflate far more than real course files ever do."""
    hint = "this is how zip bombs look: real course files do not compress this much; " + REBUILD
    for info in infos:
        if info.file_size >= limits.ratio_floor_bytes and ratio(info) > limits.max_ratio:
            sink.error(
                "zip.bomb",
                f"entry '{info.filename}' expands from {human_size(info.compress_size)} to "
                f"{human_size(info.file_size)} ({ratio(info):.0f}:1, limit {limits.max_ratio:.0f}:1)",
                at(package, info.filename),
                hint=hint,
            )
    packed = sum(info.compress_size for info in infos)
    total = sum(info.file_size for info in infos)
    if total >= limits.ratio_floor_bytes and total / max(packed, 1) > limits.max_ratio:
        sink.error(
            "zip.bomb",
            f"{package} expands from {human_size(packed)} to {human_size(total)} "
            f"({total / max(packed, 1):.0f}:1, limit {limits.max_ratio:.0f}:1)",
            at(package),
            hint=hint,
        )


def check_overlaps(package: str, infos: Sequence[zipfile.ZipInfo], sink: DiagnosticSink) -> None:
    """Entries whose data overlap are never made by zip tools; overlapping is a zip-bomb technique."""
    ordered = sorted(infos, key=lambda info: info.header_offset)
    for first, second in itertools.pairwise(ordered):
        if second.header_offset < first.header_offset + LOCAL_HEADER_MIN + first.compress_size:
            sink.error(
                "zip.bomb",
                f"entries '{first.filename}' and '{second.filename}' overlap in {package} "
                "(one stored body read many times)",
                at(package, second.filename),
                hint="overlapping entries are a zip-bomb technique; " + REBUILD,
            )
            return


def name_problem(name: str) -> str | None:
    """Why extracting this entry name could write outside the package folder, if it could."""
    if name.startswith(("/", "\\")):
        return "is an absolute path"
    if DRIVE.match(name):
        return "starts with a drive letter"
    if ".." in re.split(r"[\\/]", name):
        return "contains a '..' segment"
    return None


def check_names(package: str, infos: Sequence[zipfile.ZipInfo], sink: DiagnosticSink) -> None:
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        problem = name_problem(name)
        if problem:
            sink.error(
                "zip.entry-escapes",
                f"entry '{name}' {problem}, so unzipping it writes outside the package folder",
                at(package, name),
                hint="zip the course folder's contents with paths relative to it",
            )
        elif "\\" in name:
            sink.error(
                "zip.entry-backslash",
                f"entry '{name}' uses backslashes; LMSs on Linux unzip it as one odd file name, not a folder",
                at(package, name),
                hint="re-zip with a tool that writes '/' as the folder separator",
            )
        if stat.S_ISLNK(info.external_attr >> 16):
            sink.error(
                "zip.symlink",
                f"entry '{name}' is a symbolic link; LMSs do not follow links and they can point anywhere",
                at(package, name),
                hint="put a copy of the linked file in the package instead",
            )
        if name in seen:
            sink.error(
                "zip.duplicate-entry",
                f"entry '{name}' appears twice; which copy an LMS keeps is unpredictable",
                at(package, name),
                hint=REBUILD,
            )
        seen.add(name)


def folded(name: str) -> str:
    """The name as a case-insensitive, normalising file system (Windows, macOS) stores it."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def clash_reason(first: str, second: str) -> str:
    if unicodedata.normalize("NFC", first) == unicodedata.normalize("NFC", second):
        return f"differ only in Unicode normalisation ({first!a} vs {second!a}, the same after NFC)"
    return "differ only in letter case"


def check_clashes(package: str, infos: Sequence[zipfile.ZipInfo], sink: DiagnosticSink) -> None:
    """Names that one file system keeps apart and another merges: unzipping writes one over the other."""
    files: dict[str, str] = {}
    for info in infos:
        name = info.filename.replace("\\", "/")
        first = files.setdefault(folded(name), name)
        if first != name:
            sink.error(
                "zip.name-clash",
                f"entries '{first}' and '{name}' {clash_reason(first, name)}; an LMS on Windows or macOS "
                "unzips one over the other",
                at(package, info.filename),
                hint="rename one of them (and the hrefs naming it) so names differ by more than case or accents",
            )
    folders = {folded(name[:cut]) for name in files.values() for cut in slash_positions(name)}
    for key, name in files.items():
        if key in folders:
            sink.error(
                "zip.name-clash",
                f"entry '{name}' is a file, but other entries use the same name as a folder; unzipping cannot "
                "create both",
                at(package, name),
                hint="rename the file or the folder",
            )


def slash_positions(name: str) -> list[int]:
    return [i for i, char in enumerate(name) if char == "/"]


def readable(package: str, info: zipfile.ZipInfo, sink: DiagnosticSink) -> bool:
    """Whether an entry can be inflated here; encryption and exotic methods are reported instead."""
    name = info.filename
    if info.flag_bits & 0x1:
        sink.error(
            "zip.encrypted",
            f"entry '{name}' is encrypted; an LMS cannot unzip a password-protected package",
            at(package, name),
            hint="zip the course again without a password",
        )
        return False
    if info.compress_type in RISKY_METHODS:
        sink.warning(
            "zip.compression",
            f"entry '{name}' is compressed with {RISKY_METHODS[info.compress_type]}, "
            "which many LMSs cannot unzip",
            at(package, name),
            hint="re-zip with the standard Deflate method",
        )
    elif info.compress_type not in LMS_METHODS:
        method = UNKNOWN_METHODS.get(info.compress_type, f"method {info.compress_type}")
        sink.error(
            "zip.compression",
            f"entry '{name}' is compressed with {method}, which LMSs cannot unzip",
            at(package, name),
            hint="re-zip with the standard Deflate method",
        )
        return False
    return True


def check_integrity(package: str, archive: zipfile.ZipFile, infos: Sequence[zipfile.ZipInfo], limits: Limits,
                    sink: DiagnosticSink, data: bytes | None = None) -> None:
    """Inflate entries in chunks so CRC errors surface now, not in the LMS; bounded by the inflate budget.
    ``data``: the zip's bytes, so that an entry checked whole is judged once per content (:func:`entry_damage`)."""
    budget = limits.max_inflate_bytes
    for info in infos:
        if not readable(package, info, sink):
            continue
        whole = info.file_size <= budget
        budget -= info.file_size if whole else 0
        why = entry_damage(archive, info, data) if whole and data is not None else inflate_damage(archive, info, whole)
        if why:
            damaged(package, info.filename, why, sink)


def inflate_damage(archive: zipfile.ZipFile, info: zipfile.ZipInfo, whole: bool) -> str:
    """Why the entry cannot be read back intact ("" when it can); only its first chunk unless ``whole``."""
    try:
        with archive.open(info) as stream:
            while stream.read(CHUNK) and whole:
                pass
    except zipfile.BadZipFile as error:
        return "its data does not match its checksum (CRC-32)" if "CRC" in str(error) else str(error)
    except (zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError) as error:
        return str(error) or type(error).__name__
    return ""


def local_record(data: bytes, info: zipfile.ZipInfo) -> memoryview | None:
    """The entry's local header, name, extra field and data as stored (None when they do not fit the zip)."""
    start = info.header_offset
    header = data[start:start + LOCAL_HEADER.size]
    if len(header) < LOCAL_HEADER.size:
        return None
    signature, *_, name_length, extra_length = LOCAL_HEADER.unpack(header)
    end = start + LOCAL_HEADER.size + name_length + extra_length + info.compress_size
    return memoryview(data)[start:end] if signature == LOCAL_SIGNATURE and end <= len(data) else None


def entry_identity(data: bytes, info: zipfile.ZipInfo) -> tuple[int | bytes, ...] | None:
    """Everything zipfile reads to inflate an entry but its name: the central directory's fields for it and the
    digest of its local record's bytes (None when the record does not fit the zip). Entries of equal identity
    inflate to equal bytes, so what is judged of one holds for the other."""
    record = local_record(data, info)
    if record is None:
        return None
    return (info.compress_type, info.flag_bits, info.CRC, info.file_size, info.compress_size,
            hashlib.sha256(record).digest())


def entry_damage(archive: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> str:
    """:func:`inflate_damage` of an entry read whole, memoized by everything zipfile reads to judge it: the
    central directory's fields for it and its local record's bytes. The images and runtime every package of a
    build shares are inflated once, and a rebuild inflates only what changed."""
    identity = entry_identity(data, info)
    if identity is None:
        return inflate_damage(archive, info, True)
    key = (INTEGRITY_VERSION, info.filename, *identity)
    return remembered(INTEGRITY, key, lambda: record_damage(archive, info, data), TEXT, len)


def record_damage(archive: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> str:
    """:func:`inflate_damage` of an entry read whole; a big deflated one's data is first checked resumed from a
    recent check (``inflate_resume``: a rebuild's player page inflates only past the edit), after zipfile has
    read its local header. Only "intact" is taken from there: anything else is inflated again by zipfile."""
    record = local_record(data, info)
    if record is None or info.compress_type != zipfile.ZIP_DEFLATED or header_damage(archive, info):
        return inflate_damage(archive, info, True)
    compressed = record[len(record) - info.compress_size:]
    return "" if resumed_intact(compressed, info.CRC, info.file_size) else inflate_damage(archive, info, True)


def header_damage(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether zipfile refuses to open the entry (its local header, name, flags), reading none of its data."""
    try:
        archive.open(info).close()
    except READ_ERRORS:
        return True
    return False


def damaged(package: str, name: str, why: str, sink: DiagnosticSink) -> None:
    sink.error(
        "zip.corrupt",
        f"entry '{name}' is damaged: {why}",
        at(package, name),
        hint="the zip was corrupted in transfer or by the tool that wrote it; " + REBUILD,
    )


READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError)
"""What reading an entry raises when it cannot be inflated (integrity reports why)."""


def read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes | None:
    """At most ``cap`` bytes of one entry; None when it cannot be read (already reported by integrity)."""
    try:
        with archive.open(info) as stream:
            return stream.read(cap)
    except READ_ERRORS:
        return None


def read_pieces(archive: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, piece: int) -> Iterator[bytes]:
    """At most ``cap`` bytes of one entry, ``piece`` bytes at a time as it inflates (a page is parsed as it is
    read, never held whole); raises one of :data:`READ_ERRORS` when it cannot be read."""
    with archive.open(info) as stream:
        while cap > 0 and (chunk := stream.read(min(piece, cap))):
            cap -= len(chunk)
            yield chunk
