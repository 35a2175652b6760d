"""The rules every file courseforge reads obeys: course sources and assets, project theme folders, catalogs
and branding images. Files come from many hands (authors, translators, vendors) and CI trusts the exit code,
so a file is read only when it is a regular file inside its folder and within its size limit, all of it
decided from ``lstat``/``fstat`` before a byte is read; text must be UTF-8 without control characters.

A symbolic link is resolved: one that stays inside the folder and ends at a regular file is read as that
file (a course may link a shared image between its own sub-folders); one that leaves the folder, dangles
or names a folder is refused. Folders reached through a link are never walked (no loops, no escape).
"""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from courseforge.cache import SETTLED_SECONDS, scope_lasts
from courseforge.diagnostics import DiagnosticSink, Location
from courseforge.model.project import InputLimits
from courseforge.object_memo import ObjectMemo, active_memo

TEXT_SUFFIXES = (".yaml", ".yml", ".md", ".po", ".pot")
"""Files courseforge parses as text; every other file is an asset, shipped as bytes."""
OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
"""O_NONBLOCK: a FIFO swapped in after the lstat still cannot make the open hang; O_NOFOLLOW: nor a link."""
READ_CHUNK = 1 << 20
FILE_READ = "file-read"
UTF8_BOM = b"\xef\xbb\xbf"

FORBIDDEN_IN_VALUE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""Control characters (C0 but tab, newline and carriage return; DEL, C1) and what no XML document can hold
(lone surrogates, U+FFFE/U+FFFF): in text made from escapes (YAML ``"\\a"``, PO ``\\v``) and in files."""
C0_CONTROL_OR_DELETE = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
"""The characters of ``FORBIDDEN_IN_VALUE`` below U+0080: in UTF-8, each is a byte of its own."""
UTF8_C1_CONTROL = re.compile(b"\xc2[\x80-\x9f]")
"""U+0080-U+009F in UTF-8 (``\xc2`` is a lead byte, never inside another character)."""
UTF8_NONCHARACTER = re.compile(b"\xef\xbf[\xbe\xbf]")
"""U+FFFE and U+FFFF in UTF-8. (A lone surrogate does not decode: UTF-8 text never holds one.)"""
LONE_CARRIAGE_RETURN = re.compile("\r(?!\n)")
"""In a file, a carriage return outside CRLF is refused too (searched apart: one pattern with both is twice as
slow on every file, and most files hold no carriage return at all)."""
FORBIDDEN_IN_NAME = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\\\\]")
"""In a file name (a zip entry, a URL) no control character at all, nor a backslash (Windows' separator)."""
CONTROL_HINT = ("delete the character (most editors do not show it; it often comes from pasting out of a word "
                "processor or a PDF); `grep -nP '[\\x00-\\x08\\x0b-\\x1f\\x7f]' FILE` finds it")
ESCAPE_HINT = "remove the escape (\\a, \\b, \\v, \\f, \\x.., \\u....) from the text"
FILE_KINDS = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
              stat.S_IFBLK: "a block device", stat.S_IFDIR: "a folder"}


@dataclass(frozen=True)
class InputProblem:
    """Why a file was not read: a diagnostic's code, message and hint, without its location."""

    code: str
    message: str
    hint: str = ""

    def report(self, location: Location, sink: DiagnosticSink) -> None:
        sink.error(self.code, self.message, location, hint=self.hint)


@dataclass(frozen=True)
class SizeLimit:
    """A limit in bytes and the courseforge.yaml key that raises it."""

    max_bytes: int
    key: str
    what: str

    def problem(self, size: int) -> InputProblem | None:
        if size <= self.max_bytes:
            return None
        return InputProblem("source.too-large", f"{self.what} is {megabytes(size)}, over the limit of "
                            f"{megabytes(self.max_bytes)} (limits.{self.key} in courseforge.yaml)",
                            hint=f"make it smaller, or raise limits.{self.key} in courseforge.yaml")


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB" if size >= 100_000 else f"{size:,} bytes"


def file_limit(relpath: str, limits: InputLimits) -> SizeLimit:
    """The limit of one file: text that courseforge parses, or an asset shipped as it is."""
    if relpath.lower().endswith(TEXT_SUFFIXES):
        return SizeLimit(limits.text_file_mb * 1_000_000, "text_file_mb", "this text file")
    return SizeLimit(limits.asset_file_mb * 1_000_000, "asset_file_mb", "this file")


