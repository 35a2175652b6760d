"""One review LMS: its storage paths, its database and package store, its packages and its launches.

``ReviewLms`` is what the app, the ``serve`` command and in-process callers (a watcher publishing fresh
builds: :meth:`ReviewLms.library` ``.publish_bytes``) share. It is built once the server's address is
known, since the LMS sides hand absolute URLs to content (the xAPI endpoint, cmi5's fetch URL).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from courseforge.lms.review.database import ReviewDatabase, Role
from courseforge.lms.review.launching import ReviewLaunches
from courseforge.lms.review.package_store import PackageStore
from courseforge.lms.review.publishing import PackageLibrary
from courseforge.stages.preview.harness.runtime import LmsRuntime

MIB = 1024 * 1024
DEFAULT_MAX_UPLOAD_MB = 512
ADMIN = "admin"
TOKEN_FILE = "admin.token"


@dataclass(frozen=True)
class ReviewPaths:
    database: Path
    packages: Path
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * MIB

    @property
    def admin_token_file(self) -> Path:
        """Where the first start writes the admin's token (mode 0600, beside the database)."""
        return self.database.parent / TOKEN_FILE

    @classmethod
    def under(cls, folder: Path, max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * MIB) -> ReviewPaths:
        """The default layout: ``<folder>/review.sqlite`` and ``<folder>/packages``."""
        return cls(folder / "review.sqlite", folder / "packages", max_upload_bytes)


def open_database(paths: ReviewPaths) -> ReviewDatabase:
    paths.database.parent.mkdir(parents=True, exist_ok=True)
    return ReviewDatabase(paths.database)


def ensure_admin(database: ReviewDatabase, token_file: Path) -> bool:
    """On a first start (no users): an admin named "admin" whose token is written to ``token_file``, readable
    by its owner only. True when it was created."""
    if database.user_count():
        return False
    _, token = database.add_user(ADMIN, Role.ADMIN)
    fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(token + "\n")
    os.chmod(token_file, 0o600)
    return True


class ReviewLms:
    def __init__(self, paths: ReviewPaths, base_url: str, runtime: LmsRuntime) -> None:
        self.paths = paths
        self.base_url = base_url
        self.database = open_database(paths)
        self.store = PackageStore(paths.packages)
        self.library = PackageLibrary(self.database, self.store)
        self.launches = ReviewLaunches(self.database, self.store, runtime, base_url, self.return_url)

    def return_url(self, launch_id: str) -> str:
        """Where a content that ends goes back to: its version's page (the catalog when unknown)."""
        row = self.database.launch(launch_id)
        return f"{self.base_url}/versions/{row.package}" if row is not None else f"{self.base_url}/"

    def close(self) -> None:
        self.launches.close()
        self.database.close()
