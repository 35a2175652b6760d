"""An SFTP drop (``sftp://user@host:port/folder``), laid out as Cornerstone's Edge Import "Online Course Assets"
load receives packages.

What this relies on (Cornerstone's public help pages on Edge Import, "Online Course Assets Load and Feed" and
the release note that introduced it): the load file is a flat file like the Online Course Metadata template plus
a required Filename column naming a zip; the zips themselves must be on the customer's Cornerstone FTP site in
the dedicated folder ``LMS/OnlineCourse``; the unique identifier is the Online Course ID; the load creates new,
published, launchable courses only (no versioning, so a changed package is a new Online Course ID here, and
versioning of an existing course stays a task in Course Publisher); at most 2,000 records per load; the zips
are not removed after the load. Column names are matched by the Edge Import configuration the administrator
maps once, so the header below is the template's wording, and the mapping is made once in the portal.

Layout under the target folder: ``LMS/OnlineCourse/<course>-<locale>-<format>-v<N>.zip``, one load file per
run ``online_course_assets_<UTC time>.csv``, and ``courseforge-published.json``, the ledger of every package
published there (sha256 -> file): the drop folder is the only state a CI runner that starts empty can ask, and
Cornerstone keeps the zips it has loaded, so the ledger is checked against the zips still present. Every file
is written under a temporary name (``.partial``) and renamed when complete, so a dropped connection leaves no
partial file under a final name; a temporary left behind is removed by the next run. The zips go first, then
the load file, then the ledger: Edge Import never sees a load file naming a zip that is not complete.

Before its first file a run writes ``courseforge-pending.json``, the journal of the files it is about to create,
and removes it once the ledger is written. A run that dies between the two (the connection dropped, and with it
the undo of what was sent) leaves complete files no ledger names: the next try, on a new connection, removes
them (the load file first) before it starts, and a run whose tries are spent connects once more only for that.
Only files a journal names are ever removed.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import paramiko

from courseforge.model.publish import PackageFile, PublishAction, PublishResult
from courseforge.stages.publish.context import PublishContext
from courseforge.stages.publish.errors import PublishError, TransientError
from courseforge.stages.publish.rollback import Rollback

ASSETS_FOLDER = PurePosixPath("LMS", "OnlineCourse")
LEDGER = "courseforge-published.json"
JOURNAL = "courseforge-pending.json"
PARTIAL = ".partial"
LOAD_COLUMNS = ("Online Course ID", "Title", "Description", "Language", "Duration", "Filename")
MAX_RECORDS = 2000
"""Edge Import's limit of records in one Online Course Assets load."""