def course_limit(limits: InputLimits) -> SizeLimit:
    return SizeLimit(limits.course_mb * 1_000_000, "course_mb", "the folder")


def kind_of(mode: int) -> str:
    return FILE_KINDS.get(stat.S_IFMT(mode), "not a regular file")


def resolve_inside(path: Path, root: Path) -> Path | InputProblem:
    """The real path of ``path``, when it is inside ``root`` (already resolved)."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        return InputProblem("source.broken-link", "symbolic link points to nothing",
                            hint="remove the link, or copy the file it meant into the folder")
    except (OSError, RuntimeError) as error:
        return InputProblem("source.unreadable", f"cannot be read: {describe_os_error(error)}")
    if not target.is_relative_to(root):
        return InputProblem("source.outside-folder", f"symbolic link points outside its folder (to {target})",
                            hint="copy the file into the folder instead of linking to it")
    return target


def describe_os_error(error: BaseException) -> str:
    return (error.strerror if isinstance(error, OSError) else None) or str(error)


def read_limited(target: Path | str, limit: SizeLimit) -> bytes | InputProblem:
    """Open without following a link or blocking, check type and size on the open file, then read at most
    the limit (a file growing meanwhile is caught by the read, not trusted from the stat)."""
    try:
        descriptor = os.open(target, OPEN_FLAGS)
    except OSError as error:
        return InputProblem("source.unreadable", f"cannot be read: {describe_os_error(error)}",
                            hint="check the file's permissions (it must be readable by the user running courseforge)")
    with os.fdopen(descriptor, "rb", buffering=0) as stream:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            return not_regular(status.st_mode)
        if (too_large := limit.problem(status.st_size)) is not None:
            return too_large
        return kept_read(target, status, limit, lambda: read_stream(stream, limit))


def read_stream(stream: BinaryIO, limit: SizeLimit) -> bytes | InputProblem:
    chunks: list[bytes] = []
    size = 0
    try:
        while size <= limit.max_bytes and (chunk := stream.read(READ_CHUNK)):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        return InputProblem("source.unreadable", f"cannot be read: {describe_os_error(error)}")
    return limit.problem(size) or b"".join(chunks)


def kept_read(target: Path | str, status: os.stat_result, limit: SizeLimit,
              read: Callable[[], bytes | InputProblem]) -> bytes | InputProblem:
    """``read()``, or, in a store that outlives the build (``cache.scope_lasts``: watch mode), the very bytes an
    earlier read of the same file got when its ``fstat`` (device, inode, size, change and modification times) is
    the same and the file had settled (``cache.SETTLED_SECONDS``) when read: a rebuild reads only the files that
    changed, and every result kept for the bytes object (its digest) answers again. A one-off build reads each
    file once: it keeps nothing (its small memo is for what the build reads again)."""
    memo = lasting_memo()
    if memo is None:
        return read()
    key = read_key(target, status, limit)
    found = kept_bytes(memo, key)
    if found is not None:
        return found
    data = read()
    if isinstance(data, bytes) and time.time() - max(status.st_mtime, status.st_ctime) > SETTLED_SECONDS:
        memo.put(FILE_READ, key, data, len(data))
    return data


def read_key(target: Path | str, status: os.stat_result, limit: SizeLimit) -> Hashable:
    """What names one read of a file: its path, the identity and times of its inode, and the limit it was read
    under."""
    return (str(target), status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns,
            limit.max_bytes)


def kept_bytes(memo: ObjectMemo, key: Hashable) -> bytes | None:
    """The bytes :func:`kept_read` kept under ``key`` (:func:`read_key`), if any."""
    found = memo.get(FILE_READ, key)
    return found[0] if found is not None and isinstance(found[0], bytes) else None


def lasting_memo() -> ObjectMemo | None:
    """The memo reads are kept in: only a store's that outlives the build (:func:`kept_read`)."""
    return active_memo() if scope_lasts() else None


def unchanged_read(memo: ObjectMemo, path: str, status: os.stat_result, limit: SizeLimit) -> bytes | None:
    """The bytes :func:`kept_read` kept for this path when ``status`` (its ``lstat``, taken for the folder's
    total) still says the same regular file, unchanged: then it is not even opened. An inode with the same
    device, number, size and times as one read after it had settled is that file with those bytes, and ``lstat``
    follows no link; anything else (None) is opened and judged as always."""
    return kept_bytes(memo, read_key(path, status, limit)) if stat.S_ISREG(status.st_mode) else None


