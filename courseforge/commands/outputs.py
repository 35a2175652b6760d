"""A build's outputs as one transaction: staged beside ``--out``, swapped in whole, under a lock.

What the transaction covers: everything ``reports/build.json`` describes, i.e. the package tree
``<course>/<locale>/<format>.zip`` of every course it names, and ``reports/build.json`` itself. Those course
folders (the previous build.json's and the new one's) are replaced whole. Everything else in ``--out``
(``xliff/`` from ``i18n export-xliff``, a file of yours) is left alone: it is carried into the new tree as hard
links, so it is there at every instant. The build cache ``.cache/`` (a course id never starts with '.') is moved
into the new tree whole, in one rename just before the swap, instead of being linked file by file: it can hold
many thousands of entries, and for the instant it is away a build using it only misses.

How: the new tree is written and fsynced in ``<parent>/.<out>.staging-<pid>-<random>/``, then one
``renameat2(RENAME_EXCHANGE)`` swaps it with ``--out`` (a plain rename when there is no ``--out`` yet), and
the previous tree, now under the staging name, is removed. Whatever instant the process is killed, ``--out``
is the previous tree or the new one, never a mix. Where the kernel or file system cannot exchange (not
Linux, EINVAL), two renames are used instead: killed between them, ``--out`` is missing until the next build
puts the previous tree back from ``.<out>.previous-*``. The next build, under the lock, removes every stale
staging folder. A lock file ``<parent>/.<out>.lock`` (``flock``, holding the writer's pid) keeps a second
build out while one writes; the kernel releases it when its holder dies, and the holder deletes it when done.

A build stages each package as soon as it is verified in a spool ``.<out>.spool-<pid>-<random>/`` beside the
output folder (so it need not hold every package in memory); the transaction takes the spooled files as hard
links, and the spool is removed whatever happens. A spool whose process is gone is removed by the next build.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import secrets
import shutil
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

REPORT = PurePosixPath("reports", "build.json")
CACHE_DIR = ".cache"
"""The build cache's default folder inside ``--out``: moved whole across the swap, never replaced."""
STAGING = "staging"
PREVIOUS = "previous"
SPOOL = "spool"
FILE_MODE = 0o644
AT_FDCWD = -100
RENAME_EXCHANGE = 2
EXCHANGE_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP}
LOCK_POLL_SECONDS = 0.05


