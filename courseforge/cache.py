"""A content-addressed cache for work whose result depends only on its inputs.

Stages stay pure: a stage wraps an expensive, deterministic computation in :func:`memoized` with every input
that can change the result in its key. With no store active (tests, ``check``) that simply computes. A command
(the edge) or a long-lived process (watch mode, the benchmark) opens a :func:`cache_scope` with a store, and the
same computation is then looked up by the sha256 of its key first. Every key kept on disk also carries
:func:`code_fingerprint` (courseforge's version and the bytes of its own files), so a cache restored from another
branch or written by an edited checkout never answers for different code; a scope with no disk store keeps its
entries in its process tree, whose code is the same throughout (:func:`entry_key`).

Values are bytes through an explicit :class:`Codec`, never pickles: a CI cache is restored from other branches'
runs, and a poisoned pickle would run code. A disk entry carries a checksum of its value, so a truncated or
edited file is a miss, never a wrong result. Whole results too big to hold in memory (package zips) are disk
*blobs*: files named by the sha256 of their bytes, checked against their name before use.

The disk cache is bounded by :func:`prune` (least recently used entries go first: a hit touches its file) and is
safe to share between concurrent processes: entries are written to a temporary file and renamed into place, and
small ones are appended to a pack of the writing process's own, found through the pack's index (``cache_pack``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from threading import Lock
from typing import Any, Generic, Protocol, TypeVar

from courseforge import __version__
from courseforge.cache_pack import (
    PACK_BELOW_BYTES,
    PACKS,
    Location,
    PackIndex,
    PackWriter,
    merge_packs,
    pack_units,
    packable,
    read_packed,
)

T = TypeVar("T")

KeyPart = str | bytes | int | float | bool | None | tuple["KeyPart", ...]
CHECKSUM_BYTES = 32
"""A disk entry is the sha256 of its value followed by the value."""
BLOBS = "blobs"
"""The disk store's folder of whole results, each file named by the sha256 of its bytes."""
BLOB_MODE = 0o644
"""Blobs may become outputs themselves (hard-linked into a build's tree), so they carry the outputs' mode."""
TEMPORARY_PREFIX = ".tmp-"
STALE_TEMPORARY_SECONDS = 3600
"""A temporary file this old was left by a killed writer: :func:`prune` removes it."""
PRUNE_TO = 0.8
""":func:`prune` brings a folder over its limit down to this share of it, so the next builds do not prune again."""
DECODE_ERRORS = (ValueError, UnicodeDecodeError, KeyError, TypeError, IndexError)
"""What a codec raises on an entry written by another codec version: a miss, recomputed and overwritten."""
COPY_CHUNK = 1 << 20
SETTLED_SECONDS = 2.0
"""A file last changed (modified, or its inode changed) this long ago is judged by its ``stat`` from then on: one
changed more recently could change again within the same timestamp and keep its stat, so it is read (as git
treats a "racily clean" file)."""
FINGERPRINTS = "code-fingerprint"
"""The disk store's code fingerprints, each named by the state of the package's files (:func:`package_state`)."""
TOUCH_AFTER_SECONDS = 3600
"""A hit renews its entry's time of use (:func:`prune` removes the least recently used first) only when that time
is older than this: a rebuild's hundreds of hits then write no metadata for entries used within the hour."""
BUILD_MEMORY_BYTES = 16 * 2**20
"""A build's in-process store when it is the only one that keeps new values (no disk store, or a read-only one).
Its biggest use is one locale's rendered Markdown, read again by each of the locale's formats (12 MB for a
1,000-page course); a course's outlines, read again by each translated locale (13 MB), are older and go first
when both do not fit."""
BUILD_MEMORY_OVER_DISK_BYTES = 4 * 2**20
"""A build's in-process store in front of a disk store it writes to: there it only spares reading the small values
read most (the runtime's deflated files, the units' entries); a miss is a read of a file the system has just
written, which costs the 1,000-page build's render 0.03 to 0.09 s a format in all, and saves holding 12 MB."""
LARGEST_VALUE_SHARE = 8
"""A memory store keeps no value over this share of its bound: one such value (a package's deflated entry page,
made for one format only) would evict many smaller entries that are read again."""


