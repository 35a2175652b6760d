"""Taking a package into the review LMS: verify it, keep it by its sha256, make it the next version.

The order makes an upload atomic: the zip is complete and fsynced in the store's tmp/ before anything
else; it is verified (``courseforge check``'s verify stage, so a vendor package is judged as ``check``
judges it); then it is renamed in and extracted (renames), and only then is its row inserted, in one
transaction. A failure at any step removes the upload and leaves no row.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from courseforge.lms.review.database import ReviewDatabase, StoredPackage
from courseforge.lms.review.facts import UnreadableFacts, read_facts
from courseforge.lms.review.package_store import PackageStore
from courseforge.model.report import VerificationReport
from courseforge.stages.verify import verify_package


@dataclass(frozen=True)
class Published:
    package: StoredPackage
    created: bool
    """False when the LMS already had these bytes (nothing was stored again)."""


class PackageRejected(Exception):
    """The package failed verification: the verifier's diagnostics say why."""

    def __init__(self, message: str, diagnostics: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics = diagnostics


class PackageLibrary:
    """The packages of one review LMS: its database's rows and its store's files, kept in step."""

    def __init__(self, database: ReviewDatabase, store: PackageStore) -> None:
        self.database = database
        self.store = store

    def publish_bytes(self, data: bytes, publisher: str, name: str = "package.zip",
                      verified: VerificationReport | None = None) -> Published:
        """Publish zip bytes held in memory (a watcher's fresh build, a test); bytes the LMS has are not written.
        ``verified``: what :func:`verify_package` found in these very bytes, in this process (a watch session's
        build verifies each package it makes): they are not verified again."""
        sha256 = hashlib.sha256(data).hexdigest()
        known = self.database.package(sha256)
        if known is not None:
            return Published(known, created=False)
        fd, upload = self.store.new_upload()
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            return self._take(upload, data, sha256, publisher, name, verified)
        finally:
            upload.unlink(missing_ok=True)

    def publish_upload(self, upload: Path, publisher: str, name: str = "package.zip") -> Published:
        """Publish a complete, fsynced upload in the store's tmp/ folder; the upload is consumed either way."""
        try:
            data = upload.read_bytes()
            sha256 = hashlib.sha256(data).hexdigest()
            known = self.database.package(sha256)
            if known is not None:
                return Published(known, created=False)
            return self._take(upload, data, sha256, publisher, name, None)
        finally:
            upload.unlink(missing_ok=True)

    def _take(self, upload: Path, data: bytes, sha256: str, publisher: str, name: str,
              verified: VerificationReport | None) -> Published:
        """New bytes (``data``, fsynced at ``upload``): verified (unless ``verified`` says what was found), moved in
        under their sha256 and numbered as the course's next version."""
        report = verified if verified is not None else verify_package(name, data)
        if not report.ok:
            raise PackageRejected(f"{name} failed verification with {report.error_count} error(s)",
                                  [d.to_json() for d in report.diagnostics])
        try:
            facts = read_facts(report, data)
        except (UnreadableFacts, ValueError) as problem:
            raise PackageRejected(f"{name}: {problem}", []) from None
        self.store.keep(upload, sha256)
        try:
            stored, created = self.database.insert_package(sha256, facts, len(data), publisher)
        except BaseException:
            if self.database.package(sha256) is None:
                self.store.remove(sha256)
            raise
        return Published(stored, created)

    def delete(self, sha256: str) -> bool:
        """Remove one version: its row (and its attempts), then its files."""
        removed = self.database.delete_package(sha256)
        if removed:
            self.store.remove(sha256)
        return removed