class OutputProblem(Exception):
    """Why the outputs cannot be written (a user's folder, not a bug): the command reports it and exits 1."""

    def __init__(self, code: str, message: str, path: Path, hint: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.path, self.hint = code, message, path, hint


def sibling_prefix(out: Path, kind: str) -> str:
    return f".{out.name}.{kind}-"


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def stale_siblings(out: Path) -> list[Path]:
    """Staging and previous trees that a killed build left beside ``--out`` (only ever under these names)."""
    if not out.parent.is_dir():
        return []
    prefixes = (sibling_prefix(out, STAGING), sibling_prefix(out, PREVIOUS))
    return sorted(path for path in out.parent.iterdir() if path.name.startswith(prefixes))


def check_output_folder(out: Path, project_root: Path) -> None:
    """Fail before any work when ``--out`` cannot be a folder we may replace: blocked by a file, not
    writable, a mount point (it cannot be renamed), or holding the project itself."""
    if out == project_root or out in project_root.parents or out.parent == out:
        raise OutputProblem("output.contains-project", f"the output folder {out} holds the project (or is the "
                            "file system root): a build replaces its output folder", out,
                            "choose a folder of its own, such as the project's build/")
    existing = next(path for path in (out, *out.parents) if path.exists() or path.is_symlink())
    if not existing.is_dir():
        raise OutputProblem("output.blocked", f"the output folder {out} cannot be created: {existing} is a file, "
                            "not a folder", existing, "remove or rename that file, or choose another --out")
    for folder in sorted({existing, out.parent} if existing == out else {existing}):
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OutputProblem("output.not-writable", f"the output folder {out} cannot be written: no write "
                                f"permission on {folder}", folder, "fix its permissions, or choose another --out")
    if existing == out and out.stat().st_dev != out.parent.stat().st_dev:
        raise OutputProblem("output.mount-point", f"the output folder {out} is a mount point: a build replaces its "
                            "output folder in one rename, which a mount point refuses", out,
                            "build into a folder inside the mount (--out <mount>/build)")


OutputFile = bytes | Path
"""A file of the new outputs: its bytes, or a file to take as it is (a spooled package, a kept one)."""


def write_outputs(out: Path, files: Mapping[PurePosixPath, OutputFile], *, lock_timeout: float,
                  on_wait: Callable[[str], None] = lambda holder: None) -> None:
    """Replace the outputs in ``out`` with ``files`` (paths relative to ``out``) as one transaction."""
    for relative in files:
        if not is_plain_relative(relative):
            raise OutputProblem("output.bad-path", f"refusing to write {relative}: not a plain path inside the "
                                "output folder", out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with output_lock(out, lock_timeout, on_wait):
            recover_stale(out)
            if out.exists() and not out.is_dir():
                raise OutputProblem("output.blocked", f"the output folder {out} is a file, not a folder", out,
                                    "remove or rename that file, or choose another --out")
            stage_and_swap(out, files)
    except OSError as error:
        raise OutputProblem("output.write-failed", f"could not write the outputs to {out}: {error}; the previous "
                            "outputs are as they were", out, write_failure_hint(error)) from error


def write_failure_hint(error: OSError) -> str:
    if error.errno == errno.EXDEV:
        return ("the folder cannot be renamed where it is (a folder of a container image's lower layer, on "
                "overlayfs): delete it once (rm -rf) so the build can create it anew, or choose another --out")
    return "free space or fix permissions, then build again"


@dataclass(frozen=True)
class Coverage:
    """What the transaction replaces: whole course folders (the previous build.json's and the new build's)
    and the new build's files (reports/build.json); everything else in ``--out`` is carried over."""

    courses: frozenset[str]
    files: frozenset[PurePosixPath]

    def covers(self, path: PurePosixPath) -> bool:
        return (len(path.parts) == 1 and path.name in self.courses) or path in self.files or \
            is_old_report_temporary(path)


def stage_and_swap(out: Path, files: Mapping[PurePosixPath, OutputFile]) -> None:
    staging = make_sibling(out, STAGING)
    try:
        write_tree(staging, files)
        coverage = Coverage(frozenset(owned_names(out) | {path.parts[0] for path in files if path != REPORT}),
                            frozenset(files))
        if out.is_dir():
            copy_mode(out, staging)
            carry_over(out, staging, coverage)
        fsync_tree(staging)
        moved = move_cache(out, staging)
        try:
            swapped = swap_in(out, staging)
        except BaseException:
            if moved:
                move_cache(staging, out)
            raise
        if swapped:
            carry_late_changes(staging, out, coverage)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        with suppress(OSError):
            fsync_path(out.parent)


def is_plain_relative(path: PurePosixPath) -> bool:
    """Names only, no '..', '.', root or empty part: the path cannot leave the staged tree."""
    return bool(path.parts) and not path.is_absolute() and all(
        part not in ("", ".", "..") and "/" not in part and "\0" not in part for part in path.parts)


@contextmanager
def output_lock(out: Path, timeout: float, on_wait: Callable[[str], None]) -> Iterator[None]:
    """An exclusive ``flock`` on ``.<out>.lock`` beside ``out``: wait up to ``timeout`` seconds for another
    writer, then fail naming it. The file is removed on release (a waiter then locks a fresh one)."""
    path = lock_path(out)
    deadline = time.monotonic() + timeout
    waited = False
    while True:
        descriptor = open_lock_file(path, out)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = lock_holder(descriptor)
            os.close(descriptor)
            if time.monotonic() >= deadline:
                raise OutputProblem("output.locked", f"another build ({holder}) is writing to {out}; gave up after "
                                    f"waiting {timeout:g} s", path,
                                    "wait for it to finish, or build into another --out") from None
            if not waited:
                on_wait(holder)
                waited = True
            time.sleep(LOCK_POLL_SECONDS)
            continue
        if is_same_file(descriptor, path):
            break
        os.close(descriptor)
    try:
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode())
        yield
    finally:
        path.unlink(missing_ok=True)
        os.close(descriptor)


def open_lock_file(path: Path, out: Path) -> int:
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, FILE_MODE)
    except OSError as error:
        raise OutputProblem("output.not-writable", f"the output folder {out} cannot be written: cannot create "
                            f"its lock file {path}: {error.strerror}", path,
                            "fix the folder's permissions, or choose another --out") from None