@dataclass(frozen=True)
class Codec(Generic[T]):
    """How a cached value becomes bytes and back."""

    encode: Callable[[T], bytes]
    decode: Callable[[bytes], T]


def _identity(data: bytes) -> bytes:
    return data


def _encode_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


TEXT: Codec[str] = Codec(lambda text: text.encode(), lambda data: data.decode())
BYTES: Codec[bytes] = Codec(_identity, _identity)
JSON: Codec[Any] = Codec(_encode_json, json.loads)


def _feed(hasher: Any, part: KeyPart) -> None:
    """Each part typed and length-prefixed, so ("ab", "c") and ("a", "bc") never share a key."""
    if isinstance(part, tuple):
        hasher.update(b"t%d:" % len(part))
        for item in part:
            _feed(hasher, item)
        return
    if isinstance(part, bytes):
        tag, data = b"b", part
    elif isinstance(part, str):
        tag, data = b"s", part.encode()
    else:
        tag, data = b"v", repr(part).encode()  # int, float, bool, None
    hasher.update(tag + b"%d:" % len(data))
    hasher.update(data)  # apart: joined to its prefix, a page's text would be copied once more to be hashed


def digest(*parts: KeyPart) -> str:
    """The sha256 hex of the parts (use it to pre-hash a big input once and key on the digest)."""
    hasher = hashlib.sha256()
    _feed(hasher, parts)
    return hasher.hexdigest()


def structured(value: object) -> KeyPart:
    """A key part for frozen data (dataclasses, pydantic models, enums, mappings, sequences), equal for equal
    values and named by type, so options or a theme can be keyed without listing their fields by hand. Anything
    else is refused: a value the key cannot see would let two different inputs share an entry."""
    if isinstance(value, Enum):
        return (type(value).__qualname__, structured(value.value))
    if value is None or isinstance(value, str | bytes | int | float | bool):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__,
                *((field.name, structured(getattr(value, field.name))) for field in dataclasses.fields(value)))
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return (type(value).__qualname__, structured(dump()))
    if isinstance(value, Mapping):
        pairs = [(structured(key), structured(item)) for key, item in value.items()]
        return ("mapping", *sorted(pairs, key=lambda pair: digest(pair[0])))
    if isinstance(value, frozenset | set):
        return ("set", *sorted((structured(item) for item in value), key=digest))
    if isinstance(value, tuple | list):
        return tuple(structured(item) for item in value)
    raise TypeError(f"cannot key a {type(value).__qualname__}")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """courseforge's version and the bytes of every file of the package (code, templates, runtime, schemas):
    the same for every install of one release, different as soon as a checkout's code changes. Once per process;
    with a disk store active, looked up there first by the files' state (:func:`package_state`): reading and
    hashing 3 MB costs a one-page rebuild some 5 ms CPU and 15 ms, their ``stat`` a fifth of that. A state is
    kept only once every file has settled (:data:`SETTLED_SECONDS`: an edit within the same timestamp keeps it)."""
    package = os.path.dirname(os.path.abspath(__file__))
    files = package_files(package)
    state, settled = package_state(package, files)
    disk = _scope().disk
    known = disk.get(FINGERPRINTS, state) if disk is not None else None
    if known is not None and is_hex(known.decode("ascii", "replace"), 64):
        return known.decode("ascii")
    fingerprint = hashed_package(package, files)
    if disk is not None and settled:
        disk.put(FINGERPRINTS, state, fingerprint.encode("ascii"))
    return fingerprint


def hashed_package(package: str, files: list[tuple[tuple[str, ...], os.stat_result]]) -> str:
    """Every file's name and bytes (``os.walk`` and plain reads: half the CPU of ``Path.rglob`` and buffered
    files)."""
    hasher = hashlib.sha256(__version__.encode())
    for relative, _ in files:
        found = read_entry(os.path.join(package, *relative))
        if found is None:
            raise OSError(f"cannot read {'/'.join(relative)} of the courseforge package")
        data, name = found[0], "/".join(relative).encode()
        hasher.update(b"%d:%s%d:" % (len(name), name, len(data)) + data)
    return hasher.hexdigest()


