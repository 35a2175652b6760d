"""What courseforge derives from its own package files, kept beside its own bytecode: made once per install
instead of by every build and lint process (the built-in theme's compiled templates, the player strings its
templates hold).

Where it is kept decides who can change what a build does with it. Not in the build's cache folder: CI saves and
restores that between runs (a pull request's job can write it). Beside courseforge's own ``.pyc`` files: whoever
can write that folder can already replace the code Python imports for courseforge itself, so keeping derived data
there trusts no one new. Nothing is written when Python writes no bytecode (``PYTHONDONTWRITEBYTECODE``) or the
folder is read-only: the data is then derived again, as before. A file is named by everything its content depends
on (the caller's key), so a changed source or library makes a new name rather than a stale read.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def code_folder() -> Path | None:
    """Python's own bytecode folder for courseforge's top package (``__pycache__``, or under
    ``sys.pycache_prefix``); None when Python keeps no bytecode for it (a zip import, a frozen build)."""
    cached = __spec__.cached if __spec__ is not None else None
    return Path(cached).parent if cached else None


def read_kept(path: Path | None) -> bytes | None:
    """The bytes kept at ``path``, or None when there are none (or they cannot be read)."""
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def keep(path: Path | None, data: bytes) -> None:
    """Keep ``data`` at ``path`` whole (a concurrent reader sees all of it or nothing), unless Python writes no
    bytecode; a folder that cannot be written only means the data is derived again next time."""
    if path is None or sys.dont_write_bytecode:
        return
    partial = path.with_name(f"{path.name}.{os.getpid()}-{id(data)}.tmp")  # one writer a name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)