def lock_holder(descriptor: int) -> str:
    """'process 1234: python -m courseforge build ...' from the pid the holder wrote, as far as /proc tells."""
    pid = os.pread(descriptor, 32, 0).decode(errors="replace").strip()
    if not pid.isdigit():
        return "a process that is starting"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return f"process {pid}"
    words = "".join(character if character.isprintable() else " " for character in command).split()
    return f"process {pid}: {' '.join(words)[:120]}"


def is_same_file(descriptor: int, path: Path) -> bool:
    try:
        current = path.stat(follow_symlinks=False)
    except FileNotFoundError:
        return False
    opened = os.fstat(descriptor)
    return (opened.st_dev, opened.st_ino) == (current.st_dev, current.st_ino)


def recover_stale(out: Path) -> None:
    """Under the lock: what a killed build left. A previous tree moved aside by the two-rename swap goes back
    when ``out`` is missing; every staging or previous tree left is then removed."""
    stale = stale_siblings(out)
    previous = [path for path in stale if path.name.startswith(sibling_prefix(out, PREVIOUS))]
    if previous and not (out.exists() or out.is_symlink()):
        os.rename(previous[-1], out)
        stale.remove(previous[-1])
    for path in stale:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    if stale:
        fsync_path(out.parent)


def make_sibling(out: Path, kind: str, where: Path | None = None) -> Path:
    for _ in range(100):
        path = (where or out.parent) / f"{sibling_prefix(out, kind)}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise FileExistsError(errno.EEXIST, "no free staging name", str(out.parent))


def move_cache(source: Path, target: Path) -> bool:
    """Move ``source``'s cache folder into ``target`` (one rename); False when there is none to move."""
    folder = source / CACHE_DIR
    if folder.is_symlink() or not folder.is_dir() or (target / CACHE_DIR).exists():
        return False
    os.rename(folder, target / CACHE_DIR)
    return True


@contextmanager
def output_spool(out: Path) -> Iterator[Path]:
    """A private folder for this build's packages beside ``out`` (in the nearest existing folder above it, so a
    failed build creates nothing visible), removed on exit; spools of processes that are gone go first."""
    where = next(folder for folder in out.parents if folder.is_dir())
    remove_dead_spools(out, where)
    spool = make_sibling(out, SPOOL, where)
    try:
        yield spool
    finally:
        shutil.rmtree(spool, ignore_errors=True)


def stale_spools(out: Path, where: Path | None = None) -> list[Path]:
    """Spools beside ``out`` (or in ``where``) whose build is gone (killed): only ever under this name."""
    where = where or out.parent
    if not where.is_dir():
        return []
    prefix = sibling_prefix(out, SPOOL)
    found = []
    for path in where.iterdir():
        owner = path.name.removeprefix(prefix).split("-")[0]
        if path.name.startswith(prefix) and owner.isdigit() and not is_alive(int(owner)) and not path.is_symlink():
            found.append(path)
    return sorted(found)


def remove_dead_spools(out: Path, where: Path) -> None:
    for path in stale_spools(out, where):
        shutil.rmtree(path, ignore_errors=True)


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_tree(root: Path, files: Mapping[PurePosixPath, OutputFile]) -> None:
    for relative, data in sorted(files.items()):
        target = root.joinpath(*relative.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Path):
            link_or_copy(data, target)
            os.chmod(target, FILE_MODE)
            continue
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fchmod(descriptor, FILE_MODE)
            os.fsync(descriptor)