def package_state(package: str, files: list[tuple[tuple[str, ...], os.stat_result]]) -> tuple[str, bool]:
    """The digest of where the package is and each file's name, device, inode, size, change and modification
    times (a checkout, an install or an edit changes one of them), and whether every file had settled."""
    now = time.time()
    rows = tuple(("/".join(relative), status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns,
                  status.st_ctime_ns) for relative, status in files)
    settled = all(now - max(status.st_mtime, status.st_ctime) > SETTLED_SECONDS for _, status in files)
    return digest(__version__, package, repr(rows)), settled  # one string: names and numbers, nothing to escape


def package_files(package: str) -> list[tuple[tuple[str, ...], os.stat_result]]:
    """The package's files but compiled bytecode, as path parts relative to it with their ``stat``, in path
    order."""
    found: list[tuple[tuple[str, ...], os.stat_result]] = []
    pending: list[tuple[str, tuple[str, ...]]] = [(package, ())]
    while pending:
        folder, parts = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):  # a linked folder is not entered (nor hashed)
                    if entry.name != "__pycache__":
                        pending.append((entry.path, (*parts, entry.name)))
                    continue
                try:
                    status = entry.stat()
                except OSError:
                    continue
                if stat.S_ISREG(status.st_mode):
                    found.append(((*parts, entry.name), status))
    return sorted(found, key=lambda row: row[0])


IN_PROCESS_CODE = "the code of this process"
"""What stands for the code in the keys of a scope with no disk store: its entries stay in memory, in this process
and the workers it forks, which run the same code (``lint`` before any build and ``build --no-cache`` then never
walk, read and hash the package's files: some 6 ms of CPU, and the reads, of a one-off lint)."""


def entry_key(namespace: str, key: KeyPart) -> str:
    """The digest an entry is stored under: the key, its namespace and the code that computed it."""
    return digest(code_fingerprint() if _scope().code_keys else IN_PROCESS_CODE, namespace, key)


class Store(Protocol):
    """Where cached values live, addressed by namespace and key digest."""

    def get(self, namespace: str, key: str) -> bytes | None: ...

    def put(self, namespace: str, key: str, value: bytes) -> None: ...


class MemoryStore:
    """An in-process LRU bounded by the bytes it holds (a build's, watch mode's). A value over ``max_value_bytes``
    (by default the :data:`LARGEST_VALUE_SHARE` of the bound) is not kept: a miss only costs recomputing it, or
    reading it from the disk store."""

    def __init__(self, max_bytes: int = 256 * 2**20, max_value_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_value_bytes = max_bytes // LARGEST_VALUE_SHARE if max_value_bytes is None else max_value_bytes
        self._entries: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._size = 0
        self._lock = Lock()

    def get(self, namespace: str, key: str) -> bytes | None:
        with self._lock:
            value = self._entries.get((namespace, key))
            if value is not None:
                self._entries.move_to_end((namespace, key))
            return value

    def put(self, namespace: str, key: str, value: bytes) -> None:
        if len(value) > min(self.max_value_bytes, self.max_bytes):
            return
        with self._lock:
            old = self._entries.pop((namespace, key), None)
            self._size += len(value) - (len(old) if old is not None else 0)
            self._entries[(namespace, key)] = value
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted)


