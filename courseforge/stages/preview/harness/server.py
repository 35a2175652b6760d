"""``PreviewServer``: the test LMS on 127.0.0.1 (a port the system picks), uvicorn in a daemon thread.

One server serves a whole preview run: every package it is given is extracted once under
``/packages/<id>/``; the SQLite store (launches, commits, events) lives beside the served folder in a
temporary directory removed on close. Every registered plug-in's LMS side starts with the server and
is mounted on the same app under ``/__lms/<format>`` (``HarnessPlugin.start``).
"""

from __future__ import annotations

import io
import itertools
import re
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import uvicorn

from courseforge.lms.lrs.server import bind, make_server, url_of
from courseforge.lms.lrs.store import LrsStore, open_store
from courseforge.lms.package_files import extract_all
from courseforge.model.package import PackageFormat
from courseforge.stages.preview.harness.app import PLUGIN_PREFIX, create_harness_app
from courseforge.stages.preview.harness.interface import HarnessPlugin, LmsSide, ServedPackage
from courseforge.stages.preview.harness.plugins import PluginRegistry, default_plugins
from courseforge.stages.preview.harness.profiles import PROFILES, LmsProfile
from courseforge.stages.preview.harness.runtime import LmsRuntime, find_runtime
from courseforge.stages.preview.harness.store import HarnessStore

START_TIMEOUT_S = 10.0
PACKAGES = "packages"


@dataclass(frozen=True)
class SideHost:
    """What a plug-in's LMS side gets from its server (``interface.HarnessHost``): the preview's, the review LMS's."""

    base_url: str
    prefix: str
    work_dir: Path
    store: HarnessStore
    runtime: LmsRuntime
    profiles: Mapping[str, LmsProfile]
    lrs: LrsStore | None = None
    """The one LRS store every side's embedded LRS shares; None: each opens a file of its own in ``work_dir``."""

    def lrs_store(self, name: str) -> LrsStore:
        return self.lrs if self.lrs is not None else open_store(self.work_dir / name)

    def note(self, launch_id: str, method: str, arguments: Sequence[str], result: str, error: str = "0") -> None:
        self.store.note(launch_id, method, arguments, result, error)


class PreviewServer:
    """Context manager: ``with PreviewServer() as server: package = server.serve_package(name, data)``."""

    def __init__(self, runtime: LmsRuntime | None = None, *, plugins: PluginRegistry | None = None,
                 profiles: Mapping[str, LmsProfile] = PROFILES, log_level: int = 4) -> None:
        self.runtime = runtime if runtime is not None else find_runtime()
        self.plugins = plugins if plugins is not None else default_plugins()
        self.profiles = profiles
        self.log_level = log_level
        """scorm-again's logLevel in the host page (4: errors only)."""
        self._temp = Path(tempfile.mkdtemp(prefix="courseforge-preview-"))
        self.root = self._temp / "www"
        """The served folder: ``/packages/<id>/`` and anything a caller puts beside it."""
        (self.root / PACKAGES).mkdir(parents=True)
        self.store = HarnessStore(self._temp / "lms.sqlite")
        self.base_url = ""
        self._ids = itertools.count(1)
        self._launch_ids = itertools.count(1)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sides: dict[PackageFormat, LmsSide] = {}

    def __enter__(self) -> PreviewServer:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def start(self) -> None:
        sock = bind("127.0.0.1", 0)
        self.base_url = url_of(sock)
        mounts: dict[str, LmsSide] = {}
        for package_format, plugin in self.plugins.items():
            prefix = f"{PLUGIN_PREFIX}{package_format.value}"
            work_dir = self._temp / "sides" / package_format.value
            work_dir.mkdir(parents=True)
            side = plugin.start(SideHost(self.base_url, prefix, work_dir, self.store, self.runtime, self.profiles))
            self._sides[package_format] = mounts[prefix] = side
        app = create_harness_app(self.store, self.runtime, self.root, self.profiles,
                                 {prefix: side.routes for prefix, side in mounts.items() if side.routes})
        self._server = make_server(app)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True,
                                        name="preview-lms")
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the preview LMS server did not start within {START_TIMEOUT_S:.0f} s")
            time.sleep(0.01)

    def close(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=START_TIMEOUT_S)
            self._server = None
        self.store.close()
        shutil.rmtree(self._temp, ignore_errors=True)

    def plugin(self, package_format: PackageFormat) -> HarnessPlugin:
        return self.plugins[package_format]

    def side(self, package_format: PackageFormat) -> LmsSide:
        """The running LMS side of a format's plug-in (after :meth:`start`)."""
        if package_format not in self._sides:
            self.plugin(package_format)  # KeyError naming the format when no plug-in is registered
            raise RuntimeError("the preview server is not started")
        return self._sides[package_format]

    def profile(self, name: str) -> LmsProfile:
        return self.profiles[name]

    def serve_package(self, name: str, data: bytes, package_format: PackageFormat = PackageFormat.SCORM12,
                      ) -> ServedPackage:
        """Extract a package's zip bytes under ``/packages/<id>/`` and read its launchable items."""
        folder = self._new_folder(name)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            extract_all(archive, folder)
        return self._served(name, folder, package_format)

    def serve_directory(self, name: str, source: Path, package_format: PackageFormat = PackageFormat.SCORM12,
                        ) -> ServedPackage:
        """Serve a package folder (a copy: the original is never written to)."""
        folder = self._new_folder(name)
        shutil.copytree(source, folder, dirs_exist_ok=True)
        return self._served(name, folder, package_format)

    def new_launch_id(self, package: ServedPackage) -> str:
        return f"{package.id}-launch-{next(self._launch_ids)}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def _new_folder(self, name: str) -> Path:
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "package"
        folder = self.root / PACKAGES / f"{slug}-{next(self._ids)}"
        folder.mkdir()
        return folder

    def _served(self, name: str, folder: Path, package_format: PackageFormat) -> ServedPackage:
        units = self.plugin(package_format).read_units(folder)
        return ServedPackage(id=folder.name, name=name, format=package_format, folder=folder,
                             url_path=f"/{PACKAGES}/{folder.name}/", units=units)