def load_file(rows: list[dict[str, str]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=LOAD_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("utf-8-sig")


def load_row(package: PackageFile, course_id: str, file: str) -> dict[str, str]:
    return {"Online Course ID": course_id, "Title": package.title or package.course,
            "Description": f"{package.course} {package.version} ({package.locale}, {package.format})",
            "Language": package.locale, "Duration": "", "Filename": file}


@dataclass(frozen=True)
class Journal:
    """The files a run is about to create: its zips (names under the assets folder) and its load file."""

    zips: tuple[str, ...]
    load_file: str

    def to_bytes(self) -> bytes:
        return (json.dumps({"zips": list(self.zips), "load_file": self.load_file}, indent=2) + "\n").encode()

    @classmethod
    def parse(cls, raw: bytes) -> Journal:
        """ValueError, KeyError or TypeError when ``raw`` is not a journal."""
        data = json.loads(raw)
        return cls(tuple(str(name) for name in data["zips"]), str(data["load_file"]))

    def files(self) -> list[PurePosixPath]:
        """Paths under the drop folder, the load file first (never a path out of it: the last part of each name)."""
        return [PurePosixPath(PurePosixPath(self.load_file).name),
                *(ASSETS_FOLDER / PurePosixPath(name).name for name in self.zips)]


class Drop:
    """One SFTP session on the drop folder: paths, the ledger, and files written under temporary names."""

    def __init__(self, sftp: paramiko.SFTPClient, root: PurePosixPath) -> None:
        self.sftp = sftp
        self.root = root

    def path(self, relative: PurePosixPath | str) -> str:
        return str(self.root / relative)

    def exists(self, relative: PurePosixPath | str) -> bool:
        try:
            return stat.S_ISREG(self.sftp.stat(self.path(relative)).st_mode or 0)
        except FileNotFoundError:
            return False

    def make_folders(self) -> None:
        folder = self.root
        for part in ASSETS_FOLDER.parts:
            folder = folder / part
            try:
                self.sftp.stat(str(folder))
            except FileNotFoundError:
                self.sftp.mkdir(str(folder))

    def ledger(self) -> list[dict[str, Any]]:
        try:
            with self.sftp.open(self.path(LEDGER), "rb") as stream:
                entries = json.loads(stream.read())["packages"]
        except FileNotFoundError:
            return []
        except (ValueError, KeyError, TypeError) as error:
            raise PublishError(f"{self.path(LEDGER)} is not a courseforge ledger ({error}): move it away") from None
        return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []

    def remove_partials(self) -> None:
        """Temporaries a dropped connection left behind (never a complete file)."""
        for folder in (self.root, self.root / ASSETS_FOLDER):
            try:
                names = self.sftp.listdir(str(folder))
            except FileNotFoundError:
                continue
            for name in names:
                if name.endswith(PARTIAL):
                    self.sftp.remove(str(folder / name))

    def put(self, relative: PurePosixPath | str, content: Path | bytes) -> None:
        """Upload under ``<name>.partial``, check its size, then rename over the final name in one step."""
        final = self.path(relative)
        partial = final + PARTIAL
        size = content.stat().st_size if isinstance(content, Path) else len(content)
        with content.open("rb") if isinstance(content, Path) else io.BytesIO(content) as stream:
            attributes = self.sftp.putfo(stream, partial, file_size=size, confirm=True)
        if attributes.st_size != size:
            raise TransientError(f"{partial} has {attributes.st_size} bytes, not {size}")
        self.sftp.posix_rename(partial, final)

    def remove(self, relative: PurePosixPath | str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.sftp.remove(self.path(relative))

    def begin(self, journal: Journal) -> None:
        self.put(JOURNAL, journal.to_bytes())

    def undo_unfinished(self, ledger: list[dict[str, Any]]) -> list[str]:
        """What a run that died before its ledger left (the journal's files, the load file first) removed, and the
        journal; a journal whose zips the ledger names belongs to a run that finished: only it goes. Returns the
        files removed."""
        try:
            with self.sftp.open(self.path(JOURNAL), "rb") as stream:
                journal = Journal.parse(stream.read())
        except FileNotFoundError:
            return []
        except (ValueError, KeyError, TypeError) as error:
            raise PublishError(f"{self.path(JOURNAL)} is not a courseforge journal ({error}): move it away") from None
        removed = []
        if not set(journal.zips) <= {str(entry.get("file", "")) for entry in ledger}:
            for relative in journal.files():
                if self.exists(relative):
                    self.remove(relative)
                    removed.append(str(relative))
        self.remove(JOURNAL)
        return removed


def private_key(context: PublishContext, passphrase: str | None) -> paramiko.PKey:
    """The key file the target names, read here so that a wrong passphrase is a clear error (not a retry)."""
    path = context.project_path(context.target.key_file or "")
    secret = passphrase.encode() if passphrase else None
    try:
        # The stub says str; cryptography, which reads the file, takes the passphrase as bytes only.
        return paramiko.PKey.from_path(path, password=secret)  # type: ignore[arg-type]
    except (paramiko.PasswordRequiredException, TypeError):  # TypeError: cryptography's "password not provided"
        raise PublishError(f"the key file {path} is encrypted: put its passphrase in the environment variable "
                           "that password_env names") from None
    except (paramiko.SSHException, ValueError):
        raise PublishError(f"cannot read the key file {path}: not a private key, or a wrong passphrase "
                           "(password_env)") from None
    except OSError as error:
        raise PublishError(f"cannot read the key file {path}: {error.strerror}") from None


def connect(context: PublishContext) -> paramiko.SSHClient:
    """An SSH connection whose host key must be in the known_hosts file (no trust on first use: a publish runs
    unattended, so nobody could check a new key)."""
    parts = urlsplit(context.target.url)
    if not parts.hostname or not parts.username:
        raise PublishError(f"target '{context.name}': an SFTP URL names a user and a host, as in "
                           "sftp://edge@sftp.example.com:22/inbox")
    known_hosts = context.project_path(context.target.known_hosts or "~/.ssh/known_hosts")
    client = paramiko.SSHClient()
    try:
        client.load_host_keys(str(known_hosts))
    except OSError as error:
        raise PublishError(f"cannot read the known_hosts file {known_hosts} ({error.strerror}): add the server's "
                           "host key there (ssh-keyscan) or name the file in known_hosts") from None
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    secret = context.secret(context.target.password_env, "a password", "password_env") \
        if context.target.password_env or not context.target.key_file else None
    key = private_key(context, secret) if context.target.key_file else None
    try:
        client.connect(parts.hostname, parts.port or 22, unquote(parts.username), pkey=key,
                       password=secret if key is None else None,
                       look_for_keys=False, allow_agent=False, timeout=context.target.timeout_s,
                       banner_timeout=context.target.timeout_s, auth_timeout=context.target.timeout_s)
    except paramiko.AuthenticationException:
        client.close()
        raise PublishError(f"{parts.hostname} refused the login of '{parts.username}': check the key or password "
                           "the target names") from None
    except paramiko.BadHostKeyException:
        client.close()
        raise PublishError(f"{parts.hostname}'s host key does not match {known_hosts}: refusing to connect") from None
    except paramiko.SSHException as error:
        client.close()
        if "not found in known_hosts" in str(error):
            raise PublishError(f"{parts.hostname} is not in {known_hosts}: add its host key (ssh-keyscan -p "
                               f"{parts.port or 22} {parts.hostname}) after checking it") from None
        raise TransientError(f"SSH: {error}") from None
    return client


def drop_root(context: PublishContext) -> PurePosixPath:
    return PurePosixPath(unquote(urlsplit(context.target.url).path) or ".")


@dataclass
class Tries:
    """What the tries of one publish run did that a failure must undo."""

    journal_written: bool = False


class SftpPublisher:
    schemes: tuple[str, ...] = ("sftp",)

    def publish(self, packages: Sequence[PackageFile], context: PublishContext) -> list[PublishResult]:
        if len(packages) > MAX_RECORDS:
            raise PublishError(f"an Online Course Assets load takes at most {MAX_RECORDS} packages, not "
                               f"{len(packages)}: publish fewer courses at a time")
        tries = Tries()
        try:
            return context.retry.run(f"publishing to {context.target.url}",
                                     lambda: self.attempt(packages, context, tries))
        except PublishError:
            if tries.journal_written:
                self.undo_after_failure(context)
            raise

    def undo_after_failure(self, context: PublishContext) -> None:
        """The run's tries are spent: one more connection, only to remove what they left (best effort)."""
        try:
            client = connect(context)
            try:
                drop = Drop(client.open_sftp(), drop_root(context))
                drop.remove_partials()
                removed = drop.undo_unfinished(drop.ledger())
            finally:
                client.close()
        except (PublishError, paramiko.SSHException, EOFError, OSError) as failure:
            context.log(f"could not remove what the failed run sent: {failure}; the next run will")
            return
        if removed:
            context.log(f"removed what the failed run sent: {', '.join(removed)}")

    def attempt(self, packages: Sequence[PackageFile], context: PublishContext, tries: Tries) -> list[PublishResult]:
        """One connection's try: a dropped connection is a TransientError, and the next try starts over (what the
        try before sent is removed first, by its journal)."""
        root = drop_root(context)
        client = connect(context)
        try:
            sftp = client.open_sftp()
            sftp.get_channel().settimeout(context.target.timeout_s)  # type: ignore[union-attr]
            return self.run(Drop(sftp, root), packages, context, tries)
        except (paramiko.SSHException, EOFError, OSError) as error:
            if isinstance(error, PermissionError | FileNotFoundError):
                raise PublishError(f"the SFTP server refused a file operation in {root}: {error}") from None
            raise TransientError(f"the SFTP connection failed: {error or type(error).__name__}") from None
        finally:
            client.close()

    def run(self, drop: Drop, packages: Sequence[PackageFile], context: PublishContext,
            tries: Tries) -> list[PublishResult]:
        ledger = drop.ledger()
        if not context.dry_run:
            drop.remove_partials()
            for removed in drop.undo_unfinished(ledger):
                context.log(f"removed {removed}, sent by a run that did not finish")
            drop.make_folders()
        results = [self.planned(drop, package, ledger, context) for package in packages]
        sending = [result for result in results if result.action is PublishAction.UPLOADED]
        if not sending:
            return results
        load = f"online_course_assets_{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}.csv"
        drop.begin(Journal(tuple(f"{result.remote_id}.zip" for result in sending), load))
        tries.journal_written = True
        with Rollback(context) as rollback:
            for result in sending:
                self.send(drop, result, ledger, context, rollback)
            self.finish(drop, load, [load_row(r.package, r.remote_id, f"{r.remote_id}.zip") for r in sending],
                        ledger, rollback)
        drop.remove(JOURNAL)
        return results

    def planned(self, drop: Drop, package: PackageFile, ledger: list[dict[str, Any]],
                context: PublishContext) -> PublishResult:
        """PRESENT when the ledger names these bytes and their zip is still there; else the course id and version
        it will be sent as (UPLOADED once :meth:`send` has sent it; WOULD_UPLOAD in a dry run)."""
        known = next((e for e in ledger if e.get("sha256") == package.sha256
                      and drop.exists(ASSETS_FOLDER / str(e.get("file", "")))), None)
        if known is not None:
            return PublishResult(context.name, package, PublishAction.PRESENT, remote_id=str(known["course_id"]),
                                 version=str(known["version"]))
        version = 1 + max((int(e.get("version", 0)) for e in ledger if e.get("key") == package.key), default=0)
        course_id = f"{package.key}-v{version}"
        action = PublishAction.WOULD_UPLOAD if context.dry_run else PublishAction.UPLOADED
        return PublishResult(context.name, package, action, remote_id=course_id, version=str(version),
                             url="" if context.dry_run else drop.path(ASSETS_FOLDER / f"{course_id}.zip"))

    def send(self, drop: Drop, result: PublishResult, ledger: list[dict[str, Any]], context: PublishContext,
             rollback: Rollback) -> None:
        package, file = result.package, ASSETS_FOLDER / f"{result.remote_id}.zip"
        drop.put(file, Path(package.path))
        rollback.add(f"removing {file}", functools.partial(drop.remove, file))
        context.log(f"sent {file}")
        ledger.append({"key": package.key, "course_id": result.remote_id, "version": int(result.version),
                       "file": file.name, "sha256": package.sha256, "size": package.size,
                       "published": datetime.now(UTC).replace(microsecond=0).isoformat()})

    def finish(self, drop: Drop, name: str, rows: list[dict[str, str]], ledger: list[dict[str, Any]],
               rollback: Rollback) -> None:
        """The run's load file (Edge Import picks it up), then the ledger that makes the next run idempotent."""
        drop.put(name, load_file(rows))
        rollback.add(f"removing {name}", functools.partial(drop.remove, name))
        drop.put(LEDGER, (json.dumps({"packages": ledger}, indent=2) + "\n").encode())