def not_regular(mode: int) -> InputProblem:
    return InputProblem("source.not-a-file", f"is {kind_of(mode)}; only regular files are read",
                        hint="replace it with a regular file, or move it out of the folder")


def read_input_file(path: Path, root: Path, limit: SizeLimit) -> bytes | InputProblem:
    """One file under ``root`` (resolved): its bytes, or why the rules refuse it. Nothing is opened before
    ``lstat`` says what it is and how big it is."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return InputProblem("source.missing", "does not exist")
    except OSError as error:
        return InputProblem("source.unreadable", f"cannot be read: {describe_os_error(error)}")
    target = resolve_inside(path, root)
    if isinstance(target, InputProblem):
        return target
    if stat.S_ISLNK(status.st_mode):
        try:
            status = os.lstat(target)
        except OSError as error:
            return InputProblem("source.unreadable", f"cannot be read: {describe_os_error(error)}")
    if not stat.S_ISREG(status.st_mode):
        return not_regular(status.st_mode)
    if (too_large := limit.problem(status.st_size)) is not None:
        return too_large
    return read_limited(target, limit)


def walk(folder: Path) -> Iterator[tuple[str, Path | OSError]]:
    """Every non-hidden entry below ``folder`` that is not a real folder, depth first in sorted path order;
    folders reached through a link are not entered. A folder that cannot be listed yields its error.
    Iterative: however deep the folders nest, no recursion limit is met."""
    for relative, found, _regular in listed(str(folder)):
        yield relative, found if isinstance(found, OSError) else Path(found)


def listed(folder: str) -> Iterator[tuple[str, str | OSError, bool]]:
    """:func:`walk` with paths as strings (a ``Path`` a file costs more than its ``lstat``), each entry also
    saying whether the folder listing calls it a regular file (not a link): one that is lies inside ``folder``
    by construction, and needs no resolving before it is opened."""
    pending: list[tuple[str, str, bool, bool]] = [("", folder, True, False)]
    while pending:
        relative, path, is_folder, regular = pending.pop()
        if not is_folder:
            yield relative, path, regular
            continue
        try:
            with os.scandir(path) as scan:
                entries = sorted((entry for entry in scan if not entry.name.startswith(".")),
                                 key=lambda entry: entry.name, reverse=True)
                children = [(f"{relative}/{entry.name}" if relative else entry.name, entry.path,
                             entry.is_dir(follow_symlinks=False), entry.is_file(follow_symlinks=False))
                            for entry in entries]
        except OSError as error:
            yield relative, error, False
            continue
        pending.extend(children)


@dataclass(frozen=True)
class FolderFiles:
    files: dict[str, bytes]
    """Posix path relative to the folder -> bytes, in sorted path order."""
    refused: frozenset[str]
    """Paths the rules refused (reported), so later checks do not call them missing."""


def read_folder(folder: Path, display: str, sink: DiagnosticSink, limits: InputLimits) -> FolderFiles:
    """Every file below ``folder`` by posix path relative to it (hidden ones skipped), each checked by the
    rules above; a refused file is reported at its path and left out. The folder's total is checked from
    the sizes before each read, and reading stops at the limit. A file the listing shows as regular lies
    inside the folder by construction: it is opened (without following a link) and judged from ``fstat``
    with no resolving, which cost more than reading a small file; in a store that outlives the build, one
    whose ``lstat`` is that of an earlier read is not opened at all (:func:`unchanged_read`)."""
    root = folder.resolve()
    memo = lasting_memo()
    total = course_limit(limits)
    files: dict[str, bytes] = {}
    refused: set[str] = set()
    used = 0
    for relpath, found, regular in listed(str(root)):
        if isinstance(found, OSError):
            sink.error("source.unreadable", f"folder cannot be read: {describe_os_error(found)}",
                       Location(shown_path(display, relpath)), hint="check the folder's permissions")
            continue
        limit = file_limit(relpath, limits)
        status = entry_status(found, regular)
        size = announced_size(status)
        if size <= limit.max_bytes and (over := total.problem(used + size)) is not None:
            over.report(Location(display), sink)
            break
        data = name_problem(relpath) or listed_file(found, root, regular, status, limit, memo)
        if isinstance(data, InputProblem):
            data.report(Location(shown_path(display, relpath)), sink)
            refused.add(relpath)
            continue
        used += len(data)
        files[relpath] = data
    return FolderFiles(files, frozenset(refused))


def shown_path(display: str, relpath: str) -> str:
    return f"{display}/{printable(relpath)}" if relpath else display


def entry_status(path: str, regular: bool) -> os.stat_result | None:
    """What the folder's total counts a listed entry as: a regular file's own ``lstat`` (no link to follow), any
    other entry's ``stat`` (a link's target); None when there is none."""
    try:
        return os.lstat(path) if regular else os.stat(path)
    except OSError:
        return None


def listed_file(path: str, root: Path, regular: bool, status: os.stat_result | None, limit: SizeLimit,
                memo: ObjectMemo | None) -> bytes | InputProblem:
    """One listed entry's bytes, or why the rules refuse it (``memo``: :func:`lasting_memo`)."""
    if not regular:
        return read_input_file(Path(path), root, limit)
    unchanged = unchanged_read(memo, path, status, limit) if memo is not None and status is not None else None
    return unchanged if unchanged is not None else read_limited(path, limit)


