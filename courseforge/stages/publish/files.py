"""Local files a publisher writes (a folder target's manifests, a downloaded dispatch zip): complete or absent."""

from __future__ import annotations

import os
from pathlib import Path

PARTIAL = ".partial"
"""The suffix of a file being written; renamed over the final name once complete."""


def replace_file(path: Path, data: bytes) -> None:
    """``data`` at ``path`` in one step: written and synced under a temporary name, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + PARTIAL)
    try:
        with partial.open("wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
