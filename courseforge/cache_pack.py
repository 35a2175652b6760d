"""Packs: the disk cache's small entries, appended to a few files instead of one file each.

A cold build of the bench course makes some 1,100 small entries (rendered Markdown blocks, outlines, parses,
integrity verdicts); one file each cost it an ``open`` that creates, a write and a rename apiece, most of the
0.4 s its cache writes took. Here each writing process appends its entries to a pack of its own,
``packs/<stem>.pack``, and one line per entry to the pack's index, ``packs/<stem>.index``: no file is created
per entry, and a rebuild reads one index per pack instead of opening a file per lookup.

Safe to share as the per-entry files are: only the process that made a pack writes to it, and an entry's index
line is appended (in one write) only once its value is in the pack, so a reader never finds half an entry. Each
line carries the sha256 of the entry's namespace, key and value: a damaged or truncated pack or index is a miss,
never a wrong value, and a line that does not parse is skipped. A pack is one unit for pruning: its time of use is
its index's (a hit renews it), and both files go together.
"""

from __future__ import annotations

import hashlib
import os
import weakref
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from threading import Lock
from typing import NamedTuple

PACKS = "packs"
"""The disk store's folder of packs."""
PACK_SUFFIX = ".pack"
INDEX_SUFFIX = ".index"
PACK_MODE = 0o600
"""Only the owner reads a cache entry (as an entry file's temporary name is created)."""
PACK_BELOW_BYTES = 256 * 1024
"""Values under this size go into a pack; bigger ones (a catalog's parse, a package) keep a file each, where the
cost of creating it is small beside their bytes."""
HEX = frozenset("0123456789abcdef")


class Location(NamedTuple):
    """Where an entry's value lies: its pack, offset and length, and the checksum of its namespace, key and
    value."""

    pack: str
    offset: int
    length: int
    checksum: bytes


def record_checksum(namespace: str, key: str, value: bytes) -> bytes:
    """The sha256 of the namespace, the key and the value: an index line damaged into another entry's name does not
    match the value it points to."""
    hasher = hashlib.sha256(f"{namespace}\t{key}\n".encode())
    hasher.update(value)
    return hasher.digest()


def packable(namespace: str, key: str) -> bool:
    """Whether an index line can name the entry: a namespace of printable ASCII without blanks, a sha256 key (what
    ``cache.entry_key`` makes)."""
    return bool(namespace) and namespace.isascii() and namespace.isprintable() and " " not in namespace \
        and is_digest(key)


def is_digest(name: str) -> bool:
    return len(name) == 64 and HEX.issuperset(name)


def index_line(namespace: str, key: str, location: Location) -> bytes:
    """The key first (always 64 characters) and the namespace, then where the value lies: a reader cuts each line
    once, at its tab, and parses where the value lies only for an entry it looks up."""
    return f"{key}{namespace}\t{location_text(location)}\n".encode()


def location_text(location: Location) -> str:
    return f"{location.offset} {location.length} {location.checksum.hex()}"


def parsed_location(pack: str, written: str) -> Location | None:
    """Where an index line says a value lies, or None when that does not parse (damaged)."""
    parts = written.split(" ")
    if len(parts) != 3:
        return None
    try:
        location = Location(pack, int(parts[0]), int(parts[1]), bytes.fromhex(parts[2]))
    except ValueError:
        return None
    if len(location.checksum) != 32 or location.offset < 0 or location.length < 0:
        return None
    return location


def close_quietly(descriptor: int) -> None:
    with suppress(OSError):
        os.close(descriptor)


class PackWriter:
    """One process's pack and index in ``folder``, created on the first entry (named by process id and a random
    token, created exclusively: no other process ever writes to them)."""

    def __init__(self, folder: str) -> None:
        self.pid = os.getpid()
        stem = f"{folder}{os.sep}{self.pid}-{os.urandom(8).hex()}"
        self.pack, self.index = stem + PACK_SUFFIX, stem + INDEX_SUFFIX
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND | os.O_CLOEXEC
        os.makedirs(folder, exist_ok=True)
        self.pack_descriptor = os.open(self.pack, flags, PACK_MODE)
        try:
            self.index_descriptor = os.open(self.index, flags, PACK_MODE)
        except OSError:
            os.close(self.pack_descriptor)
            raise
        self.size = 0
        self.index_size = 0
        self._closer = weakref.finalize(self, close_pair, self.pack_descriptor, self.index_descriptor)

    def append(self, namespace: str, key: str, value: bytes) -> tuple[Location, int]:
        """Write the value, then its index line; where it lies, and the bytes written (caller holds the lock)."""
        location = Location(self.pack, self.size, len(value), record_checksum(namespace, key, value))
        write_all(self.pack_descriptor, value)
        self.size += len(value)
        line = index_line(namespace, key, location)
        write_all(self.index_descriptor, line)
        self.index_size += len(line)
        return location, len(value) + len(line)

    def close(self) -> None:
        self._closer()