def name_problem(relpath: str) -> InputProblem | None:
    """A file name becomes a zip entry and a URL: control characters and backslashes (a folder separator
    on Windows) are refused there."""
    if FORBIDDEN_IN_NAME.search(relpath) is None:
        return None
    return InputProblem("source.bad-name", f"file name {printable(relpath)!r} has a control character, a "
                        "backslash or bytes that are not UTF-8",
                        hint="rename the file with letters, digits, '-', '_' and '.'")


def printable(relpath: str) -> str:
    """A file name as diagnostics can print it: bytes that are not UTF-8 (surrogate escapes) become U+FFFD."""
    return relpath.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def planned_size(path: Path) -> int:
    """The size the stat announces (0 for what will be refused anyway), for the folder's total."""
    try:
        return announced_size(os.stat(path))
    except OSError:
        return 0


def announced_size(status: os.stat_result | None) -> int:
    return status.st_size if status is not None and stat.S_ISREG(status.st_mode) else 0


def decode_text(data: bytes, display: str, sink: DiagnosticSink) -> str | None:
    """UTF-8 text (a BOM and CRLF line ends accepted) without control characters; the first offending
    byte or character is reported at its line and column."""
    body = data.removeprefix(UTF8_BOM)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        start = body[:error.start]
        line = start.count(b"\n") + 1
        col = len(start[start.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        sink.error("source.encoding", f"file is not valid UTF-8 (byte 0x{body[error.start]:02x})",
                   Location(display, line, col), hint="save the file as UTF-8")
        return None
    match = first_forbidden(text, bytes_checked=holds_no_forbidden(body))
    if match is None:
        return text
    line = text.count("\n", 0, match.start()) + 1
    col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    sink.error("source.control-char", f"{character_name(match.group())} is not allowed in text",
               Location(display, line, col), hint=CONTROL_HINT)
    return None


def holds_no_forbidden(utf8: bytes) -> bool:
    """Whether the text these UTF-8 bytes decode to holds none of ``FORBIDDEN_IN_VALUE``: looked for in the bytes,
    some three times faster than the pattern in the text (which a file that fails this still gets, to find the
    first offending character)."""
    return (len(utf8.translate(None, C0_CONTROL_OR_DELETE)) == len(utf8) and UTF8_C1_CONTROL.search(utf8) is None
            and UTF8_NONCHARACTER.search(utf8) is None)


def first_forbidden(text: str, bytes_checked: bool = False) -> re.Match[str] | None:
    """The first character a text file may not hold. ``bytes_checked``: its UTF-8 bytes were found to hold none
    of ``FORBIDDEN_IN_VALUE`` (:func:`holds_no_forbidden`), so only a lone carriage return is looked for."""
    match = None if bytes_checked else FORBIDDEN_IN_VALUE.search(text)
    if "\r" in text:
        lone = LONE_CARRIAGE_RETURN.search(text, 0, len(text) if match is None else match.start())
        return lone or match
    return match


def character_name(character: str) -> str:
    if character.startswith("\r"):
        return "a carriage return outside a CRLF line end (U+000D)"
    return f"the control character U+{ord(character):04X}"


def check_value(value: str, location: Location, sink: DiagnosticSink) -> bool:
    """Text made from escape sequences (YAML, PO) obeys the text rule too; False when it does not."""
    match = FORBIDDEN_IN_VALUE.search(value)
    if match is None:
        return True
    sink.error("source.control-char", f"{character_name(match.group())} is not allowed in text (written as an "
               "escape sequence)", location, hint=ESCAPE_HINT)
    return False
