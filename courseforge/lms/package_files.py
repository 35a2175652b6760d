"""Writing a package's files to disk for an LMS to serve (the preview harness and the review LMS)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path, PurePosixPath


def extract_inside(archive: zipfile.ZipFile, info: zipfile.ZipInfo, folder: Path) -> None:
    """Write one entry below ``folder``; names that would leave it (absolute, ``..``) are skipped."""
    parts = PurePosixPath(info.filename.replace("\\", "/")).parts
    if not parts or info.is_dir() or parts[0] == "/" or ".." in parts or ":" in parts[0]:
        return
    target = folder.joinpath(*parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(info) as source, target.open("wb") as out:
        shutil.copyfileobj(source, out)


def extract_all(archive: zipfile.ZipFile, folder: Path) -> None:
    """Every entry of ``archive`` below ``folder`` (see :func:`extract_inside`)."""
    for info in archive.infolist():
        extract_inside(archive, info, folder)