def close_pair(first: int, second: int) -> None:
    close_quietly(first)
    close_quietly(second)


def write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]


@dataclass
class IndexFile:
    """How much of one index has been read (up to its last whole line), and its time of use when last seen."""

    read: int
    used: float


Written = tuple[str, str]
"""An entry as an index line gives it: its pack and where in it the value lies (parsed when looked up)."""


class PackIndex:
    """The entries of every pack in some folders, as read from their indexes: loaded on the first lookup, then
    again on :meth:`refresh` (only what the indexes gained), and added to as this process writes its own.
    Entries are named by key and namespace (``key + namespace``: the key's 64 characters come first)."""

    def __init__(self, folders: tuple[str, ...]) -> None:
        self.folders = folders
        self.entries: dict[str, Written] = {}
        self.others: dict[str, list[Written]] = {}
        """Earlier copies of an entry packed more than once (rare: concurrent builds, a damaged copy replaced)."""
        self.files: dict[str, IndexFile] = {}
        self.loaded = False
        self.lock = Lock()

    def get(self, namespace: str, key: str) -> list[Location]:
        """Where the entry lies, the last written first (two builds may both have packed it, or a damaged copy
        may have been written anew)."""
        if not self.loaded:
            self.refresh()
        name = key + namespace
        found = self.entries.get(name)
        if found is None:
            return []
        copies = (parsed_location(*written) for written in (found, *self.others.get(name, ())))
        return [location for location in copies if location is not None]

    def refresh(self) -> None:
        """Read what every index in the folders gained since it was last read."""
        with self.lock:
            self.loaded = True
            for folder in self.folders:
                for name in index_names(folder):
                    self.read_index(f"{folder}{os.sep}{name}")

    def read_index(self, path: str) -> None:
        known = self.files.get(path)
        start = known.read if known is not None else 0
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return
        try:
            status = os.fstat(descriptor)
            data = os.pread(descriptor, max(0, status.st_size - start), start) if status.st_size > start else b""
        except OSError:
            return
        finally:
            os.close(descriptor)
        whole = data.rfind(b"\n") + 1  # a line still being written (or cut short) waits for its end
        pack = path[:-len(INDEX_SUFFIX)] + PACK_SUFFIX
        for line in data[:whole].decode("ascii", "replace").split("\n")[:-1]:
            cut = line.find("\t")
            if cut > 64:  # a damaged line that still parses is caught by the checksum when read
                self.keep(line[:cut], (pack, line[cut + 1:]))
        self.files[path] = IndexFile(start + whole, max(status.st_mtime, known.used if known else 0.0))

    def add(self, namespace: str, key: str, location: Location, writer: PackWriter, used: float) -> None:
        """An entry this process just wrote (its own index line need not be read back)."""
        self.keep(key + namespace, (location.pack, location_text(location)))
        self.files[writer.index] = IndexFile(writer.index_size, used)

    def keep(self, name: str, written: Written) -> None:
        earlier = self.entries.get(name)
        if earlier is not None and earlier != written:
            self.others.setdefault(name, []).insert(0, earlier)
        self.entries[name] = written

    def namespaces(self) -> list[str]:
        """Each entry's namespace."""
        if not self.loaded:
            self.refresh()
        return [name[64:] for name in self.entries]

    def index_of(self, location: Location) -> str:
        return location.pack[:-len(PACK_SUFFIX)] + INDEX_SUFFIX


def index_names(folder: str) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            return sorted(entry.name for entry in entries if entry.name.endswith(INDEX_SUFFIX)
                          and is_pack_stem(entry.name[:-len(INDEX_SUFFIX)]) and entry.is_file(follow_symlinks=False))
    except OSError:
        return []


