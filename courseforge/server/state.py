"""Which server serves a command, and where its state lives: one server per (project root, Python executable,
courseforge code fingerprint), its state in a per-user runtime folder, never in the project (a build writes
nothing outside its output folder).

The folder: ``$XDG_RUNTIME_DIR/courseforge/`` if set, else ``~/.cache/courseforge/servers/`` (mode 0700, ours
only); in it ``<key>.json`` (mode 0600: port, token, pid, fingerprint, start time), ``<key>.log`` and
``<key>.lock`` (held by the live server). Standard library only (see :mod:`courseforge.server`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Mapping

import courseforge

RUNTIME_ENV = "XDG_RUNTIME_DIR"
PACKAGE = os.path.dirname(os.path.abspath(courseforge.__file__))


def runtime_folder() -> str:
    """The per-user folder of the servers' state, made (mode 0700) if missing. :class:`PermissionError` when it
    is not ours alone: another user could then read a token or plant a state file."""
    runtime = os.environ.get(RUNTIME_ENV, "")
    folder = (os.path.join(runtime, "courseforge") if runtime
              else os.path.join(os.path.expanduser("~"), ".cache", "courseforge", "servers"))
    os.makedirs(folder, mode=0o700, exist_ok=True)
    status = os.stat(folder)
    if status.st_uid != os.getuid():
        raise PermissionError(f"{folder} belongs to another user")
    if stat.S_IMODE(status.st_mode) & 0o077:
        os.chmod(folder, 0o700)
    return folder


def code_fingerprint(package: str = PACKAGE) -> str:
    """courseforge's version, where the package is and every file's name, size, inode and change times (not its
    bytes: some 300 ``stat`` calls cost a millisecond): an edited source tree or another install gives another
    fingerprint, hence another server."""
    hasher = hashlib.sha256(f"{courseforge.__version__}\0{package}".encode())
    pending = [package]
    while pending:
        folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda found: found.name):
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        pending.append(entry.path)
                    continue
                with contextlib.suppress(OSError):
                    status = entry.stat(follow_symlinks=False)
                    hasher.update(f"\0{entry.path}\0{status.st_size}\0{status.st_ino}\0{status.st_mtime_ns}"
                                  f"\0{status.st_ctime_ns}".encode())
    return hasher.hexdigest()


def server_key(root: str, fingerprint: str, python: str = sys.executable,
               environ: Mapping[str, str] = os.environ) -> str:
    """The key of the server for a project, an interpreter, its code, and the ``PYTHON*`` variables, which
    Python reads only as it starts (``PYTHONWARNINGS``, ``PYTHONHASHSEED``, ``PYTHONUTF8``, ``PYTHONPATH``...): a
    server started under other values could not run a command as a fresh process would."""
    interpreter = "\0".join(f"{name}={value}" for name, value in sorted(environ.items()) if name.startswith("PYTHON"))
    return hashlib.sha256(f"{root}\0{python}\0{fingerprint}\0{interpreter}".encode()).hexdigest()[:32]


class ServerState:
    """What a live server wrote about itself, once it listens with everything imported. (Plain classes here, no
    dataclasses: importing them costs the client some 10 ms, a third of its budget.)"""

    FIELDS = ("port", "token", "pid", "fingerprint", "root", "python", "started_at")
    __slots__ = FIELDS

    def __init__(self, port: int, token: str, pid: int, fingerprint: str, root: str, python: str,
                 started_at: float) -> None:
        self.port, self.token, self.pid, self.fingerprint = port, token, pid, fingerprint
        self.root, self.python, self.started_at = root, python, started_at

    def to_json(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.FIELDS}

    @classmethod
    def from_json(cls, document: object) -> ServerState | None:
        """The state a file holds, or None for anything else (a wrong type is a foreign or broken file)."""
        if not isinstance(document, dict) or set(document) != set(cls.FIELDS):
            return None
        state = cls(**document)
        kinds = (int, str, int, str, str, str, float)
        typed = all(type(getattr(state, name)) is kind for name, kind in zip(cls.FIELDS, kinds, strict=True))
        return state if typed else None


class ServerPlace:
    """The files of the server for one key."""

    __slots__ = ("folder", "key")

    def __init__(self, folder: str, key: str) -> None:
        self.folder, self.key = folder, key

    @classmethod
    def of(cls, root: str, fingerprint: str) -> ServerPlace:
        return cls(runtime_folder(), server_key(root, fingerprint))

    @property
    def state_path(self) -> str:
        return os.path.join(self.folder, f"{self.key}.json")

    @property
    def log_path(self) -> str:
        return os.path.join(self.folder, f"{self.key}.log")

    @property
    def lock_path(self) -> str:
        return os.path.join(self.folder, f"{self.key}.lock")

    def read(self) -> ServerState | None:
        """The state file's server, if the file is there and whole (it is replaced atomically)."""
        try:
            with open(self.state_path, encoding="utf-8") as file:
                document = json.load(file)
        except (OSError, ValueError):
            return None
        return ServerState.from_json(document)

    def write(self, state: ServerState) -> None:
        """Atomically, mode 0600: a reader sees the old file, none, or the whole new one."""
        temporary = f"{self.state_path}.{os.getpid()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(state.to_json(), file)
        os.replace(temporary, self.state_path)

    def remove(self, pid: int) -> None:
        """The state file, if it is still the one server ``pid`` wrote (a newer server's is left alone)."""
        found = self.read()
        if found is not None and found.pid == pid:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.state_path)


LOG_KEPT_S = 30 * 86400.0
"""A log of a key with no live server is removed after this long untouched (an edited checkout or an upgrade
makes new keys; their old logs would pile up)."""
LOG_MAX_BYTES = 1_000_000


def tidy_logs(place: ServerPlace, now: float | None = None) -> None:
    """At a server's start: its own log emptied once it is over :data:`LOG_MAX_BYTES`, and other keys' logs that
    no live server writes removed after :data:`LOG_KEPT_S`."""
    now = time.time() if now is None else now
    with contextlib.suppress(OSError):
        if os.path.getsize(place.log_path) > LOG_MAX_BYTES:
            os.truncate(place.log_path, 0)
    with os.scandir(place.folder) as entries:
        for entry in entries:
            key, _, suffix = entry.name.partition(".")
            if suffix != "log" or key == place.key or os.path.exists(os.path.join(place.folder, f"{key}.json")):
                continue
            with contextlib.suppress(OSError):
                if now - entry.stat().st_mtime > LOG_KEPT_S:
                    os.unlink(entry.path)


def log_line(place: ServerPlace, text: str) -> None:
    """One line in the server's log, with the time and the writing process."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    with open(place.log_path, "a", encoding="utf-8") as log:
        log.write(f"{stamp} pid {os.getpid()}: {text}\n")
