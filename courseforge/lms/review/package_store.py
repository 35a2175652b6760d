"""The review LMS's package store: each zip kept once under its sha256, extracted once for serving.

Layout under the store folder::

    zips/<sha256>.zip             the package as uploaded
    www/packages/<sha256>/...     its files, served at /packages/<sha256>/ (the harness app's static root is www/)
    tmp/                          uploads being received, extractions being written (same file system: renames
                                  are atomic)
    sides/<format>/               each standard's LMS side's work folder (their LRS is in the review database)

A file appears under its final name only by a rename of a complete, fsynced file or folder, so a crash
or a failed upload leaves at most something in tmp/, which the next start clears.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from courseforge.lms.package_files import extract_all

PACKAGES_URL = "/packages/"


class PackageStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.zips = root / "zips"
        self.www = root / "www"
        self.extracted = self.www / "packages"
        self.tmp = root / "tmp"
        self.sides = root / "sides"
        for folder in (self.zips, self.extracted, self.sides):
            folder.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.tmp, ignore_errors=True)  # what an interrupted upload left
        self.tmp.mkdir()

    def new_upload(self) -> tuple[int, Path]:
        """An open file descriptor and path for an upload being received."""
        fd, name = tempfile.mkstemp(prefix="upload-", suffix=".zip", dir=self.tmp)
        return fd, Path(name)

    def zip_path(self, sha256: str) -> Path:
        return self.zips / f"{sha256}.zip"

    def folder(self, sha256: str) -> Path:
        return self.extracted / sha256

    def url_path(self, sha256: str) -> str:
        return f"{PACKAGES_URL}{sha256}/"

    def keep(self, upload: Path, sha256: str) -> None:
        """Move a complete, verified upload in under its sha256 and extract it (both by rename)."""
        if not self.folder(sha256).is_dir():
            staging = Path(tempfile.mkdtemp(prefix="extract-", dir=self.tmp))
            with zipfile.ZipFile(upload) as archive:
                extract_all(archive, staging)
            try:
                staging.rename(self.folder(sha256))
            except OSError:  # another upload of the same bytes got there first
                shutil.rmtree(staging, ignore_errors=True)
        os.replace(upload, self.zip_path(sha256))
        _fsync_folder(self.zips)

    def remove(self, sha256: str) -> None:
        self.zip_path(sha256).unlink(missing_ok=True)
        folder = self.folder(sha256)
        if folder.is_dir():
            doomed = Path(tempfile.mkdtemp(prefix="removed-", dir=self.tmp))
            folder.rename(doomed / sha256)  # gone from the served tree at once, deleted after
            shutil.rmtree(doomed, ignore_errors=True)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