class DiskStore:
    """Files ``root/<namespace>/<digest>``, written whole or not at all (temp file, then rename), so
    concurrent processes and parallel CI jobs sharing a restored folder never see half an entry; values under
    ``pack_below`` bytes are appended to this process's pack instead (``cache_pack``: no file created per entry).

    ``read_only``: look up, never write (not even a hit's access time): ``lint``. ``pending``: write new entries
    there instead, looked up too, until :meth:`publish` moves them under ``root`` (a build whose cache folder
    lives in an output folder that does not exist yet must not create it unless it succeeds).
    """

    def __init__(self, root: Path, *, read_only: bool = False, pending: Path | None = None,
                 pack_below: int = PACK_BELOW_BYTES) -> None:
        self.root = root
        self.read_only = read_only
        self.pending = pending
        self.pack_below = pack_below
        self._packs: PackIndex | None = None
        self._writer: PackWriter | None = None
        self.written = 0
        """Bytes this store wrote: a build that wrote nothing need not :func:`prune`."""
        self.fresh_blobs: set[str] = set()
        """The paths of blobs this store wrote and flushed, named by the sha256 of the very bytes written: linked
        into the build's outputs without reading them back to hash them again."""

    def places(self) -> tuple[Path, ...]:
        return (self.root,) if self.pending is None else (self.root, self.pending)

    def path(self, namespace: str, key: str, base: Path | None = None) -> Path:
        return (base or self.root) / namespace / key

    def entry_name(self, namespace: str, key: str, base: Path) -> str:
        """:meth:`path` as a string, for a lookup (a rebuild makes hundreds: joining Paths would cost 3 ms)."""
        return f"{base}{os.sep}{namespace}{os.sep}{key}"

    def packs(self) -> PackIndex:
        """What the packs of every place hold (read on the first lookup)."""
        if self._packs is None:
            self._packs = PackIndex(tuple(f"{base}{os.sep}{PACKS}" for base in self.places()))
        return self._packs

    def namespaces(self) -> Counter[str]:
        """How many entries each namespace holds in the cache folder, in files of their own or packed (blobs
        under :data:`BLOBS`): what builds kept, whatever the layout."""
        files = Counter(os.path.relpath(path, self.root).split(os.sep)[0] for path in entry_files(self.root)
                        if not os.path.basename(path).startswith(TEMPORARY_PREFIX))
        return files + Counter(PackIndex((f"{self.root}{os.sep}{PACKS}",)).namespaces())

    def refresh(self) -> None:
        """See the entries other processes have packed since this store last looked (a forked worker, before a
        task that may reuse another worker's work)."""
        if self._packs is not None and self._packs.loaded:
            self._packs.refresh()

    def get(self, namespace: str, key: str) -> bytes | None:
        packs = self.packs()
        for location in packs.get(namespace, key):
            value = read_packed(namespace, key, location)
            if value is not None:
                self._touch_pack(packs, location)
                return value
        for base in self.places():
            path = self.entry_name(namespace, key, base)
            found = read_entry(path)
            if found is None:
                continue
            data, used = found
            checksum, value = data[:CHECKSUM_BYTES], data[CHECKSUM_BYTES:]
            if hashlib.sha256(value).digest() == checksum:
                self._touch(path, used)
                return value
        return None

    def put(self, namespace: str, key: str, value: bytes) -> None:
        if len(value) < self.pack_below and packable(namespace, key):
            self._append(namespace, key, value)
        else:
            self._write(namespace, key, (hashlib.sha256(value).digest(), value), 0o600)

    def _append(self, namespace: str, key: str, value: bytes) -> None:
        """Into this process's pack (a forked worker starts its own); a pack that cannot be written is given up
        (the next entry starts another), like an entry file that cannot be: a cache only costs speed."""
        if self.read_only:
            return
        packs = self.packs()
        with packs.lock:
            try:
                if self._writer is None or self._writer.pid != os.getpid():
                    self._writer = PackWriter(f"{self.pending or self.root}{os.sep}{PACKS}")
                location, written = self._writer.append(namespace, key, value)
            except OSError:
                self._writer = None
                return
            packs.add(namespace, key, location, self._writer, time.time())
            self.written += written

    def put_blob(self, data: bytes, sha: str | None = None) -> str:
        """Keep ``data`` as a blob; returns its sha256 (``sha``: the caller's, of these very bytes, so a package's
        2 MB are not hashed twice). Written anew even when a file of that name exists: it may be the damaged copy
        that made this a miss. Flushed to disk before it is named, since a build may link it into its outputs,
        which must survive a crash once swapped in."""
        sha = hashlib.sha256(data).hexdigest() if sha is None else sha
        written = self._write(BLOBS, sha, (data,), BLOB_MODE, durable=True)
        if written is not None:
            self.fresh_blobs.add(written)
        return sha

    def read_blob(self, sha: str) -> bytes | None:
        """The bytes of blob ``sha``, or None when it is missing or no longer hashes to its name."""
        for base in self.places():
            path = self.entry_name(BLOBS, sha, base)
            found = read_entry(path)
            if found is not None and hashlib.sha256(found[0]).hexdigest() == sha:
                self._touch(path, found[1])
                return found[0]
        return None

    def blob_into(self, sha: str, target: Path) -> bool:
        """Put blob ``sha`` at ``target`` (a hard link, else a copy) if its bytes still hash to its name; False
        (nothing at ``target``) otherwise. The blob is never read into memory whole."""
        for base in self.places():
            source = self.path(BLOBS, sha, base)
            if str(source) not in self.fresh_blobs and file_sha256(source) != sha:
                continue
            try:
                os.link(source, target)
            except FileExistsError:
                raise
            except OSError:
                if not copy_checked(source, target, sha):
                    continue
            self._touch(source)
            return True
        return False

    def publish(self) -> None:
        """Move what was written to ``pending`` under ``root`` (an entry already there is left: same key, same
        value), then remove ``pending``."""
        if self.pending is None or self.read_only:
            return
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self._packs = None  # the packs move: looked up again under root
        with suppress(OSError):
            self.root.mkdir(parents=True, exist_ok=True)
            merge_folder(self.pending, self.root)
        shutil.rmtree(self.pending, ignore_errors=True)
        self.pending = None

    def _write(self, namespace: str, key: str, chunks: tuple[bytes, ...], mode: int,
               durable: bool = False) -> str | None:
        """The entry's path once written, None when it could not be (or the store is read-only)."""
        if self.read_only:
            return None
        target = self.entry_name(namespace, key, self.pending or self.root)
        temporary = None
        try:
            descriptor, temporary = create_temporary(os.path.dirname(target))
            try:
                written = write_chunks(descriptor, chunks)
                if mode & ~TEMPORARY_MODE:  # created as TEMPORARY_MODE less the umask: a blob's wider mode is set
                    os.fchmod(descriptor, mode)
                if durable:
                    os.fsync(descriptor)
            finally:
                os.close(descriptor)
            os.replace(temporary, target)
            self.written += written
        except OSError:
            if temporary is not None:
                with suppress(OSError):
                    os.unlink(temporary)
            return None  # a cache that cannot be written (full disk, read-only mount) only costs speed
        return target

    def _touch_pack(self, packs: PackIndex, location: Location) -> None:
        """A hit renews its pack's time of use (its index's), as :meth:`_touch` an entry file's."""
        index = packs.index_of(location)
        known = packs.files.get(index)
        if known is not None and not self.read_only and time.time() - known.used > TOUCH_AFTER_SECONDS:
            known.used = time.time()
            with suppress(OSError):
                os.utime(index)

    def _touch(self, path: str | Path, used: float | None = None) -> None:
        """A hit is recent use: :func:`prune` removes the least recently used entries first. ``used``: the entry's
        time of use as read with it (renewed only past :data:`TOUCH_AFTER_SECONDS`)."""
        if not self.read_only and (used is None or time.time() - used > TOUCH_AFTER_SECONDS):
            with suppress(OSError):
                os.utime(path)