def read_packed(namespace: str, key: str, location: Location) -> bytes | None:
    """The entry's value, or None when its pack is gone, cut short or no longer matches its checksum."""
    try:
        descriptor = os.open(location.pack, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        value = os.pread(descriptor, location.length, location.offset)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    if len(value) != location.length or record_checksum(namespace, key, value) != location.checksum:
        return None
    return value


def is_pack_stem(stem: str) -> bool:
    """Named as :class:`PackWriter` names its files: a process id and a 16-hex token."""
    pid, _, token = stem.partition("-")
    return pid.isdigit() and pid.isascii() and len(token) == 16 and HEX.issuperset(token)


def pack_units(folder: str) -> Iterator[tuple[str, ...]]:
    """The packs in ``folder`` as units to prune: each pack with its index (the index first: removed first, a
    reader finds no entry pointing into a removed pack), and any file of the two left alone."""
    try:
        with os.scandir(folder) as entries:
            names = {entry.name for entry in entries if entry.is_file(follow_symlinks=False)}
    except OSError:
        return
    stems = {name[:-len(suffix)] for name in names for suffix in (PACK_SUFFIX, INDEX_SUFFIX)
             if name.endswith(suffix) and is_pack_stem(name[:-len(suffix)])}
    for stem in sorted(stems):
        yield tuple(f"{folder}{os.sep}{stem}{suffix}" for suffix in (INDEX_SUFFIX, PACK_SUFFIX)
                    if stem + suffix in names)


MERGE_ABOVE = 16
"""A folder holding more packs than this has its smallest quiet ones merged into one (:func:`merge_packs`): every
build adds a pack or more, and each build reads every index."""
MERGE_TO = 8
MERGE_AFTER_SECONDS = 600
"""A pack not appended to for this long is taken to have no writer left (a build appends as it goes)."""


def merge_packs(folder: str, now: float) -> int:
    """Past :data:`MERGE_ABOVE` packs in ``folder``, copy the live entries of the smallest quiet ones (each read
    and checked) into one new pack, then remove them; their latest time of use becomes the new pack's, so pruning
    by use still sees them. Returns how many packs were merged. Safe while others use the folder: a reader that
    still looks in a removed pack finds nothing there, a miss; two processes merging at once leave copies of
    the same entries, merged again later."""
    units = [unit for unit in pack_units(folder) if len(unit) == 2]
    if len(units) <= MERGE_ABOVE:
        return 0
    quiet = sorted((status, unit) for unit in units if (status := quiet_pack(unit, now)) is not None)
    chosen = [unit for _, unit in quiet[:len(units) - MERGE_TO + 1]]
    if len(chosen) < 2:
        return 0
    try:
        copy_entries(chosen, PackWriter(folder))
    except OSError:
        return 0  # what was copied is a duplicate, merged again later
    for unit in chosen:
        for path in unit:
            with suppress(OSError):
                os.unlink(path)
    return len(chosen)


def quiet_pack(unit: tuple[str, ...], now: float) -> tuple[int, float] | None:
    """A pack's size and its index's time of use, if it was last appended to long enough ago."""
    try:
        index, pack = (os.stat(path, follow_symlinks=False) for path in unit)
    except OSError:
        return None
    if now - pack.st_mtime < MERGE_AFTER_SECONDS:
        return None
    return pack.st_size + index.st_size, max(index.st_mtime, pack.st_mtime)


def copy_entries(units: Sequence[tuple[str, ...]], writer: PackWriter) -> None:
    """Every entry of the packs (index first, then pack) that still reads whole, appended to ``writer``'s pack,
    which is given the latest time of use of the packs."""
    used = 0.0
    try:
        for index in (unit[0] for unit in units):
            found = PackIndex(())
            found.read_index(index)
            used = max(used, found.files[index].used if index in found.files else 0.0)
            for name, written in found.entries.items():
                location = parsed_location(*written)
                value = read_packed(name[64:], name[:64], location) if location is not None else None
                if value is not None:
                    writer.append(name[64:], name[:64], value)
    finally:
        writer.close()
    if used:
        os.utime(writer.index, (used, used))
        os.utime(writer.pack, (used, used))
