"""The floor: the same work done by the bare libraries (``floor_work``), on the same content; this module gathers
its inputs and runs a build's floor as a process of its own.

A build's floor is markdown-it-py parsing and rendering every localized page body (once per locale: the
formats share it), one Jinja2 render per package of a template that loops over the screens' HTML, and
zipping the bytes of every package that build wrote, entry by entry with the method and deflate level the
package used. The inputs are gathered untimed: the localized Markdown from courseforge's own localize stage
(exactly what the build renders), the entries from the built packages.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import struct
import sys
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

import bench
from bench.floor_work import BuildFloorInput, Entry, PackageEntries
from bench.measure import Timing, run_command
from courseforge.commands.common import project_options
from courseforge.diagnostics import DiagnosticSink
from courseforge.model.course import Page
from courseforge.pipeline import build_locales, course_theme, locale_catalogs, validate_course
from courseforge.project import load_project
from courseforge.stages.localize import localize

LOCAL_HEADER_SIZE = 30
"""Bytes of a zip local file header before its name and extra field (APPNOTE 4.3.7)."""
UNKNOWN_LEVEL = 6
"""Used for a deflated entry whose level no zlib level reproduces as one stream: courseforge's big members, which
it deflates at level 6 in segments (``stages/package/deflate_segments``), or another compressor's."""


def localized_bodies(project_root: Path, course_dir: Path, locales: Sequence[str] = ("all",)) -> dict[str, list[str]]:
    """Every page body of the course, per locale, as courseforge's localize stage gives it to render."""
    sink = DiagnosticSink()
    project = load_project(project_root, sink)
    if project is None:
        raise RuntimeError(f"no project in {project_root}")
    options = project_options(project, locales=tuple(locales))
    course = validate_course(course_dir, course_dir.name, sink, options)
    theme = course_theme(course, options, sink) if course is not None else None
    if course is None or theme is None:
        raise RuntimeError("the course does not validate:\n" + "\n".join(d.format() for d in sink))
    bodies = {}
    for locale in build_locales(course, options.locales):
        catalogs = locale_catalogs(course, locale, theme, options, sink)
        localized = localize(course, locale, catalogs, sink)
        bodies[locale] = [page.body for page in localized.course.screens_of(Page)]
    return bodies


class LevelFinder:
    """A zlib level that reproduces an entry's compressed bytes exactly (each distinct content tried once).
    Levels 6 (zlib's default) and 9 are tried first, 6 before 9: when both give the same bytes, the floor
    takes the cheaper one."""

    ORDER = (6, 9, 1, 2, 3, 4, 5, 7, 8)

    def __init__(self) -> None:
        self.known: dict[tuple[bytes, bytes], int] = {}

    def level(self, data: bytes, compressed: bytes) -> int:
        key = (hashlib.sha256(data).digest(), hashlib.sha256(compressed).digest())
        if key not in self.known:
            self.known[key] = next((level for level in self.ORDER if self._deflate(data, level) == compressed),
                                   UNKNOWN_LEVEL)
        return self.known[key]

    @staticmethod
    def _deflate(data: bytes, level: int) -> bytes:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        return compressor.compress(data) + compressor.flush()


def raw_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """An entry's bytes as stored (compressed), read past its local header."""
    assert archive.fp is not None
    archive.fp.seek(info.header_offset)
    header = archive.fp.read(LOCAL_HEADER_SIZE)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    archive.fp.seek(info.header_offset + LOCAL_HEADER_SIZE + name_length + extra_length)
    return archive.fp.read(info.compress_size)


def package_entries(package: Path | bytes, locale: str, finder: LevelFinder) -> PackageEntries:
    entries = []
    with zipfile.ZipFile(io.BytesIO(package) if isinstance(package, bytes) else package) as archive:
        for info in archive.infolist():
            data = archive.read(info)
            level = finder.level(data, raw_member(archive, info)) if info.compress_type == zipfile.ZIP_DEFLATED \
                else None
            entries.append(Entry(info.filename, data, info.compress_type, level))
    return PackageEntries(locale, tuple(entries))


def built_packages(course_out: Path, finder: LevelFinder) -> list[PackageEntries]:
    """Every package a build wrote for one course (``OUT/<course>/<locale>/<format>.zip``)."""
    return [package_entries(path, path.parent.name, finder) for path in sorted(course_out.glob("*/*.zip"))]


def write_build_input(bodies: dict[str, list[str]], packages: Sequence[PackageEntries], path: Path) -> Path:
    """The inputs of a full build's floor, pickled for :func:`build_floor`."""
    with path.open("wb") as file:
        pickle.dump(BuildFloorInput(bodies, tuple(packages)), file, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def build_floor(inputs: Path) -> Timing:
    """A full build's floor in a process of its own (``python -m bench.floor_process``), as the build it stands beside
    runs: its CPU and wall less what loading the pickled inputs cost that process."""
    root = Path(bench.__file__).parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(root), os.environ.get("PYTHONPATH"))))}
    output = inputs.with_suffix(".out")
    timing = run_command([sys.executable, "-m", "bench.floor_process", str(inputs), str(output)], root, env)
    loading = json.loads(output.read_text())
    return Timing(timing.cpu - loading["load_cpu_s"], timing.wall - loading["load_wall_s"], timing.max_rss_mib)