def read_entry(path: str | Path) -> tuple[bytes, float] | None:
    """A file's bytes and modification time, or None when it cannot be read: one descriptor, one ``fstat``, plain
    reads (no buffered file object, which would also ask whether the file is a terminal)."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        size = status.st_size + 1
        chunks = [os.read(descriptor, size)]
        while len(chunks[-1]) == size:  # a short read is the end (an entry is renamed into place whole)
            size = COPY_CHUNK
            chunks.append(os.read(descriptor, size))
    except OSError:
        return None
    finally:
        os.close(descriptor)
    return b"".join(chunks), status.st_mtime


TEMPORARY_MODE = 0o600
"""The mode an entry's temporary file is created with (less the umask): only its owner reads a cache entry."""
TEMPORARY_ATTEMPTS = 100
_temporaries = [0]
"""A counter naming this process's temporary files (a name two threads take at once is refused by ``O_EXCL``)."""


def create_temporary(folder: str) -> tuple[int, str]:
    """A new temporary file in ``folder``, created with its parents when missing: one ``open`` in the common case,
    where ``tempfile.mkstemp`` and ``Path.mkdir(exist_ok=True)`` cost a cold build's thousand entries three system
    calls and two Python exceptions each. Named by process id and counter (``O_EXCL``: a name a killed writer
    left, or another thread took, is skipped)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    for _ in range(TEMPORARY_ATTEMPTS):
        _temporaries[0] += 1
        name = f"{folder}{os.sep}{TEMPORARY_PREFIX}{os.getpid()}-{_temporaries[0]}"
        try:
            return os.open(name, flags, TEMPORARY_MODE), name
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {folder}")


def write_chunks(descriptor: int, chunks: tuple[bytes, ...]) -> int:
    """Write ``chunks`` (an entry's checksum and value) in one ``writev``, finishing a short write; their size."""
    total = sum(map(len, chunks))
    done = os.writev(descriptor, chunks)
    if done < total:
        rest = memoryview(b"".join(chunks))[done:]
        while rest:
            rest = rest[os.write(descriptor, rest):]
    return total


def merge_folder(source: Path, target: Path) -> None:
    """Move ``source``'s entries into ``target``: a folder ``target`` lacks in one rename, else entry by entry,
    replacing what is there (it may be the damaged entry that made this build compute the value again)."""
    with os.scandir(source) as entries:
        for entry in entries:
            destination = target / entry.name
            if entry.name.startswith(TEMPORARY_PREFIX):
                continue
            if entry.is_dir(follow_symlinks=False):
                if destination.is_dir() and not destination.is_symlink():
                    merge_folder(Path(entry.path), destination)
                elif not os.path.lexists(destination):
                    os.rename(entry.path, destination)
            else:
                os.replace(entry.path, destination)


def file_sha256(path: Path) -> str | None:
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return None


def copy_checked(source: Path, target: Path, sha: str) -> bool:
    """Copy ``source`` to ``target`` in chunks, keeping the copy only if what was copied hashes to ``sha``."""
    hasher = hashlib.sha256()
    try:
        with source.open("rb") as reader, target.open("xb") as writer:
            while chunk := reader.read(COPY_CHUNK):
                hasher.update(chunk)
                writer.write(chunk)
            os.fchmod(writer.fileno(), BLOB_MODE)
    except FileExistsError:
        raise
    except OSError:
        target.unlink(missing_ok=True)
        return False
    if hasher.hexdigest() != sha:
        target.unlink(missing_ok=True)
        return False
    return True


@dataclass(frozen=True)
class Pruned:
    files: int
    bytes: int
    kept_bytes: int


def prune(root: Path, max_bytes: int, now: float | None = None) -> Pruned:
    """Bound a disk cache folder: past ``max_bytes``, remove the least recently used entries (by the time a
    write or a hit last touched them; a pack is one entry) until it holds :data:`PRUNE_TO` of the limit;
    temporary files a killed writer left are removed too. Safe while other processes use the folder: a removed
    entry is a miss."""
    now = time.time() if now is None else now
    units: list[tuple[float, int, tuple[str, ...]]] = []
    removed_files = removed_bytes = 0
    for unit in cache_units(root):
        statuses = unit_statuses(unit)
        if not statuses:
            continue
        used, size = max(status.st_mtime for status in statuses), sum(status.st_size for status in statuses)
        if os.path.basename(unit[0]).startswith(TEMPORARY_PREFIX):
            if now - used > STALE_TEMPORARY_SECONDS and remove_unit(unit):
                removed_files, removed_bytes = removed_files + 1, removed_bytes + size
            continue
        units.append((used, size, unit))
    total = sum(size for _, size, _ in units)
    if total > max_bytes:
        for _, size, unit in sorted(units):
            if total <= max_bytes * PRUNE_TO:
                break
            if remove_unit(unit):
                total -= size
                removed_files, removed_bytes = removed_files + len(unit), removed_bytes + size
    return Pruned(removed_files, removed_bytes, total)


def unit_statuses(unit: tuple[str, ...]) -> list[os.stat_result]:
    found = []
    for path in unit:
        with suppress(OSError):
            found.append(os.stat(path, follow_symlinks=False))
    return found


def remove_unit(unit: tuple[str, ...]) -> bool:
    """Remove an entry's files in order (a pack's index before the pack); whether the first went."""
    removed = False
    for number, path in enumerate(unit):
        try:
            os.unlink(path)
        except OSError:
            continue
        removed = removed or number == 0
    return removed


def cache_units(root: Path) -> Iterator[tuple[str, ...]]:
    """What :func:`prune` removes whole: each entry file (and temporary file), and each pack with its index."""
    for path in entry_files(root):
        yield (path,)
    yield from pack_units(f"{root}{os.sep}{PACKS}")


SIZE_NAME = "size.json"
"""Beside a cache folder's entries: the bytes it held when last walked, plus what builds wrote since."""
WALK_EVERY = 64
"""Builds between two walks of the folder even while it seems under its limit (the tally is an estimate: two
builds finishing at once may each miss the other's bytes)."""


def read_size(root: Path) -> tuple[int, int] | None:
    """The tally (bytes, builds since the last walk), or None when there is none to trust."""
    try:
        found = json.loads((root / SIZE_NAME).read_bytes())
        size, builds = found["bytes"], found["builds"]
    except (OSError, *DECODE_ERRORS):
        return None
    if not all(isinstance(value, int) and not isinstance(value, bool) and value >= 0 for value in (size, builds)):
        return None
    return size, builds


def write_size(root: Path, size: int, builds: int) -> None:
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=root, prefix=TEMPORARY_PREFIX)
        with os.fdopen(handle, "wb") as file:
            file.write(_encode_json({"bytes": size, "builds": builds}))
        os.replace(temporary, root / SIZE_NAME)
    except OSError:
        if temporary is not None:
            with suppress(OSError):
                os.unlink(temporary)


