"""A folder target (``folder:path``), for LMSs with no upload API: the zips, a JSON and a CSV manifest of every
version, and CHECKLIST.md with the manual upload steps of the target's LMS kind.

Layout: ``<folder>/<course>/<locale>/<course>-<locale>-<format>-v<N>.zip`` (N counts the versions this folder
has of that course, locale and format; earlier versions stay), ``manifest.json``, ``manifest.csv``,
``CHECKLIST.md``. A zip is copied under a temporary name and renamed when complete; the manifests are
replaced last, so a failed run leaves the folder as it was.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from courseforge.model.publish import PackageFile, PublishAction, PublishResult
from courseforge.stages.publish.checklists import checklist_steps
from courseforge.stages.publish.context import PublishContext
from courseforge.stages.publish.errors import PublishError
from courseforge.stages.publish.files import PARTIAL, replace_file
from courseforge.stages.publish.rollback import Rollback

MANIFEST_JSON = "manifest.json"
MANIFEST_CSV = "manifest.csv"
CHECKLIST = "CHECKLIST.md"
COLUMNS = ("course", "course_version", "locale", "format", "version", "file", "sha256", "size", "published")


def folder_of(context: PublishContext) -> Path:
    """``folder:build/publish`` (from the project root) or ``folder:///absolute/path``."""
    parts = urlsplit(context.target.url)
    path = parts.path or parts.netloc
    if not path:
        raise PublishError(f"target '{context.name}': a folder URL names a folder, as in folder:build/publish")
    return context.project_path(path)


@dataclass
class FolderManifest:
    folder: Path
    entries: list[dict[str, Any]]

    @classmethod
    def read(cls, folder: Path) -> FolderManifest:
        path = folder / MANIFEST_JSON
        if not path.is_file():
            return cls(folder, [])
        try:
            entries = json.loads(path.read_bytes())["packages"]
        except (ValueError, KeyError, TypeError) as error:
            raise PublishError(f"{path} is not a courseforge publish manifest ({error}): move it away") from None
        return cls(folder, [entry for entry in entries if isinstance(entry, dict)])

    def find(self, sha256: str) -> dict[str, Any] | None:
        """The entry of this sha256 whose zip is still there (a deleted zip is published again)."""
        return next((entry for entry in self.entries if entry.get("sha256") == sha256
                     and (self.folder / str(entry.get("file", ""))).is_file()), None)

    def next_version(self, package: PackageFile) -> int:
        same = [int(entry.get("version", 0)) for entry in self.entries
                if (entry.get("course"), entry.get("locale"), entry.get("format"))
                == (package.course, package.locale, package.format)]
        return max(same, default=0) + 1

    def entry_for(self, package: PackageFile) -> dict[str, Any]:
        version = self.next_version(package)
        file = PurePosixPath(package.course, package.locale, f"{package.key}-v{version}.zip").as_posix()
        entry: dict[str, Any] = {
            "course": package.course, "course_version": package.version, "locale": package.locale,
            "format": package.format, "version": version, "file": file, "sha256": package.sha256,
            "size": package.size, "published": datetime.now(UTC).replace(microsecond=0).isoformat()}
        self.entries.append(entry)
        return entry


def copy_complete(source: Path, target: Path) -> None:
    """The zip under a temporary name, then renamed: no partial file under the final name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + PARTIAL)
    try:
        with source.open("rb") as reading, partial.open("wb") as writing:
            shutil.copyfileobj(reading, writing)
            writing.flush()
            os.fsync(writing.fileno())
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


def manifest_csv(entries: list[dict[str, Any]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(entries)
    return text.getvalue().encode()


def checklist(manifest: FolderManifest, context: PublishContext) -> bytes:
    """The latest version of each course, locale and format, and the steps to upload it by hand."""
    latest: dict[tuple[str, str, str], dict[str, Any]] = {}
    for entry in manifest.entries:
        latest[(entry["course"], entry["locale"], entry["format"])] = entry
    lines = [f"# Upload checklist ({context.target.lms.value})", "",
             "Written by `courseforge publish`; manifest.json lists every version with its sha256.", "",
             "## Steps for each package", ""]
    lines += [f"{number}. {step}" for number, step in enumerate(checklist_steps(context.target.lms), 1)]
    lines += ["", "## Packages (latest version of each)", ""]
    lines += [f"- [ ] `{entry['file']}`: {entry['course']} {entry['course_version']}, {entry['locale']}, "
              f"{entry['format']}, version {entry['version']}, sha256 `{entry['sha256'][:12]}`"
              for _, entry in sorted(latest.items())]
    return ("\n".join(lines) + "\n").encode()


class FolderPublisher:
    schemes: tuple[str, ...] = ("folder",)

    def publish(self, packages: Sequence[PackageFile], context: PublishContext) -> list[PublishResult]:
        folder = folder_of(context)
        manifest = FolderManifest.read(folder)
        results: list[PublishResult] = []
        with Rollback(context) as rollback:
            for package in packages:
                results.append(self.publish_one(package, manifest, folder, context, rollback))
            if not context.dry_run and any(r.action is PublishAction.UPLOADED for r in results):
                self.write_manifests(manifest, folder, context)
        return results

    def publish_one(self, package: PackageFile, manifest: FolderManifest, folder: Path, context: PublishContext,
                    rollback: Rollback) -> PublishResult:
        known = manifest.find(package.sha256)
        if known is not None:
            return PublishResult(context.name, package, PublishAction.PRESENT, remote_id=str(known["file"]),
                                 version=str(known["version"]), url=(folder / str(known["file"])).as_uri())
        if context.dry_run:
            return PublishResult(context.name, package, PublishAction.WOULD_UPLOAD)
        entry = manifest.entry_for(package)
        target = folder / entry["file"]
        try:
            copy_complete(Path(package.path), target)
        except OSError as error:
            raise PublishError(f"cannot write {target}: {error.strerror}") from None
        rollback.add(f"removing {target}", lambda: target.unlink(missing_ok=True))
        return PublishResult(context.name, package, PublishAction.UPLOADED, remote_id=entry["file"],
                             version=str(entry["version"]), url=target.as_uri())

    def write_manifests(self, manifest: FolderManifest, folder: Path, context: PublishContext) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            replace_file(folder / MANIFEST_CSV, manifest_csv(manifest.entries))
            replace_file(folder / CHECKLIST, checklist(manifest, context))
            replace_file(folder / MANIFEST_JSON,
                         (json.dumps({"packages": manifest.entries}, indent=2) + "\n").encode())
        except OSError as error:
            raise PublishError(f"cannot write the manifests in {folder}: {error.strerror}") from None