def owned_names(out: Path) -> set[str]:
    """The course folders the previous build.json describes (so a course no longer built goes too)."""
    try:
        document = json.loads(out.joinpath(*REPORT.parts).read_bytes())
        courses = {entry["course"] for entry in document["packages"]}
    except (OSError, ValueError, TypeError, KeyError):
        return set()
    return {name for name in courses if isinstance(name, str) and PurePosixPath(name).name == name
            and name not in ("", REPORT.parts[0]) and not name.startswith(".")}


def foreign_entries(root: Path, coverage: Coverage,
                    skip: frozenset[str] = frozenset()) -> list[tuple[PurePosixPath, Path, bool]]:
    """(relative path, path, is a folder) of everything in ``root`` the transaction does not cover, each
    folder before what it holds; top-level ``skip`` names are not looked into."""
    found: list[tuple[PurePosixPath, Path, bool]] = []

    def walk(folder: Path, relative: PurePosixPath) -> None:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda item: item.name):
                path = relative / entry.name
                if coverage.covers(path) or path.as_posix() in skip:
                    continue
                is_folder = entry.is_dir(follow_symlinks=False)
                found.append((path, Path(entry.path), is_folder))
                if is_folder:
                    walk(Path(entry.path), path)
    walk(root, PurePosixPath())
    return found


def carry_over(out: Path, staging: Path, coverage: Coverage) -> None:
    """Hard-link everything of ``out`` the transaction does not cover into the new tree (but the cache folder,
    which :func:`move_cache` moves whole)."""
    for relative, source, is_folder in foreign_entries(out, coverage, frozenset({CACHE_DIR})):
        target = staging.joinpath(*relative.parts)
        if not is_folder:
            link_or_copy(source, target)
        elif not target.exists():
            target.mkdir()
            copy_mode(source, target)


def carry_late_changes(previous: Path, out: Path, coverage: Coverage) -> None:
    """After the swap: a file another command (``i18n export-xliff``) wrote into the previous tree while this
    build staged, after it was linked, moves into the new tree instead of being removed with the old one.
    Best effort: the swap has happened, so nothing here may fail the build."""
    for relative, source, is_folder in foreign_entries(previous, coverage):
        target = out.joinpath(*relative.parts)
        if is_folder:
            with suppress(OSError):
                target.mkdir()
                copy_mode(source, target)
        elif not is_same_entry(source, target):
            with suppress(OSError):
                os.replace(source, target)


def is_same_entry(first: Path, second: Path) -> bool:
    try:
        one, other = first.stat(follow_symlinks=False), second.stat(follow_symlinks=False)
    except FileNotFoundError:
        return False
    return (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino)


def is_old_report_temporary(path: PurePosixPath) -> bool:
    """``reports/.build.json.*.tmp``: left by builds before this module, when killed mid-write."""
    return path.parent == REPORT.parent and path.name.startswith(f".{REPORT.name}.") and path.suffix == ".tmp"


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copy2(source, target, follow_symlinks=False)


def copy_mode(source: Path, target: Path) -> None:
    os.chmod(target, stat.S_IMODE(source.stat(follow_symlinks=False).st_mode))


def fsync_tree(root: Path) -> None:
    """Directory entries are durable before the swap names them (file contents were synced when written)."""
    for folder, _, _ in os.walk(root, topdown=False):
        fsync_path(Path(folder))


def fsync_path(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def swap_in(out: Path, staging: Path) -> bool:
    """Make ``staging`` the outputs; True when ``staging`` then holds the previous tree (to remove)."""
    if not out.exists():
        os.rename(staging, out)
        return False
    if exchange(staging, out):
        return True
    previous = out.parent / f"{sibling_prefix(out, PREVIOUS)}{os.getpid()}-{secrets.token_hex(4)}"
    os.rename(out, previous)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(previous, out)
        raise
    os.rename(previous, staging)
    return True


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where that is not available."""
    import ctypes  # here: lint imports this module for the cache folder's name, and never swaps

    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in EXCHANGE_UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))