def bound(root: Path, max_bytes: int, written: int) -> Pruned | None:
    """:func:`prune` ``root`` after a build wrote ``written`` bytes into it, but only when it may be over its
    limit (or has not been walked for :data:`WALK_EVERY` builds): walking a big cache folder (a ``stat`` per
    entry) would cost a one-page rebuild more than its build. None when it was not walked. Too many packs are
    merged first (``cache_pack.merge_packs``: a listing of the packs folder when they are not). Entries written
    again under the same name, or removed by hand, make the tally high: a walk comes sooner, never later."""
    merge_packs(f"{root}{os.sep}{PACKS}", time.time())
    tally = read_size(root)
    if tally is not None and tally[0] + written <= max_bytes and tally[1] + 1 < WALK_EVERY:
        write_size(root, tally[0] + written, tally[1] + 1)
        return None
    pruned = prune(root, max_bytes)
    write_size(root, pruned.kept_bytes, 0)
    return pruned


def entry_files(root: Path) -> Iterator[str]:
    """The files of a cache folder laid out as the disk store lays them out, ``<namespace>/<name>`` with a sha256
    or temporary name, and those of the former layout's ``<namespace>/<2 hex>/<name>`` (one folder an entry's
    first two hex digits: a cold build made some 800 of them, ``mkdir`` being a fifth of what writing its cache
    cost), so a restored old folder is still bounded; nothing else (a folder named by mistake loses none of its
    other files)."""
    for namespace in scandir_folders(str(root)):
        yield from named_files(namespace.path, "")
        for bucket in scandir_folders(namespace.path):
            if is_hex(bucket.name, 2):
                yield from named_files(bucket.path, bucket.name)


