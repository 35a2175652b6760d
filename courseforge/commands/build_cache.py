"""Where ``build`` and ``lint`` keep the build cache, and the cache scope a build runs in.

The folder, first found: ``--no-cache`` (none), ``--cache-dir PATH``, ``$COURSEFORGE_CACHE_DIR`` (a CI job points
it at the folder its cache step saves and restores), courseforge.yaml's ``build.cache_dir``, else
``<output folder>/.cache``. ``build`` writes it, ``lint`` only reads it. After a build that wrote to it, the
least recently used entries beyond ``build.cache_max_mb`` are removed (``cache.bound``: only when the folder
may be over it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from courseforge.cache import (
    BUILD_MEMORY_BYTES,
    BUILD_MEMORY_OVER_DISK_BYTES,
    DiskStore,
    LayeredStore,
    MemoryStore,
    Pruned,
    bound,
    cache_scope,
)
from courseforge.commands.outputs import CACHE_DIR
from courseforge.project import Project

CACHE_ENV = "COURSEFORGE_CACHE_DIR"
PENDING = "cache"
"""The spool's sub-folder where a build's new entries wait until it has succeeded."""
TAG_NAME = "CACHEDIR.TAG"
TAG = (b"Signature: 8a477f597d28d172789f06886806bc55\n"
       b"# This file is a cache directory tag created by courseforge (https://bford.info/cachedir/).\n")
"""Backup tools that follow the Cache Directory Tagging convention skip a folder holding this file."""
LASTING_MEMORY: ContextVar[MemoryStore | None] = ContextVar("courseforge_lasting_memory", default=None)
"""The memory store of a process that outlives its builds (the build server sets it), else None. A build then
keeps its in-memory entries there, in front of its disk store, in a lasting scope (``cache.scope_lasts``), so
the next build of the process finds them, and the work kept as objects beside them (``object_memo``)."""


def cache_folder(project: Project, out: Path, option: Path | None, disabled: bool) -> Path | None:
    """The cache folder a build uses (None: no disk cache)."""
    if disabled:
        return None
    if option is not None:
        return option.resolve()
    environment = os.environ.get(CACHE_ENV, "").strip()
    if environment:
        return Path(environment).resolve()
    configured = project.config.build.cache_dir
    return project.root / configured if configured is not None else out / CACHE_DIR


@dataclass
class BuildCache:
    """The disk store of one build, if any, and what to do with it once the build is over."""

    disk: DiskStore | None
    max_bytes: int

    def finish(self, succeeded: bool) -> Pruned | None:
        """Entries the build kept aside join the cache folder if it succeeded; then the folder is tagged and
        bounded."""
        disk = self.disk
        if disk is None or disk.read_only:
            return None
        if succeeded:
            disk.publish()
        if disk.pending is not None or not disk.written:
            return None
        tag = disk.root / TAG_NAME
        if not tag.exists():
            with suppress(OSError):
                tag.write_bytes(TAG)
        return bound(disk.root, self.max_bytes, disk.written)


@contextmanager
def build_cache(project: Project, folder: Path | None, *, read_only: bool = False, out: Path | None = None,
                spool: Path | None = None) -> Iterator[BuildCache]:
    """A cache scope for a build: an in-process store over the disk folder (when there is one). When the folder
    lies in the output folder ``out`` (or in a folder that does not exist yet), the build's new entries wait in
    ``spool`` until :meth:`BuildCache.finish` and join the cache only if the build succeeded: a failed build
    writes nothing into the output folder, and creates nothing."""
    max_bytes = project.config.build.cache_max_mb * 1_000_000
    lasting = LASTING_MEMORY.get()
    if folder is None or (read_only and not folder.is_dir()):  # nothing on disk to read, nothing to write there
        memory = MemoryStore(BUILD_MEMORY_BYTES) if lasting is None else lasting
        with cache_scope(memory, lasting=lasting is not None):
            yield BuildCache(None, max_bytes)
        return
    waits = spool is not None and (out is None or folder.is_relative_to(out) or not folder.parent.exists())
    pending = spool / PENDING if spool is not None and waits else None
    unwritable = folder.exists() and not os.access(folder, os.W_OK | os.X_OK)  # a restored, read-only cache
    disk = DiskStore(folder, read_only=read_only or unwritable, pending=pending)
    memory = build_memory(disk) if lasting is None else lasting
    with cache_scope(LayeredStore(memory, disk), disk=disk, lasting=lasting is not None):
        yield BuildCache(disk, max_bytes)


def build_memory(disk: DiskStore) -> MemoryStore:
    """Small in front of a disk store the build writes to (what it evicts is read back from there); a read-only
    disk store keeps nothing new, so the memory store is then all that saves recomputing."""
    return MemoryStore(BUILD_MEMORY_BYTES if disk.read_only else BUILD_MEMORY_OVER_DISK_BYTES)