def named_files(folder: str, prefix: str) -> Iterator[str]:
    """The files in ``folder`` named as entries (a sha256 starting with ``prefix``) or temporary files."""
    with suppress(OSError), os.scandir(folder) as files:
        for file in files:
            named = is_hex(file.name, 64) and file.name.startswith(prefix)
            if file.is_file(follow_symlinks=False) and (named or file.name.startswith(TEMPORARY_PREFIX)):
                yield file.path


def scandir_folders(path: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(path) as entries:
            return [entry for entry in entries if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def is_hex(name: str, length: int) -> bool:
    return len(name) == length and all(character in "0123456789abcdef" for character in name)


class LayeredStore:
    """A fast store in front of a slower one: hits from below are kept above."""

    def __init__(self, front: Store, back: Store) -> None:
        self.front, self.back = front, back

    def get(self, namespace: str, key: str) -> bytes | None:
        value = self.front.get(namespace, key)
        if value is None:
            value = self.back.get(namespace, key)
            if value is not None:
                self.front.put(namespace, key, value)
        return value

    def put(self, namespace: str, key: str, value: bytes) -> None:
        self.front.put(namespace, key, value)
        self.back.put(namespace, key, value)


@dataclass(frozen=True)
class Scope:
    store: Store | None
    disk: DiskStore | None
    lasting: bool = True
    """The store outlives the build (watch mode, the benchmark's in-process rebuild): work kept only for a later
    build of the same process (``object_memo``) can pay off."""
    code_keys: bool = False
    """Keys carry :func:`code_fingerprint`: this scope or one it is inside has a disk store (an inner scope's
    entries may be handed to the outer one, so it keys them the same way)."""


NO_SCOPE = Scope(None, None)
_active: ContextVar[Scope | None] = ContextVar("courseforge_cache_scope", default=None)


def _scope() -> Scope:
    return _active.get() or NO_SCOPE


@contextmanager
def cache_scope(store: Store | None, *, disk: DiskStore | None = None, lasting: bool | None = None) -> Iterator[None]:
    """Make ``store`` the one :func:`memoized` uses in this context (None: compute everything), and ``disk`` the
    disk store whole results (packages) are kept in as blobs (None: they are not kept). ``lasting``: whether the
    store outlives the build (see :func:`scope_lasts`); None keeps what the enclosing scope said (a scope of its
    own is lasting), so a build's inner scopes (a parallel task's) stay one-build."""
    outer = _active.get()
    lasts = lasting if lasting is not None else (outer.lasting if outer is not None else True)
    code_keys = disk is not None or (outer is not None and outer.code_keys)
    token = _active.set(Scope(store, disk, lasts, code_keys))
    try:
        yield
    finally:
        _active.reset(token)


@contextmanager
def ensure_store(max_bytes: int) -> Iterator[None]:
    """The active scope when there is one, else an in-process :class:`MemoryStore` for the duration: a build is
    always cached at least in memory (for this build only)."""
    if active_store() is not None:
        yield
        return
    with cache_scope(MemoryStore(max_bytes), disk=active_disk(), lasting=False):
        yield


def active_store() -> Store | None:
    return _scope().store


def scope_lasts() -> bool:
    """False inside the scope of a one-off command (``build``, ``lint``): its store goes with the build, so work
    kept only for a later build of the same process (``object_memo``) never pays, and what only sets it up can be
    skipped. True otherwise (watch mode's or the benchmark's long-lived store; no store at all)."""
    return _scope().lasting


def active_disk() -> DiskStore | None:
    return _scope().disk


class _Miss:
    pass


MISS = _Miss()


def _decoded(store: Store, namespace: str, key_digest: str, codec: Codec[T]) -> T | _Miss:
    cached = store.get(namespace, key_digest)
    if cached is None:
        return MISS
    try:
        return codec.decode(cached)
    except DECODE_ERRORS:
        return MISS


def lookup(namespace: str, key: KeyPart, codec: Codec[T]) -> T | None:
    """The value an earlier :func:`remember` (or :func:`memoized`) kept under ``key``, else None."""
    store = active_store()
    if store is None:
        return None
    value = _decoded(store, namespace, entry_key(namespace, key), codec)
    return None if isinstance(value, _Miss) else value


def remember(namespace: str, key: KeyPart, value: T, codec: Codec[T]) -> None:
    store = active_store()
    if store is not None:
        store.put(namespace, entry_key(namespace, key), codec.encode(value))


def memoized(namespace: str, key: KeyPart, compute: Callable[[], T], codec: Codec[T]) -> T:
    """``compute()``, or the value cached under ``key`` in ``namespace`` by an earlier identical call.

    ``key`` must hold every input that can change the result (with a version constant the caller bumps when
    the computation changes); courseforge's own code (:func:`code_fingerprint`) is added here.
    """
    store = active_store()
    if store is None:
        return compute()
    key_digest = entry_key(namespace, key)
    cached = _decoded(store, namespace, key_digest, codec)
    if not isinstance(cached, _Miss):
        return cached
    value = compute()
    _computed[0] += 1
    store.put(namespace, key_digest, codec.encode(value))
    return value


_computed = [0]


def computed_values() -> int:
    """How many values :func:`memoized` has computed in this process (misses): a caller can tell whether work
    it could spread over processes was in the cache already (a rebuild's)."""
    return _computed[0]
